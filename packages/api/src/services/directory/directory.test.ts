// The reconciler with the SCIM source's tables (no HTTP), the guard, dry runs, and the
// "directory is authoritative" switches refusing manual changes to what the directory manages.
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, createTestDatabase, errorCode, refusal, seedOrganization, type Caller, type TestDatabase } from "../../testing/index.js";
import { reconcile } from "./reconcile.js";
import { decryptSecret, encryptSecret } from "./settings.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

/** Write a SCIM-source directory: users (by e-mail) and groups (name → member e-mails). */
async function directory(orgId: number, users: { email: string; active?: boolean; name?: string }[], groups: Record<string, string[]>) {
  const em = db.orm.em.fork();
  await em.execute(`delete from directory_groups where organization_id = ?`, [orgId]);
  await em.execute(`delete from directory_users where organization_id = ?`, [orgId]);
  const ids = new Map<string, string>();
  for (const u of users) {
    const id = randomUUID();
    ids.set(u.email, id);
    await em.execute(
      `insert into directory_users (id, organization_id, source, user_name, user_name_key, email, active, display_name, created_at, updated_at) values (?, ?, 'scim', ?, ?, ?, ?, ?, now(), now())`,
      [id, orgId, u.email, u.email, u.email, u.active ?? true, u.name ?? ""],
    );
  }
  for (const [name, members] of Object.entries(groups)) {
    const gid = randomUUID();
    await em.execute(`insert into directory_groups (id, organization_id, source, display_name, created_at, updated_at) values (?, ?, 'scim', ?, now(), now())`, [gid, orgId, name]);
    for (const e of members) await em.execute(`insert into directory_group_members (organization_id, group_id, user_id) values (?, ?, ?)`, [orgId, gid, ids.get(e)]);
  }
}

async function setup() {
  const org = await seedOrganization(db.orm, { owner: "owner", admin: "administrator", manager: "manager", manual: "annotator" });
  const owner = await callerFor(db.orm, { cookies: org.people.owner.cookies });
  const ws = (await owner.workspace.create({ id: org.orgId, title: "Mapped" } as never)) as { id: number };
  const other = (await owner.workspace.create({ id: org.orgId, title: "Not mapped" } as never)) as { id: number };
  const [pr] = await db.orm.em.fork().execute<{ id: number }[]>(
    `insert into projects (organization_id, workspace_id, title, description, label_config, settings, created_by_id, task_count, created_at, updated_at)
     values (?, ?, 'P', '', '', '{}'::jsonb, ?, 0, now(), now()) returning id`,
    [org.orgId, ws.id, org.people.owner.userId],
  );
  await owner.directory.updateSettings({
    id: org.orgId,
    mappings: {
      roles: [
        { group: "admins", role: "administrator" },
        { group: "staff", role: "annotator" },
        { group: "leads", role: "manager" },
      ],
      workspaces: [{ group: "staff", workspace: ws.id }],
      projects: [{ group: "staff", project: pr!.id, role: "annotator" }],
    },
  });
  return { org, owner, ws: ws.id, other: other.id, project: pr!.id };
}

async function memberOf(orgId: number, email: string) {
  const [m] = await db.orm.em.fork().execute<{ user_id: number; role: string | null; status: string; source: string }[]>(
    `select m.user_id, m.role, m.status, m.source from memberships m join users u on u.id = m.user_id where m.organization_id = ? and u.email = ?`,
    [orgId, email],
  );
  return m;
}

