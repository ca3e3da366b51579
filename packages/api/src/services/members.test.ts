// Role changes: seats, the owner's protections, ownership hand-over, editions; and their
// behaviour under concurrent requests.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Orm } from "../db/orm.js";
import type { RoleCode } from "@lattice/policy";
import { TRPCError } from "@trpc/server";
import { activityLogs, callerFor, createTestDatabase, errorCode, refusal, seedOrganization, SEED_PASSWORD, type SeededPerson, type SeedRole, type TestConfig, type TestDatabase } from "../testing/index.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.close();
});

const as = (p: SeededPerson, config?: TestConfig) => callerFor(db.orm, { cookies: p.cookies, config });

async function memberships(orm: Orm, orgId: number) {
  return orm.em
    .fork()
    .execute<{ user_id: number; role: string | null; status: string }[]>(`select user_id, role, status from memberships where organization_id = ? order by user_id`, [orgId]);
}

async function logCount() {
  return (await activityLogs(db.orm)).length;
}

describe("seats", () => {
  it("counts active members, refuses activation beyond the limit naming it, and frees a seat on deactivation", async () => {
    const f = await seedOrganization(db.orm, { owner: "owner", admin: "administrator", a: "pending", b: "pending", c: "pending", gone: "deactivated" });
    const owner = await as(f.people.owner);
    expect(await owner.organization.get({ id: 0 })).toMatchObject({ seat_limit: null, seats_used: 2 });
    // The limit cannot be set below the active members.
    const low = await refusal(owner.organization.update({ id: 0, seat_limit: 1 }));
    expect(low.code).toBe("UNPROCESSABLE_CONTENT");
    expect(await owner.organization.update({ id: 0, seat_limit: 3 })).toMatchObject({ seat_limit: 3, seats_used: 2 });

    await owner.member.update({ id: 0, user_id: f.people.a.userId, role: "AN" });
    const logs = await logCount();
    const full = await refusal(owner.member.update({ id: 0, user_id: f.people.b.userId, role: "AN" }));
    expect(full.code).toBe("UNPROCESSABLE_CONTENT");
    expect(full.message).toMatch(/seat limit is 3\b/);
    // Reactivating a deactivated member needs a seat too.
    expect((await refusal(owner.member.update({ id: 0, user_id: f.people.gone.userId, role: "RE" }))).message).toMatch(/seat limit is 3\b/);
    expect(await logCount()).toBe(logs);
    // A role change of an active member needs no free seat; neither does deactivating a pending one.
    expect((await owner.member.update({ id: 0, user_id: f.people.a.userId, role: "MA" })).role).toBe("MA");
    expect((await owner.member.update({ id: 0, user_id: f.people.c.userId, role: "DI" })).status).toBe("deactivated");
    expect(await owner.organization.get({ id: 0 })).toMatchObject({ seats_used: 3 });

    // Deactivation frees a seat, which the next activation takes.
    await owner.member.update({ id: 0, user_id: f.people.a.userId, role: "DI" });
    expect(await owner.organization.get({ id: 0 })).toMatchObject({ seats_used: 2 });
    expect((await owner.member.update({ id: 0, user_id: f.people.b.userId, role: "AN" })).status).toBe("active");
    expect(await errorCode(owner.member.update({ id: 0, user_id: f.people.a.userId, role: "AN" }))).toBe("UNPROCESSABLE_CONTENT");
    // So does removal.
    await owner.member.remove({ id: 0, user_id: f.people.b.userId });
    expect((await owner.member.update({ id: 0, user_id: f.people.a.userId, role: "AN" })).status).toBe("active");
    // No limit: no refusal.
    await owner.organization.update({ id: 0, seat_limit: null });
    expect((await owner.member.update({ id: 0, user_id: f.people.gone.userId, role: "AN" })).status).toBe("active");
  });

  it("never exceeds the limit under 10 concurrent activations", async () => {
    const roles: Record<string, SeedRole> = { owner: "owner", admin: "administrator" };
    for (let i = 0; i < 10; i++) roles[`p${i}`] = "pending";
    const f = await seedOrganization(db.orm, roles, { seatLimit: 5 });
    const logs = await logCount();
    // Owner and administrator activate at once, from separate requests.
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, async (_, i) => {
        const caller = await as(i % 2 ? f.people.owner! : f.people.admin!);
        return caller.member.update({ id: f.orgId, user_id: f.people[`p${i}`]!.userId, role: "AN" });
      }),
    );
    const ok = results.filter((r) => r.status === "fulfilled");
    const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
    expect(ok).toHaveLength(3);
    expect(refused).toHaveLength(7);
    for (const err of refused) {
      expect(err).toBeInstanceOf(TRPCError);
      expect(err).toMatchObject({ code: "UNPROCESSABLE_CONTENT", message: expect.stringMatching(/seat limit is 5\b/) });
    }
    expect((await memberships(db.orm, f.orgId)).filter((m) => m.status === "active")).toHaveLength(5);
    expect(await logCount()).toBe(logs + 3);
  });
});

