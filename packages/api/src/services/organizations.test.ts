// Which organization a call is about: `0` (the active one), switching, other organizations
// (NOT_FOUND, never their data), the token's own organization, and creating organizations.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  activityLogs,
  callerFor,
  createTestDatabase,
  errorCode,
  procedureAt,
  procedures,
  refusal,
  seedOrganization,
  SEED_PASSWORD,
  type SeededPerson,
  type TestConfig,
  type TestDatabase,
} from "../testing/index.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.close();
});

const as = (p: SeededPerson, config?: TestConfig) => callerFor(db.orm, { cookies: p.cookies, config });

/** Procedures that take an organization id. */
const ORG_SCOPED = procedures().flatMap(({ path, meta }) => (meta?.orgParam ? [{ path, param: meta.orgParam }] : []));

/** Everything in the database that belongs to `orgId`, as text (to check that a refusal changed nothing). */
async function orgState(orgId: number) {
  const [row] = await db.orm.em.fork().execute<{ s: unknown }[]>(
    `select json_build_array(
       (select row_to_json(o) from organizations o where id = ?),
       (select json_agg(json_build_array(user_id, role, status) order by user_id) from memberships where organization_id = ?),
       (select json_agg(json_build_array(id, revoked_at) order by id) from api_tokens where organization_id = ?),
       (select count(*) from activity_logs where organization_id = ?)) as s`,
    [orgId, orgId, orgId, orgId],
  );
  return JSON.stringify(row!.s);
}

describe("id 0 and switching", () => {
  it("0 means the active organization, and organization.switch changes it", async () => {
    const a = await seedOrganization(db.orm, { owner: "owner" }, { title: "Alpha" });
    const b = await seedOrganization(db.orm, { owner: "owner", pend: "pending" }, { title: "Beta" });
    const olive = a.people.owner;
    // Olive joins Beta through its link and is activated there as annotator.
    const { token: link } = await (await as(b.people.owner)).invite.get({ id: 0 });
    await (await callerFor(db.orm)).auth.login({ email: olive.email, password: SEED_PASSWORD, invite_token: link });
    await (await as(b.people.owner)).member.update({ id: 0, user_id: olive.userId, role: "AN" });
    // Signing in through the link made Beta active; switch back to Alpha.
    expect((await (await as(olive)).organization.switch({ id: a.orgId })).title).toBe("Alpha");

    expect((await (await as(olive)).organization.get({ id: 0 })).title).toBe("Alpha");
    expect((await (await as(olive)).member.list({ id: 0 })).count).toBe(1); // owner of Alpha
    expect(await (await as(olive)).organization.list()).toEqual([
      expect.objectContaining({ id: a.orgId, title: "Alpha" }),
      expect.objectContaining({ id: b.orgId, title: "Beta" }),
    ]);

    const logs = (await activityLogs(db.orm)).length;
    expect(await (await as(olive)).organization.switch({ id: b.orgId })).toMatchObject({ id: b.orgId, title: "Beta" });
    expect((await activityLogs(db.orm)).slice(logs)).toEqual([
      expect.objectContaining({ action: "organization.switch", organization_id: b.orgId, changes: { active_organization: { before: a.orgId, after: b.orgId } } }),
    ]);
    expect((await (await as(olive)).organization.get({ id: 0 })).title).toBe("Beta");
    expect((await (await as(olive)).auth.me()).active_organization).toEqual({ id: b.orgId, title: "Beta", role: "AN", status: "active" });
    // In Beta she is an annotator: the People page is refused there, and still hers in Alpha by id.
    expect(await errorCode((await as(olive)).member.list({ id: 0 }))).toBe("FORBIDDEN");
    expect((await (await as(olive)).member.list({ id: a.orgId })).count).toBe(1);
    // Switching to the active organization again changes nothing and logs nothing.
    const again = (await activityLogs(db.orm)).length;
    await (await as(olive)).organization.switch({ id: 0 });
    expect((await activityLogs(db.orm)).length).toBe(again);

    // A pending member may switch to the organization (to see the waiting state), a stranger gets NOT_FOUND.
    expect(await (await as(b.people.pend)).organization.switch({ id: b.orgId })).toMatchObject({ id: b.orgId });
    expect((await (await as(b.people.pend)).auth.me()).active_organization).toMatchObject({ id: b.orgId, role: "NO", status: "pending" });
    expect(await errorCode((await as(b.people.owner)).organization.switch({ id: a.orgId }))).toBe("NOT_FOUND");
  });
});