describe("the reconciler", () => {
  it("the highest mapped role wins; users in no mapped role group are deactivated; inactive users too", async () => {
    const { org } = await setup();
    await directory(org.orgId, [{ email: "a@d.test" }, { email: "b@d.test" }, { email: "c@d.test", active: false }, { email: "d@d.test" }], {
      staff: ["a@d.test", "b@d.test", "c@d.test"],
      leads: ["a@d.test"],
      admins: [],
      other: ["d@d.test"],
    });
    const r = await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim" });
    expect(r.status).toBe("applied");
    expect(await memberOf(org.orgId, "a@d.test")).toMatchObject({ role: "manager", status: "active", source: "scim" });
    expect(await memberOf(org.orgId, "b@d.test")).toMatchObject({ role: "annotator", status: "active" });
    // Not created: inactive, or in no mapped role group.
    expect(await memberOf(org.orgId, "c@d.test")).toBeUndefined();
    expect(await memberOf(org.orgId, "d@d.test")).toBeUndefined();
    // Sandboxes come with the memberships.
    const [sb] = await db.orm.em.fork().execute<{ n: string }[]>(
      `select count(*) as n from workspaces w join users u on u.id = w.sandbox_user_id where w.organization_id = ? and w.is_sandbox and u.email in ('a@d.test', 'b@d.test')`,
      [org.orgId],
    );
    expect(Number(sb!.n)).toBe(2);
    // The activity log records the run.
    const logs = await db.orm.em.fork().execute<{ action: string }[]>(`select action from activity_logs where organization_id = ? and action = 'directory.sync'`, [org.orgId]);
    expect(logs).toHaveLength(1);
  });

  it("the owner is never changed, even in the directory with a mapped group", async () => {
    const { org } = await setup();
    await directory(org.orgId, [{ email: org.people.owner.email }, { email: "x@d.test" }], { staff: [org.people.owner.email, "x@d.test"] });
    const r = await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim" });
    expect(r.status).toBe("applied");
    expect(await memberOf(org.orgId, org.people.owner.email)).toMatchObject({ role: "owner", status: "active", source: "manual" });
  });

  it("manual memberships are left alone unless the directory is authoritative for roles", async () => {
    const { org, owner } = await setup();
    await directory(org.orgId, [{ email: org.people.manual.email }, { email: "y@d.test" }], { leads: [org.people.manual.email, "y@d.test"] });
    await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim" });
    expect(await memberOf(org.orgId, org.people.manual.email)).toMatchObject({ role: "annotator", source: "manual" });
    await owner.directory.updateSettings({ id: org.orgId, authoritative_roles: true });
    const r = await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim" });
    expect(r.counts.adopt).toBe(1);
    expect(await memberOf(org.orgId, org.people.manual.email)).toMatchObject({ role: "manager", source: "scim" });
  });

  it("a dry run returns the plan and applies nothing; the guard holds mass deactivation; approval applies it", async () => {
    const { org, owner } = await setup();
    const people = Array.from({ length: 10 }, (_, i) => ({ email: `g${i}@d.test` }));
    await directory(org.orgId, people, { staff: people.map((p) => p.email) });
    expect((await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim" })).counts.activate).toBe(10);
    // Two of ten leave the group: 20% > 10%.
    await directory(org.orgId, people, { staff: people.slice(2).map((p) => p.email) });
    const dry = await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim", dryRun: true });
    expect(dry.status).toBe("planned");
    expect(dry.plan.deactivate.map((d) => d.email).sort()).toEqual(["g0@d.test", "g1@d.test"]);
    expect(dry.plan.workspace_leave).toHaveLength(2);
    expect(dry.plan.project_leave).toHaveLength(2);
    const held = await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim" });
    expect(held.status).toBe("needs_approval");
    expect(await memberOf(org.orgId, "g0@d.test")).toMatchObject({ status: "active" });
    // Only administrators and the owner may approve.
    const manager = await callerFor(db.orm, { cookies: org.people.manager.cookies });
    expect(await errorCode(manager.directory.approveRun({ id: org.orgId, run_id: held.runId }))).toBe("FORBIDDEN");
    const admin = await callerFor(db.orm, { cookies: org.people.admin.cookies });
    const { run_id } = await admin.directory.approveRun({ id: org.orgId, run_id: held.runId });
    expect(await errorCode(admin.directory.approveRun({ id: org.orgId, run_id: held.runId }))).toBe("CONFLICT");
    const applied = await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim", approvedRunId: held.runId, runId: run_id });
    expect(applied.status).toBe("applied");
    expect(await memberOf(org.orgId, "g0@d.test")).toMatchObject({ status: "deactivated", role: null });
    // A raised threshold lets the same share through without approval.
    await owner.directory.updateSettings({ id: org.orgId, guard_threshold: 0.5 });
    await directory(org.orgId, people, { staff: people.slice(4).map((p) => p.email) });
    expect((await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim" })).status).toBe("applied");
    const runs = await owner.directory.runs({ id: org.orgId });
    expect(runs.results.map((r) => r.status)).toEqual(expect.arrayContaining(["applied", "planned", "approved"]));
  });

  it("respects the seat limit: activations past it are left out, most elevated roles first, and listed in the plan", async () => {
    const org = await seedOrganization(db.orm, { owner: "owner", a: "annotator" }, { seatLimit: 4 });
    const owner = await callerFor(db.orm, { cookies: org.people.owner.cookies });
    await owner.directory.updateSettings({ id: org.orgId, mappings: { roles: [{ group: "staff", role: "annotator" }, { group: "leads", role: "manager" }], workspaces: [], projects: [] } });
    await directory(org.orgId, [{ email: "s1@d.test" }, { email: "s2@d.test" }, { email: "s3@d.test" }, { email: "l1@d.test" }], { staff: ["s1@d.test", "s2@d.test", "s3@d.test"], leads: ["l1@d.test"] });
    const r = await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim" });
    expect(r.status).toBe("applied");
    expect(r.plan.activate.map((a) => a.email)).toEqual(expect.arrayContaining(["l1@d.test", "s1@d.test"]));
    expect(r.plan.skipped_no_seat.map((a) => a.email)).toEqual(["s2@d.test", "s3@d.test"]);
    expect(await memberOf(org.orgId, "l1@d.test")).toMatchObject({ role: "manager", status: "active" });
    expect(await memberOf(org.orgId, "s3@d.test")).toBeUndefined();
    const [n] = await db.orm.em.fork().execute<{ n: string }[]>(`select count(*) as n from memberships where organization_id = ? and status = 'active'`, [org.orgId]);
    expect(Number(n!.n)).toBe(4);
  });

  it("an empty directory is held for approval", async () => {
    const { org } = await setup();
    await directory(org.orgId, [{ email: "e@d.test" }], { staff: ["e@d.test"] });
    await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim" });
    await directory(org.orgId, [], {});
    const r = await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim" });
    expect(r.status).toBe("needs_approval");
    expect(await memberOf(org.orgId, "e@d.test")).toMatchObject({ status: "active" });
  });
});

describe("the guard", () => {
  it("the first run after roles become authoritative is held: the manual members it would deactivate count as directory-managed", async () => {
    const { org, owner } = await setup();
    await owner.directory.updateSettings({ id: org.orgId, authoritative_roles: true });
    // The directory knows the administrator and the manager, but in no group that maps a role.
    const { admin, manager, manual } = org.people;
    await directory(org.orgId, [{ email: admin.email }, { email: manager.email }, { email: manual.email }], { staff: [manual.email], other: [admin.email, manager.email] });
    const r = await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim" });
    expect(r.status).toBe("needs_approval");
    expect(r.counts).toMatchObject({ deactivate: 2, managed_active: 3 });
    expect(r.reason).toMatch(/would deactivate 2 of 3 directory-managed members/);
    expect(await memberOf(org.orgId, admin.email)).toMatchObject({ role: "administrator", status: "active", source: "manual" });
  });

  it("a renamed group is held: workspace and project removals count against the directory-managed memberships", async () => {
    const { org, owner, ws, project } = await setup();
    const { manual } = org.people;
    // A member added by hand before the directory became authoritative for the workspace.
    await owner.workspace.addMember({ id: ws, user_id: manual.userId });
    await owner.directory.updateSettings({ id: org.orgId, authoritative_workspaces: true, authoritative_projects: true });
    const people = Array.from({ length: 10 }, (_, i) => ({ email: `w${i}@d.test` }));
    const emails = people.map((p) => p.email);
    await directory(org.orgId, [...people, { email: manual.email }], { leads: emails, staff: [...emails, manual.email] });
    const first = await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim" });
    expect(first).toMatchObject({ status: "applied", counts: { workspace_join: 10, project_join: 11 } });
    const count = async (sql: string, id: number) => Number((await db.orm.em.fork().execute<{ n: string }[]>(sql, [id]))[0]!.n);
    const wsMembers = () => count(`select count(*) as n from workspace_members where workspace_id = ?`, ws);
    const prMembers = () => count(`select count(*) as n from project_members where project_id = ? and direct`, project);
    expect([await wsMembers(), await prMembers()]).toEqual([11, 11]);

    // The identity provider renames "staff": the roles (from "leads") stay, the mapped workspace and project would empty.
    await directory(org.orgId, [...people, { email: manual.email }], { leads: emails, "staff (renamed)": [...emails, manual.email] });
    const r = await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim" });
    expect(r.status).toBe("needs_approval");
    expect(r.counts).toMatchObject({ deactivate: 0, workspace_leave: 11, managed_workspace_members: 11, project_leave: 11, managed_project_members: 11 });
    expect(r.reason).toMatch(/remove 11 of 11 directory-managed workspace memberships/);
    expect(r.reason).toMatch(/remove 11 of 11 directory-managed project memberships/);
    expect([await wsMembers(), await prMembers()]).toEqual([11, 11]);

    // One of them leaving the group is within the threshold (1 of 11).
    await directory(org.orgId, [...people, { email: manual.email }], { leads: emails, staff: [...emails.slice(1), manual.email] });
    const one = await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim" });
    expect(one).toMatchObject({ status: "applied", counts: { workspace_leave: 1, project_leave: 1 } });
  });

  it("groups grant only the roles the instance's edition assigns, whatever mappings were saved", async () => {
    const { org, owner } = await setup();
    await owner.directory.updateSettings({ id: org.orgId, mappings: { roles: [{ group: "staff", role: "annotator" }, { group: "leads", role: "manager" }], workspaces: [], projects: [] } });
    await directory(org.orgId, [{ email: "t1@d.test" }, { email: "t2@d.test" }], { staff: ["t1@d.test", "t2@d.test"], leads: ["t2@d.test"] });
    const r = await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim", edition: "teams" });
    expect(r.plan.activate.map((a) => [a.email, a.role])).toEqual([["t2@d.test", "manager"]]);
    expect(await memberOf(org.orgId, "t1@d.test")).toBeUndefined();
  });

  it("an approval applies no more than the run approved: a directory that shrank further since is held again", async () => {
    const { org, owner } = await setup();
    const people = Array.from({ length: 10 }, (_, i) => ({ email: `a${i}@d.test` }));
    await directory(org.orgId, people, { staff: people.map((p) => p.email) });
    expect((await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim" })).status).toBe("applied");
    await directory(org.orgId, people, { staff: people.slice(2).map((p) => p.email) });
    const held = await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim" });
    expect(held).toMatchObject({ status: "needs_approval", counts: { deactivate: 2 } });
    const { run_id } = await owner.directory.approveRun({ id: org.orgId, run_id: held.runId });
    // Before the worker runs the approval, three more leave.
    await directory(org.orgId, people, { staff: people.slice(5).map((p) => p.email) });
    const forced = await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim", approvedRunId: held.runId, runId: run_id });
    expect(forced.status).toBe("needs_approval");
    expect(forced.counts.deactivate).toBe(5);
    expect(forced.reason).toMatch(/directory changed since the run was approved/);
    expect(await memberOf(org.orgId, "a0@d.test")).toMatchObject({ status: "active" });
    expect((await owner.directory.run({ id: org.orgId, run_id })).status).toBe("needs_approval");
    // That run, approved in turn, applies; and so does one that does less than the run approved.
    const { run_id: again } = await owner.directory.approveRun({ id: org.orgId, run_id: forced.runId });
    await directory(org.orgId, people, { staff: people.slice(4).map((p) => p.email) });
    expect((await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim", approvedRunId: forced.runId, runId: again })).status).toBe("applied");
    expect(await memberOf(org.orgId, "a3@d.test")).toMatchObject({ status: "deactivated" });
    expect(await memberOf(org.orgId, "a4@d.test")).toMatchObject({ status: "active" });
  });

  it("an approval never skips the empty-directory check, unless the run approved was held for it", async () => {
    const { org, owner } = await setup();
    const people = Array.from({ length: 10 }, (_, i) => ({ email: `e${i}@d.test` }));
    await directory(org.orgId, people, { staff: people.map((p) => p.email) });
    await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim" });
    await directory(org.orgId, people, { staff: people.slice(2).map((p) => p.email) });
    const held = await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim" });
    expect(held.status).toBe("needs_approval");
    const { run_id } = await owner.directory.approveRun({ id: org.orgId, run_id: held.runId });
    // The directory comes back empty before the approval runs.
    await directory(org.orgId, [], {});
    const forced = await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim", approvedRunId: held.runId, runId: run_id });
    expect(forced.status).toBe("needs_approval");
    expect(forced.reason).toMatch(/no users/);
    expect(await memberOf(org.orgId, "e5@d.test")).toMatchObject({ status: "active" });
    // Approving the empty directory's own hold applies it.
    const { run_id: emptied } = await owner.directory.approveRun({ id: org.orgId, run_id: forced.runId });
    expect((await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim", approvedRunId: forced.runId, runId: emptied })).status).toBe("applied");
    expect(await memberOf(org.orgId, "e5@d.test")).toMatchObject({ status: "deactivated" });
  });
});

describe("sync runs name places and people", () => {
  it("a preview's plan names the workspaces, projects and people (members by their Lattice name), with ids beside", async () => {
    const { org, ws, project } = await setup();
    const admin = await callerFor(db.orm, { cookies: org.people.admin.cookies });
    await directory(org.orgId, [{ email: "ada@d.test", name: "Ada Lovelace" }, { email: org.people.manual.email, name: "Directory Name" }], { staff: ["ada@d.test", org.people.manual.email] });
    // As when an administrator clicks "Preview sync": the run is recorded, then the worker reconciles it.
    const { run_id } = await admin.directory.syncScim({ id: org.orgId, dry_run: true });
    await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim", dryRun: true, runId: run_id });
    const run = await admin.directory.run({ id: org.orgId, run_id });
    expect(run.plan!.create).toEqual([{ email: "ada@d.test", name: "Ada Lovelace" }]);
    expect(run.plan!.activate).toEqual([{ email: "ada@d.test", name: "Ada Lovelace", user_id: null, role: "annotator", from: null }]);
    const joins = [...run.plan!.workspace_join].sort((a, b) => a.email.localeCompare(b.email));
    expect(joins).toEqual([
      { email: "ada@d.test", name: "Ada Lovelace", user_id: null, workspace: ws, workspace_title: "Mapped" },
      // Already a member: the name the organization knows, not the directory's.
      { email: org.people.manual.email, name: "manual", user_id: org.people.manual.userId, workspace: ws, workspace_title: "Mapped" },
    ]);
    expect(run.plan!.project_join.map((j) => [j.email, j.name, j.project, j.project_title, j.role]).sort()).toEqual([
      ["ada@d.test", "Ada Lovelace", project, "P", "annotator"],
      [org.people.manual.email, "manual", project, "P", "annotator"],
    ]);
    expect(run.requested_by).toEqual({ id: org.people.admin.userId, name: "admin", email: org.people.admin.email });
    expect(run.approved_by).toBeNull();
    expect(run.approved_at).toBeNull();
  });

  it("a workspace or project deleted since, or of another organization, has no title (and the run still reads)", async () => {
    const { org, owner, ws, project } = await setup();
    const otherOrg = await setup();
    await directory(org.orgId, [{ email: "del@d.test", name: "Del" }], { staff: ["del@d.test"] });
    const r = await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim", dryRun: true });
    const em = db.orm.em.fork();
    await em.execute(`delete from projects where id = ?`, [project]);
    await em.execute(`delete from workspaces where id = ?`, [ws]);
    const run = await owner.directory.run({ id: org.orgId, run_id: r.runId });
    expect(run.plan!.workspace_join).toEqual([{ email: "del@d.test", name: "Del", user_id: null, workspace: ws, workspace_title: null }]);
    expect(run.plan!.project_join).toEqual([{ email: "del@d.test", name: "Del", user_id: null, project, project_title: null, role: "annotator" }]);
    // Ids of another organization in a plan are not named (nor is its member).
    const foreign = { workspace_join: [{ email: "x@d.test", user_id: otherOrg.org.people.manual.userId, workspace: otherOrg.ws }], project_join: [{ email: "x@d.test", user_id: null, project: otherOrg.project, role: "annotator" }] };
    await em.execute(`update sync_runs set plan = ?::jsonb where id = ?`, [JSON.stringify(foreign), r.runId]);
    const mixed = await owner.directory.run({ id: org.orgId, run_id: r.runId });
    expect(mixed.plan!.workspace_join).toEqual([{ email: "x@d.test", name: null, user_id: otherOrg.org.people.manual.userId, workspace: otherOrg.ws, workspace_title: null }]);
    expect(mixed.plan!.project_join[0]).toMatchObject({ project: otherOrg.project, project_title: null });
    expect(mixed.plan!.create).toEqual([]);
    // A run of this organization is not found from another one.
    expect(await errorCode(otherOrg.owner.directory.run({ id: otherOrg.org.orgId, run_id: r.runId }))).toBe("NOT_FOUND");
    expect(await errorCode(otherOrg.owner.directory.approveRun({ id: otherOrg.org.orgId, run_id: r.runId }))).toBe("NOT_FOUND");
  });

  it("runs say who requested them and who approved them; scheduled and pushed runs, and deleted accounts, name nobody", async () => {
    const { org, owner } = await setup();
    const admin = await callerFor(db.orm, { cookies: org.people.admin.cookies });
    const people = Array.from({ length: 4 }, (_, i) => ({ email: `h${i}@d.test` }));
    await directory(org.orgId, people, { staff: people.map((p) => p.email) });
    // A run pushed by SCIM changes (no requester).
    const pushed = await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim", trigger: "scim" });
    expect(pushed.status).toBe("applied");
    // Three of four leave: the run the administrator asks for is held.
    await directory(org.orgId, people, { staff: [people[0]!.email] });
    const { run_id: held } = await admin.directory.syncScim({ id: org.orgId, dry_run: false });
    expect((await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim", runId: held })).status).toBe("needs_approval");
    const { run_id: forced } = await owner.directory.approveRun({ id: org.orgId, run_id: held });
    expect((await reconcile(db.orm.em, { organizationId: org.orgId, source: "scim", approvedRunId: held, runId: forced })).status).toBe("applied");

    const adminRef = { id: org.people.admin.userId, name: "admin", email: org.people.admin.email };
    const ownerRef = { id: org.people.owner.userId, name: "owner", email: org.people.owner.email };
    const { results } = await owner.directory.runs({ id: org.orgId });
    const byId = new Map(results.map((r) => [r.id, r]));
    expect(byId.get(pushed.runId)).toMatchObject({ requested_by: null, approved_by: null, approved_at: null });
    expect(byId.get(held)).toMatchObject({ status: "approved", requested_by: adminRef, approved_by: ownerRef });
    expect(byId.get(held)!.approved_at).toEqual(expect.any(String));
    expect(byId.get(forced)).toMatchObject({ status: "applied", trigger: "approval", requested_by: ownerRef, approved_by: ownerRef });
    expect(byId.get(held)).not.toHaveProperty("plan");
    // The applied run's activity entry names whoever asked for it.
    const [log] = await db.orm.em.fork().execute<{ actor_id: number | null }[]>(`select actor_id from activity_logs where action = 'directory.sync' and target_id = ?`, [forced]);
    expect(log?.actor_id).toBe(org.people.owner.userId);

    // A deleted account is no longer named.
    await db.orm.em.fork().execute(`delete from users where id = ?`, [org.people.admin.userId]);
    expect(await owner.directory.run({ id: org.orgId, run_id: held })).toMatchObject({ requested_by: null, approved_by: ownerRef });
  });
});

describe("directory is authoritative: manual changes refused", () => {
  let ctx: Awaited<ReturnType<typeof setup>>;
  let admin: Caller;
  let synced: number;
  beforeAll(async () => {
    ctx = await setup();
    admin = await callerFor(db.orm, { cookies: ctx.org.people.admin.cookies });
    await directory(ctx.org.orgId, [{ email: "s@d.test" }], { staff: ["s@d.test"] });
    await reconcile(db.orm.em, { organizationId: ctx.org.orgId, source: "scim" });
    synced = (await memberOf(ctx.org.orgId, "s@d.test"))!.user_id;
  });

  it("switches off: an administrator may still change a directory-managed member", async () => {
    await admin.member.update({ id: ctx.org.orgId, user_id: synced, role: "RE" });
    await admin.member.update({ id: ctx.org.orgId, user_id: synced, role: "AN" });
  });

  it("roles: role changes and removal of directory-managed members are refused; manual members are not", async () => {
    await ctx.owner.directory.updateSettings({ id: ctx.org.orgId, authoritative_roles: true });
    const e = await refusal(admin.member.update({ id: ctx.org.orgId, user_id: synced, role: "MA" }));
    expect(e.code).toBe("UNPROCESSABLE_CONTENT");
    expect(e.message).toMatch(/managed by the directory/);
    expect((await refusal(admin.member.update({ id: ctx.org.orgId, user_id: synced, role: "DI" }))).message).toMatch(/identity provider/);
    expect((await refusal(admin.member.remove({ id: ctx.org.orgId, user_id: synced }))).code).toBe("UNPROCESSABLE_CONTENT");
    await admin.member.update({ id: ctx.org.orgId, user_id: ctx.org.people.manual.userId, role: "RE" });
  });

  it("workspaces and projects: manual membership changes of mapped ones are refused", async () => {
    await admin.workspace.addMember({ id: ctx.ws, user_id: ctx.org.people.manual.userId });
    await admin.workspace.removeMember({ id: ctx.ws, user_id: ctx.org.people.manual.userId });
    await ctx.owner.directory.updateSettings({ id: ctx.org.orgId, authoritative_workspaces: true, authoritative_projects: true });
    expect((await refusal(admin.workspace.addMember({ id: ctx.ws, user_id: ctx.org.people.manual.userId }))).message).toMatch(/managed by the directory/);
    expect((await refusal(admin.workspace.removeMember({ id: ctx.ws, user_id: synced }))).code).toBe("UNPROCESSABLE_CONTENT");
    // A workspace no group maps stays manual.
    await admin.workspace.addMember({ id: ctx.other, user_id: ctx.org.people.manual.userId });
    expect((await refusal(admin.project.addMember({ id: ctx.project, user_id: ctx.org.people.manual.userId }))).message).toMatch(/managed by the directory/);
    expect((await refusal(admin.project.removeMember({ id: ctx.project, user_id: synced }))).code).toBe("UNPROCESSABLE_CONTENT");
  });
});

describe("what the directory manages is said on the objects", () => {
  let ctx: Awaited<ReturnType<typeof setup>>;
  let admin: Caller;
  let manager: Caller;
  let synced: number;
  let unmappedProject: number;
  beforeAll(async () => {
    ctx = await setup();
    admin = await callerFor(db.orm, { cookies: ctx.org.people.admin.cookies });
    manager = await callerFor(db.orm, { cookies: ctx.org.people.manager.cookies });
    await directory(ctx.org.orgId, [{ email: "s@d.test" }], { staff: ["s@d.test"] });
    await reconcile(db.orm.em, { organizationId: ctx.org.orgId, source: "scim" });
    synced = (await memberOf(ctx.org.orgId, "s@d.test"))!.user_id;
    // The manager belongs to both workspaces, so may manage the members of their projects.
    for (const ws of [ctx.ws, ctx.other]) await admin.workspace.addMember({ id: ws, user_id: ctx.org.people.manager.userId });
    unmappedProject = (await manager.project.create({ title: "Unmapped", workspace: ctx.ws })).id;
  });

  /** Whether a write was refused because of the directory (422); any other refusal fails the test. */
  async function refusedByDirectory(call: Promise<unknown>): Promise<boolean> {
    try {
      await call;
      return false;
    } catch (err) {
      if (!(err instanceof TRPCError)) throw err;
      expect([err.code, err.message]).toEqual(["UNPROCESSABLE_CONTENT", expect.stringMatching(/managed by the directory/)]);
      return true;
    }
  }

  async function memberFlags() {
    const page = await admin.member.list({ id: ctx.org.orgId, page: 1, page_size: 100 });
    return Object.fromEntries(page.results.map((m) => [m.user.id, m.managed_by_directory]));
  }

  it("nothing is managed while the switches are off, though groups are mapped and the member came from the directory", async () => {
    expect((await memberOf(ctx.org.orgId, "s@d.test"))!.source).toBe("scim");
    expect(Object.values(await memberFlags()).every((f) => f === false)).toBe(true);
    expect((await manager.workspace.list()).map((w) => w.members_managed_by_directory).every((f) => f === false)).toBe(true);
    expect((await manager.project.get({ id: ctx.project })).members_managed_by_directory).toBe(false);
    expect(await refusedByDirectory(admin.member.update({ id: ctx.org.orgId, user_id: synced, role: "RE" }))).toBe(false);
  });

  it("members: managed_by_directory is true exactly for directory members under authoritative roles, and equals whether a change is refused", async () => {
    await ctx.owner.directory.updateSettings({ id: ctx.org.orgId, authoritative_roles: true });
    const flags = await memberFlags();
    expect(flags[synced]).toBe(true);
    expect(flags[ctx.org.people.manual.userId]).toBe(false);
    expect(flags[ctx.org.people.owner.userId]).toBe(false);
    expect((await admin.member.get({ id: ctx.org.orgId, user_id: synced })).managed_by_directory).toBe(true);
    for (const userId of [synced, ctx.org.people.manual.userId]) {
      expect(await refusedByDirectory(admin.member.update({ id: ctx.org.orgId, user_id: userId, role: "AN" }))).toBe(flags[userId]);
      expect(await refusedByDirectory(admin.member.update({ id: ctx.org.orgId, user_id: userId, role: "DI" }))).toBe(flags[userId]);
    }
    expect(await refusedByDirectory(admin.member.remove({ id: ctx.org.orgId, user_id: synced }))).toBe(true);
    // Changing one's role returns the row with the flag.
    expect((await admin.member.update({ id: ctx.org.orgId, user_id: ctx.org.people.manual.userId, role: "AN" })).managed_by_directory).toBe(false);
    await ctx.owner.directory.updateSettings({ id: ctx.org.orgId, authoritative_roles: false });
    expect((await memberFlags())[synced]).toBe(false);
  });

  it("workspaces: members_managed_by_directory is true exactly for mapped workspaces under authoritative workspaces, and equals whether a change is refused", async () => {
    await ctx.owner.directory.updateSettings({ id: ctx.org.orgId, authoritative_workspaces: true });
    // A manager learns it from the workspace, though they may not read the directory settings.
    expect(await errorCode(manager.directory.settings({ id: ctx.org.orgId }))).toBe("FORBIDDEN");
    const listed = new Map((await manager.workspace.list()).map((w) => [w.id, w.members_managed_by_directory]));
    expect([listed.get(ctx.ws), listed.get(ctx.other)]).toEqual([true, false]);
    expect((await manager.workspace.get({ id: ctx.ws })).members_managed_by_directory).toBe(true);
    expect((await manager.workspace.get({ id: ctx.other })).members_managed_by_directory).toBe(false);
    expect((await admin.workspace.update({ id: ctx.ws, description: "Staff" })).members_managed_by_directory).toBe(true);
    expect((await admin.workspace.create({ title: "New" })).members_managed_by_directory).toBe(false);
    for (const ws of [ctx.ws, ctx.other]) {
      expect(await refusedByDirectory(manager.workspace.addMember({ id: ws, user_id: ctx.org.people.manual.userId }))).toBe(listed.get(ws));
      expect(await refusedByDirectory(manager.workspace.removeMember({ id: ws, user_id: ctx.org.people.manual.userId }))).toBe(listed.get(ws));
    }
    await ctx.owner.directory.updateSettings({ id: ctx.org.orgId, authoritative_workspaces: false });
    expect((await manager.workspace.get({ id: ctx.ws })).members_managed_by_directory).toBe(false);
  });

  it("projects: members_managed_by_directory is true exactly for mapped projects under authoritative projects, and equals whether a change is refused", async () => {
    await ctx.owner.directory.updateSettings({ id: ctx.org.orgId, authoritative_projects: true });
    const mapped = await manager.project.get({ id: ctx.project });
    const unmapped = await manager.project.get({ id: unmappedProject });
    expect([mapped.members_managed_by_directory, unmapped.members_managed_by_directory]).toEqual([true, false]);
    // The workspace holding them is not mapped for that: the switches are separate.
    expect((await manager.workspace.get({ id: ctx.ws })).members_managed_by_directory).toBe(false);
    expect((await manager.project.update({ id: ctx.project, description: "Mapped" })).members_managed_by_directory).toBe(true);
    for (const p of [mapped, unmapped]) {
      expect(await refusedByDirectory(manager.project.addMember({ id: p.id, user_id: ctx.org.people.manual.userId }))).toBe(p.members_managed_by_directory);
      expect(await refusedByDirectory(manager.project.removeMember({ id: p.id, user_id: ctx.org.people.manual.userId }))).toBe(p.members_managed_by_directory);
    }
    await ctx.owner.directory.updateSettings({ id: ctx.org.orgId, authoritative_projects: false });
    expect((await manager.project.get({ id: ctx.project })).members_managed_by_directory).toBe(false);
  });
});

describe("directory settings", () => {
  it("refuses the owner role in mappings, and workspaces or projects of another organization", async () => {
    const { org, owner } = await setup();
    const otherOrg = await setup();
    expect(await errorCode(owner.directory.updateSettings({ id: org.orgId, mappings: { roles: [{ group: "g", role: "owner" as never }], workspaces: [], projects: [] } }))).toBe("BAD_REQUEST");
    expect(await errorCode(owner.directory.updateSettings({ id: org.orgId, mappings: { roles: [], workspaces: [{ group: "g", workspace: otherOrg.ws }], projects: [] } }))).toBe("BAD_REQUEST");
    expect(await errorCode(owner.directory.updateSettings({ id: org.orgId, guard_threshold: 2 }))).toBe("BAD_REQUEST");
    expect(await errorCode(owner.directory.updateSettings({ id: org.orgId, mappings: { roles: [{ group: "nul\u0000", role: "manager" }], workspaces: [], projects: [] } }))).toBe("BAD_REQUEST");
  });

  it("lets groups grant only the roles the instance's edition assigns", async () => {
    const { org } = await setup();
    const teams = await callerFor(db.orm, { cookies: org.people.owner.cookies, config: { LATTICE_EDITION: "teams" } });
    const refused = await refusal(teams.directory.updateSettings({ id: org.orgId, mappings: { roles: [{ group: "g", role: "reviewer" }], workspaces: [], projects: [] } }));
    expect(refused.code).toBe("UNPROCESSABLE_CONTENT");
    expect(refused.message).toContain("teams edition assigns only manager");
    await teams.directory.updateSettings({ id: org.orgId, mappings: { roles: [{ group: "g", role: "manager" }], workspaces: [], projects: [] } });
  });

  it("only administrators and the owner manage directory sync", async () => {
    const { org } = await setup();
    const manager = await callerFor(db.orm, { cookies: org.people.manager.cookies });
    expect(await errorCode(manager.directory.settings({ id: org.orgId }))).toBe("FORBIDDEN");
    expect(await errorCode(manager.directory.scimToken({ id: org.orgId }))).toBe("FORBIDDEN");
    const admin = await callerFor(db.orm, { cookies: org.people.admin.cookies });
    expect((await admin.directory.scimToken({ id: org.orgId })).token).toMatch(/^scim_/);
  });

  it("the LDAP bind password round-trips through AES-256-GCM and fails with another key", () => {
    const key = "k".repeat(40);
    const enc = encryptSecret(key, "hunter2");
    expect(enc).not.toContain("hunter2");
    expect(decryptSecret(key, enc)).toBe("hunter2");
    expect(() => decryptSecret("z".repeat(40), enc)).toThrow(/cannot be decrypted/);
  });
});