/** Resolves once some statement of this database waits on a row lock. */
async function someoneWaitsOnALock() {
  for (let i = 0; i < 200; i++) {
    const [row] = await db.orm.em
      .fork()
      .execute<{ n: string }[]>(`select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
    if (Number(row!.n) > 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("no statement ever waited on the lock");
}

describe("under the organization's lock", () => {
  it("an activation reads the seat limit as it is once it holds the lock, not as the request first saw it", async () => {
    const f = await seedOrganization(db.orm, { owner: "owner", p: "pending" }, { seatLimit: 1 });
    let activation: Promise<unknown> | undefined;
    // Another transaction holds the organization's row, lets the activation queue behind it,
    // and lifts the limit before it lets go.
    await db.orm.em.fork().transactional(async (em) => {
      await em.execute(`select id from organizations where id = ? for update`, [f.orgId]);
      const owner = await as(f.people.owner);
      activation = owner.member.update({ id: f.orgId, user_id: f.people.p.userId, role: "AN" }).catch((err: unknown) => err);
      await someoneWaitsOnALock();
      await em.execute(`update organizations set seat_limit = null where id = ?`, [f.orgId]);
    });
    expect(await activation).toMatchObject({ role: "AN", status: "active" });
  });
});

describe("the owner", () => {
  it("cannot be changed, deactivated or removed by an administrator", async () => {
    const f = await seedOrganization(db.orm, { owner: "owner", admin: "administrator" });
    const admin = await as(f.people.admin);
    const logs = await logCount();
    for (const role of ["AD", "MA", "RE", "AN", "DI"] as const) {
      const err = await refusal(admin.member.update({ id: 0, user_id: f.people.owner.userId, role }));
      expect({ role, code: err.code }).toEqual({ role, code: "FORBIDDEN" });
      expect(err.message).toMatch(/owner/);
    }
    expect(await errorCode(admin.member.patch({ id: 0, user_id: f.people.owner.userId, role: "AN" }))).toBe("FORBIDDEN");
    expect(await errorCode(admin.member.remove({ id: 0, user_id: f.people.owner.userId }))).toBe("FORBIDDEN");
    expect(await errorCode(admin.member.transferOwnership({ id: 0, user_id: f.people.admin.userId }))).toBe("FORBIDDEN");
    expect(await memberships(db.orm, f.orgId)).toEqual([
      { user_id: f.people.owner.userId, role: "owner", status: "active" },
      { user_id: f.people.admin.userId, role: "administrator", status: "active" },
    ]);
    expect(await logCount()).toBe(logs);
  });

  it("is never assigned: OW is refused for everyone, on every target", async () => {
    const f = await seedOrganization(db.orm, { owner: "owner", admin: "administrator", admin2: "administrator", man: "manager", pend: "pending" });
    for (const actor of [f.people.owner, f.people.admin]) {
      for (const target of [f.people.admin2, f.people.man, f.people.pend]) {
        const err = await refusal((await as(actor)).member.update({ id: 0, user_id: target.userId, role: "OW" }));
        expect(err.code).toBe("UNPROCESSABLE_CONTENT");
        expect(err.message).toMatch(/Nobody can be made owner/);
      }
    }
    expect((await memberships(db.orm, f.orgId)).filter((m) => m.role === "owner")).toEqual([{ user_id: f.people.owner.userId, role: "owner", status: "active" }]);
  });

  it("nobody changes their own role or status", async () => {
    const f = await seedOrganization(db.orm, { owner: "owner", admin: "administrator" });
    for (const p of [f.people.owner, f.people.admin]) {
      for (const role of ["AD", "MA", "AN", "DI"] as const) {
        const err = await refusal((await as(p)).member.update({ id: 0, user_id: p.userId, role }));
        expect(err.code).toBe("FORBIDDEN");
        expect(err.message).toMatch(/own role/);
      }
      expect(await errorCode((await as(p)).member.remove({ id: 0, user_id: p.userId }))).toBe("FORBIDDEN");
    }
  });

  it("hands ownership only to an active administrator, and becomes an administrator", async () => {
    const f = await seedOrganization(db.orm, {
      owner: "owner",
      admin: "administrator",
      man: "manager",
      pend: "pending",
      off: "deactivated",
    });
    const owner = await as(f.people.owner);
    for (const target of [f.people.man, f.people.pend, f.people.off, f.people.owner]) {
      expect(await errorCode(owner.member.transferOwnership({ id: 0, user_id: target.userId }))).toBe("UNPROCESSABLE_CONTENT");
    }
    const logs = await logCount();
    const res = await owner.member.transferOwnership({ id: 0, user_id: f.people.admin.userId });
    expect(res).toMatchObject({ user: { id: f.people.admin.userId }, role: "OW", status: "active" });
    expect(await memberships(db.orm, f.orgId)).toEqual(
      expect.arrayContaining([
        { user_id: f.people.owner.userId, role: "administrator", status: "active" },
        { user_id: f.people.admin.userId, role: "owner", status: "active" },
      ]),
    );
    expect((await activityLogs(db.orm)).slice(logs)).toEqual([
      expect.objectContaining({ action: "ownership.transfer", organization_id: f.orgId, actor_id: f.people.owner.userId }),
    ]);
    // The former owner is now an administrator like any other.
    const former = await as(f.people.owner);
    expect(await errorCode(former.member.transferOwnership({ id: 0, user_id: f.people.admin.userId }))).toBe("FORBIDDEN");
    expect(await errorCode(former.member.update({ id: 0, user_id: f.people.admin.userId, role: "AD" }))).toBe("FORBIDDEN");
    // And the new owner can change the former owner's role.
    expect((await (await as(f.people.admin)).member.update({ id: 0, user_id: f.people.owner.userId, role: "MA" })).role).toBe("MA");
  });

  it("stays exactly one, and active, under 20 concurrent conflicting requests", async () => {
    for (let round = 0; round < 3; round++) {
      const f = await seedOrganization(db.orm, { owner: "owner", a1: "administrator", a2: "administrator", a3: "administrator", m: "manager" });
      const { owner, a1, a2, a3, m } = f.people;
      const logs = await logCount();
      type Req = [SeededPerson, "update" | "remove" | "transfer", SeededPerson, RoleCode?];
      const reqs: Req[] = [
        [owner, "transfer", a1],
        [owner, "transfer", a2],
        [owner, "transfer", a3],
        [a1, "update", a2, "MA"],
        [a2, "update", a1, "MA"],
        [a3, "update", a1, "DI"],
        [a1, "update", a3, "DI"],
        [a2, "update", owner, "AN"],
        [a3, "update", owner, "DI"],
        [a1, "remove", owner],
        [owner, "update", a1, "AN"],
        [owner, "update", a2, "DI"],
        [a2, "update", a3, "OW"],
        [a1, "update", m, "AD"],
        [m, "update", owner, "DI"],
        [a3, "remove", a2],
        [a1, "transfer", a3],
        [a2, "transfer", a1],
        [owner, "update", m, "AD"],
        [a3, "update", m, "DI"],
      ];
      // Shuffled, so that each round interleaves differently.
      reqs.sort(() => Math.random() - 0.5);
      const results = await Promise.allSettled(
        reqs.map(async ([actor, op, target, role]) => {
          const c = await as(actor);
          if (op === "transfer") return c.member.transferOwnership({ id: f.orgId, user_id: target.userId });
          if (op === "remove") return c.member.remove({ id: f.orgId, user_id: target.userId });
          return c.member.update({ id: f.orgId, user_id: target.userId, role: role! });
        }),
      );
      // Every refusal is a rule or a permission, never a crash of a constraint.
      for (const r of results) {
        if (r.status === "rejected") {
          expect(r.reason).toBeInstanceOf(TRPCError);
          expect(["FORBIDDEN", "UNPROCESSABLE_CONTENT", "NOT_FOUND"]).toContain((r.reason as TRPCError).code);
        }
      }
      const rows = await memberships(db.orm, f.orgId);
      const owners = rows.filter((r) => r.role === "owner");
      expect(owners).toHaveLength(1);
      expect(owners[0]!.status).toBe("active");
      expect([owner, a1, a2, a3].map((p) => p.userId)).toContain(owners[0]!.user_id);
      // One log row per change that went through (a role change to the role a member already has changes nothing).
      const succeeded = results.filter((r) => r.status === "fulfilled").length;
      const written = (await logCount()) - logs;
      expect(written).toBeLessThanOrEqual(succeeded);
      expect(written).toBeGreaterThan(0);
    }
  });
});

describe("editions", () => {
  it("in the teams edition, assigns only the manager role", async () => {
    const f = await seedOrganization(db.orm, { owner: "owner", p: "pending", q: "pending" });
    const teams = { LATTICE_EDITION: "teams" as const };
    const owner = await as(f.people.owner, teams);
    for (const role of ["AD", "RE", "AN"] as const) {
      const err = await refusal(owner.member.update({ id: 0, user_id: f.people.p.userId, role }));
      expect(err.code).toBe("UNPROCESSABLE_CONTENT");
      expect(err.message).toMatch(/teams edition assigns only the manager role/);
    }
    expect(await owner.member.update({ id: 0, user_id: f.people.p.userId, role: "MA" })).toMatchObject({ role: "MA", status: "active" });
    expect(await owner.member.update({ id: 0, user_id: f.people.p.userId, role: "DI" })).toMatchObject({ status: "deactivated" });
    // The same request in the enterprise edition is allowed.
    expect((await (await as(f.people.owner)).member.update({ id: 0, user_id: f.people.q.userId, role: "RE" })).role).toBe("RE");
  });
});

describe("the People list", () => {
  it("pages, filters by role code and status, and searches email and name", async () => {
    const f = await seedOrganization(db.orm, {
      owner: "owner",
      adam: "administrator",
      mia: "manager",
      max: "manager",
      rex: "reviewer",
      ann: "annotator",
      percy: "pending",
      dita: "deactivated",
    });
    const manager = await as(f.people.mia);
    const all = await manager.member.list({ id: 0, page: 1, page_size: 3 });
    expect(all.count).toBe(8);
    expect(all.results).toHaveLength(3);
    expect(all.previous).toBeNull();
    expect(all.next).toBe(`/api/organizations/0/memberships?page=2&page_size=3`);
    const last = await manager.member.list({ id: 0, page: 3, page_size: 3 });
    expect(last.results).toHaveLength(2);
    expect(last.next).toBeNull();
    const pages = [...all.results, ...(await manager.member.list({ id: 0, page: 2, page_size: 3 })).results, ...last.results];
    expect(new Set(pages.map((m) => m.user.id)).size).toBe(8);
    // Past the end: empty, with the true count.
    expect(await manager.member.list({ id: 0, page: 9, page_size: 3 })).toMatchObject({ count: 8, results: [], next: null });

    const codes = (r: { results: { role: string }[] }) => r.results.map((m) => m.role).sort();
    expect(codes(await manager.member.list({ id: 0, role: ["MA"] }))).toEqual(["MA", "MA"]);
    expect(codes(await manager.member.list({ id: 0, role: ["OW", "AN", "NO", "DI"] }))).toEqual(["AN", "DI", "NO", "OW"]);
    expect(codes(await manager.member.list({ id: 0, status: ["pending", "deactivated"] }))).toEqual(["DI", "NO"]);
    const byName = await manager.member.list({ id: 0, search: "PERCY" });
    expect(byName.results.map((m) => m.user.id)).toEqual([f.people.percy.userId]);
    // LIKE wildcards in the search are plain characters.
    expect((await manager.member.list({ id: 0, search: "%" })).count).toBe(0);
    expect((await manager.member.list({ id: 0, search: "_" })).count).toBe(0);
    expect((await manager.member.list({ id: 0, search: "@seed.test" })).count).toBe(8);
  });
});

describe("removal", () => {
  it("ends access at once, keeps the account, frees the seat, and a new invitation brings the member back as pending", async () => {
    const f = await seedOrganization(db.orm, { owner: "owner", admin: "administrator", man: "manager" }, { seatLimit: 3 });
    const early = await as(f.people.man);
    const logs = await logCount();
    expect(await (await as(f.people.admin)).member.remove({ id: 0, user_id: f.people.man.userId })).toEqual({ ok: true });
    expect((await activityLogs(db.orm)).slice(logs)).toEqual([
      expect.objectContaining({ action: "member.remove", target_id: String(f.people.man.userId), changes: { role: { before: "MA", after: null } } }),
    ]);
    expect(await errorCode(early.organization.get({ id: f.orgId }))).toBe("NOT_FOUND");
    const session = await as(f.people.man);
    expect(await errorCode(session.organization.get({ id: 0 }))).toBe("NOT_FOUND");
    expect((await session.auth.me()).active_organization).toBeNull();
    expect(await errorCode((await as(f.people.admin)).member.get({ id: 0, user_id: f.people.man.userId }))).toBe("NOT_FOUND");
    expect(await errorCode((await as(f.people.admin)).member.remove({ id: 0, user_id: f.people.man.userId }))).toBe("NOT_FOUND");
    expect(await (await as(f.people.owner)).organization.get({ id: 0 })).toMatchObject({ seats_used: 2 });

    const { token } = await (await as(f.people.owner)).invite.get({ id: 0 });
    const back = await (await callerFor(db.orm)).auth.login({ email: f.people.man.email, password: SEED_PASSWORD, invite_token: token });
    expect(back.active_organization).toMatchObject({ id: f.orgId, role: "NO", status: "pending" });
  });

  it("ends the member's workspace and project memberships (here only), so a returning member regains none of that access", async () => {
    const f = await seedOrganization(db.orm, { owner: "owner", ann: "annotator" });
    const elsewhere = await seedOrganization(db.orm, { owner: "owner" });
    const owner = await as(f.people.owner);
    const ws = await owner.workspace.create({ title: "Team" });
    const other = await owner.workspace.create({ title: "Other" });
    const inTeam = await owner.project.create({ title: "In the team", workspace: ws.id });
    const invited = await owner.project.create({ title: "Invited", workspace: other.id });
    await owner.workspace.addMember({ id: ws.id, user_id: f.people.ann.userId });
    await owner.project.addMember({ id: invited.id, user_id: f.people.ann.userId });
    const annotator = await as(f.people.ann);
    expect((await annotator.project.list({ filter: "all", page: 1, page_size: 30 })).results.map((p) => p.title).sort()).toEqual(["In the team", "Invited"]);
    // The same person's ties in another organization are not this removal's business.
    const em = db.orm.em.fork();
    const [elsewhereWs] = await em.execute<{ id: number }[]>(
      `insert into workspaces (organization_id, title, is_sandbox, created_by_id, created_at, updated_at) values (?, 'Theirs', false, ?, now(), now()) returning id`,
      [elsewhere.orgId, elsewhere.people.owner.userId],
    );
    await em.execute(`insert into memberships (organization_id, user_id, role, status, source, created_at, updated_at) values (?, ?, 'annotator', 'active', 'manual', now(), now())`, [
      elsewhere.orgId,
      f.people.ann.userId,
    ]);
    await em.execute(`insert into workspace_members (organization_id, workspace_id, user_id, source, created_at) values (?, ?, ?, 'manual', now())`, [
      elsewhere.orgId,
      elsewhereWs!.id,
      f.people.ann.userId,
    ]);
    const ties = async (orgId: number) => {
      const [row] = await em.execute<{ workspaces: string; projects: string }[]>(
        `select (select count(*) from workspace_members where organization_id = ? and user_id = ?) as workspaces,
                (select count(*) from project_members where organization_id = ? and user_id = ?) as projects`,
        [orgId, f.people.ann.userId, orgId, f.people.ann.userId],
      );
      return { workspaces: Number(row!.workspaces), projects: Number(row!.projects) };
    };
    expect(await ties(f.orgId)).toEqual({ workspaces: 1, projects: 1 });

    await owner.member.remove({ id: 0, user_id: f.people.ann.userId });
    expect(await ties(f.orgId)).toEqual({ workspaces: 0, projects: 0 });
    expect(await ties(elsewhere.orgId)).toEqual({ workspaces: 1, projects: 0 });
    expect((await owner.workspace.members({ id: ws.id })).map((m) => m.id)).not.toContain(f.people.ann.userId);
    expect((await owner.project.members({ id: invited.id })).map((m) => m.id)).not.toContain(f.people.ann.userId);

    // Invited again and activated with the same role: a fresh start, no old project in sight.
    const { token } = await owner.invite.get({ id: 0 });
    await (await callerFor(db.orm)).auth.login({ email: f.people.ann.email, password: SEED_PASSWORD, invite_token: token });
    expect((await owner.member.update({ id: 0, user_id: f.people.ann.userId, role: "AN" })).status).toBe("active");
    const back = await as(f.people.ann);
    expect((await back.project.list({ filter: "all", page: 1, page_size: 30 })).count).toBe(0);
    expect(await errorCode(back.project.get({ id: inTeam.id }))).toBe("NOT_FOUND");
  });
});