describe("another organization", () => {
  it("is NOT_FOUND for every organization-scoped procedure, with no data and no change", async () => {
    expect(ORG_SCOPED.map((p) => p.path)).toEqual(
      expect.arrayContaining(["organization.get", "organization.update", "invite.get", "invite.reset", "member.list", "member.get", "member.update", "member.patch", "member.remove", "member.transferOwnership"]),
    );
    const a = await seedOrganization(db.orm, { owner: "owner", admin: "administrator" }, { title: "Alpha" });
    const b = await seedOrganization(db.orm, { owner: "owner", admin: "administrator", pend: "pending" }, { title: "Secret Beta" });
    const before = await orgState(b.orgId);
    for (const who of [a.people.owner, a.people.admin]) {
      for (const { path, param } of ORG_SCOPED) {
        for (const orgId of [b.orgId, 2_000_000_000]) {
          // A superset of every procedure's input, aimed at Beta's members.
          const input = { [param]: orgId, user_id: b.people.admin.userId, role: "AN", title: "Hijacked", seat_limit: 1 };
          for (const caller of [await as(who), await callerFor(db.orm, { token: who.token })]) {
            const err = await refusal(procedureAt(caller, path)(input));
            expect(`${path} ${orgId}: ${err.code}`).toBe(`${path} ${orgId}: NOT_FOUND`);
            // The same answer whether the organization exists or not: nothing to learn from it.
            expect(err.message).toBe("Organization not found.");
            expect(JSON.stringify(err)).not.toContain("Secret Beta");
          }
        }
      }
    }
    expect(await orgState(b.orgId)).toBe(before);
  });

  it("members, tokens and invitations of another organization are NOT_FOUND from one's own", async () => {
    const a = await seedOrganization(db.orm, { owner: "owner" });
    const b = await seedOrganization(db.orm, { owner: "owner", admin: "administrator", pend: "pending" });
    const before = await orgState(b.orgId);
    const owner = await as(a.people.owner);
    for (const target of [b.people.owner, b.people.admin, b.people.pend]) {
      expect(await errorCode(owner.member.get({ id: 0, user_id: target.userId }))).toBe("NOT_FOUND");
      expect(await errorCode(owner.member.update({ id: 0, user_id: target.userId, role: "AN" }))).toBe("NOT_FOUND");
      expect(await errorCode(owner.member.patch({ id: 0, user_id: target.userId, role: "DI" }))).toBe("NOT_FOUND");
      expect(await errorCode(owner.member.remove({ id: 0, user_id: target.userId }))).toBe("NOT_FOUND");
      expect(await errorCode(owner.member.transferOwnership({ id: 0, user_id: target.userId }))).toBe("NOT_FOUND");
      expect(await errorCode(owner.token.revoke({ id: target.tokenId }))).toBe("NOT_FOUND");
    }
    const list = await owner.member.list({ id: 0, page_size: 100 });
    expect(list.results.map((m) => m.user.id)).toEqual([a.people.owner.userId]);
    expect((await owner.token.list()).map((t) => t.id)).toEqual([a.people.owner.tokenId]);
    expect(await orgState(b.orgId)).toBe(before);
  });
});

describe("an API token", () => {
  it("works only for its own organization, whatever the active one", async () => {
    const a = await seedOrganization(db.orm, { owner: "owner" }, { title: "Alpha" });
    const b = await seedOrganization(db.orm, { owner: "owner" }, { title: "Beta" });
    // Alpha's owner is also Beta's administrator, and Beta is her active organization.
    const olive = a.people.owner;
    await db.orm.em.fork().execute(
      `insert into memberships (organization_id, user_id, role, status, source, created_at, updated_at) values (?, ?, 'administrator', 'active', 'manual', now(), now())`,
      [b.orgId, olive.userId],
    );
    await (await as(olive)).organization.switch({ id: b.orgId });
    expect((await (await as(olive)).organization.get({ id: 0 })).title).toBe("Beta");

    const viaToken = await callerFor(db.orm, { token: olive.token });
    expect((await viaToken.organization.get({ id: 0 })).title).toBe("Alpha");
    expect((await viaToken.organization.get({ id: a.orgId })).title).toBe("Alpha");
    expect(await errorCode(viaToken.organization.get({ id: b.orgId }))).toBe("NOT_FOUND");
    expect(await errorCode(viaToken.member.list({ id: b.orgId }))).toBe("NOT_FOUND");
    expect(await errorCode(viaToken.organization.switch({ id: b.orgId }))).toBe("NOT_FOUND");
    expect((await viaToken.member.list({ id: 0 })).results.map((m) => m.user.id)).toEqual([olive.userId]);
    // Who am I, and which organizations: through the token, its organization only.
    const me = await viaToken.auth.me();
    expect(me.active_organization).toEqual({ id: a.orgId, title: "Alpha", role: "OW", status: "active" });
    expect(me.organizations.map((o) => o.title)).toEqual(["Alpha"]);
    expect((await viaToken.organization.list()).map((o) => o.title)).toEqual(["Alpha"]);
    expect((await (await as(olive)).organization.list()).map((o) => o.title)).toEqual(["Alpha", "Beta"]);
    // Tokens listed and created through a token are the token's organization's.
    expect((await viaToken.token.list()).map((t) => t.id)).toEqual([olive.tokenId]);
    const made = await viaToken.token.create({ name: "from a script" });
    const [row] = await db.orm.em.fork().execute<{ organization_id: number }[]>(`select organization_id from api_tokens where id = ?`, [made.id]);
    expect(row!.organization_id).toBe(a.orgId);
    // And through the session, Beta's token list does not hold them.
    expect((await (await as(olive)).token.list()).map((t) => t.id)).toEqual([]);
  });
});

describe("creating organizations", () => {
  it("is refused unless LATTICE_MULTI_ORG allows several", async () => {
    const f = await seedOrganization(db.orm, { owner: "owner", ann: "annotator" });
    const logs = (await activityLogs(db.orm)).length;
    const err = await refusal((await as(f.people.ann)).organization.create({ title: "Mine" }));
    expect(err.code).toBe("FORBIDDEN");
    expect(err.message).toMatch(/LATTICE_MULTI_ORG/);
    expect((await activityLogs(db.orm)).length).toBe(logs);

    const multi = { LATTICE_MULTI_ORG: true };
    const created = await (await as(f.people.ann, multi)).organization.create({ title: "Mine" });
    expect(created.title).toBe("Mine");
    // The creator owns it, it becomes active, and it has the creator's sandbox.
    const me = await (await as(f.people.ann, multi)).auth.me();
    expect(me.active_organization).toEqual({ id: created.id, title: "Mine", role: "OW", status: "active" });
    expect(me.organizations.map((o) => o.id)).toEqual([f.orgId, created.id]);
    const [sandbox] = await db.orm.em
      .fork()
      .execute<{ n: string }[]>(`select count(*) as n from workspaces where organization_id = ? and is_sandbox and sandbox_user_id = ?`, [created.id, f.people.ann.userId]);
    expect(sandbox!.n).toBe("1");
    expect((await activityLogs(db.orm)).slice(logs)).toEqual([
      expect.objectContaining({ action: "organization.create", organization_id: created.id, actor_id: f.people.ann.userId }),
    ]);
    // Still an annotator in the first one.
    expect(await errorCode((await as(f.people.ann, multi)).member.list({ id: f.orgId }))).toBe("FORBIDDEN");
  });
});

describe("the invitation link", () => {
  it("is issued once even when several administrators open it at the same moment", async () => {
    const f = await seedOrganization(db.orm, { owner: "owner", a1: "administrator", a2: "administrator" });
    const logs = (await activityLogs(db.orm)).length;
    const links = await Promise.all([f.people.owner, f.people.a1, f.people.a2, f.people.owner, f.people.a1].map(async (p) => (await as(p)).invite.get({ id: 0 })));
    expect(new Set(links.map((l) => l.token)).size).toBe(1);
    expect((await activityLogs(db.orm)).slice(logs).map((l) => l.action)).toEqual(["invite.manage"]);
    const joined = await (await callerFor(db.orm)).auth.signup({ email: "joiner@example.com", password: "long enough", invite_token: links[0]!.token });
    expect(joined.active_organization).toMatchObject({ id: f.orgId, status: "pending" });
  });
});
