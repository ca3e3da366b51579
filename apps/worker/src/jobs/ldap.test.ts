// LDAP sync against a real OpenLDAP server (Debian's slapd, started here on a free port and
// stopped at the end): groups of both shapes (groupOfNames with member DNs, posixGroup with
// memberUid), first sync, a no-op resync that writes nothing, a change, a removal, the
// directory unreachable, an empty result, paging over more entries than the page size, the
// guard, a dry run and an approval.
import { randomUUID } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeQueueClients, queueClientFor, runLdapSync } from "@lattice/api";
import { callerFor, createTestDatabase, seedOrganization, type Caller, type TestDatabase } from "@lattice/api/testing";
import { ADMIN_DN, ADMIN_PASSWORD, BASE_DN, groupDn, LIMITED_DN, LIMITED_PASSWORD, ldif, startSlapd, userDn, type Slapd } from "./ldap-slapd.js";
import { ldapSchedule } from "./ldap.js";

let db: TestDatabase;
let slapd: Slapd;
let caller: Caller;
let orgId: number;
let workspace: number;
let project: number;
const secretKey = process.env.LATTICE_SECRET_KEY;

const users = Array.from({ length: 12 }, (_, i) => ({ uid: `u${i + 1}`, mail: `U${i + 1}@Example.com`, cn: `User ${i + 1}` }));

beforeAll(async () => {
  slapd = await startSlapd(
    ldif(users, [
      { cn: "admins", shape: "groupOfNames", members: ["u1"] },
      { cn: "annotators", shape: "posixGroup", members: ["u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9", "u10"] },
      { cn: "reviewers", shape: "groupOfNames", members: ["u11", "u12"] },
      { cn: "unmapped", shape: "posixGroup", members: ["u1", "u2"] },
    ]),
  );
  db = await createTestDatabase();
  const org = await seedOrganization(db.orm, { owner: "owner" });
  orgId = org.orgId;
  caller = await callerFor(db.orm, { cookies: org.people.owner.cookies });
  workspace = ((await caller.workspace.create({ id: orgId, title: "Annotation team" } as never)) as { id: number }).id;
  const [pr] = await db.orm.em.fork().execute<{ id: number }[]>(
    `insert into projects (organization_id, workspace_id, title, description, label_config, settings, created_by_id, task_count, created_at, updated_at)
     values (?, ?, 'Birds', '', '', '{}'::jsonb, ?, 0, now(), now()) returning id`,
    [orgId, workspace, org.people.owner.userId],
  );
  project = pr!.id;
  await caller.directory.updateLdap({
    id: orgId,
    url: slapd.url,
    bind_dn: ADMIN_DN,
    bind_password: ADMIN_PASSWORD,
    user_base: `ou=people,${BASE_DN}`,
    group_base: `ou=groups,${BASE_DN}`,
    page_size: 5,
  });
  await caller.directory.updateSettings({
    id: orgId,
    mappings: {
      roles: [
        { group: "admins", role: "administrator" },
        { group: "annotators", role: "annotator" },
        { group: "reviewers", role: "reviewer" },
      ],
      workspaces: [{ group: "annotators", workspace }],
      projects: [{ group: "reviewers", project, role: "reviewer" }],
    },
    // One annotator of nine leaving the mapped workspace (11%) is a change the tests apply unheld.
    guard_threshold: 0.2,
  });
});

afterAll(async () => {
  await slapd?.stop();
  await closeQueueClients();
  await db?.close();
});

const sync = (o: { dryRun?: boolean; approvedRunId?: string; runId?: string } = {}) => runLdapSync(db.orm.em.fork(), { organizationId: orgId, secretKey, trigger: "test", ...o });

async function members() {
  const rows = await db.orm.em.fork().execute<{ email: string; role: string | null; status: string; source: string }[]>(
    `select u.email, m.role, m.status, m.source from memberships m join users u on u.id = m.user_id where m.organization_id = ? order by u.email`,
    [orgId],
  );
  return Object.fromEntries(rows.map((r) => [r.email, r]));
}

/** Row versions of everything a sync may write: unchanged versions mean nothing was written. */
async function versions() {
  const em = db.orm.em.fork();
  const q = (t: string) => em.execute<{ v: string }[]>(`select string_agg(xmin::text, ',' order by ctid) as v from ${t} where organization_id = ?`, [orgId]);
  return Promise.all(["directory_users", "directory_groups", "directory_group_members", "memberships", "workspace_members", "project_members", "workspaces"].map(q));
}

describe("LDAP sync against slapd", () => {
  it("test connection binds and reports counts and samples, or the precise LDAP error", async () => {
    const ok = await caller.directory.testLdap({ id: orgId });
    expect(ok).toMatchObject({ ok: true, error: null, users: 12, groups: 4 });
    expect(ok.sample_users[0]).toMatchObject({ email: "u1@example.com" });
    expect(ok.sample_groups.find((g) => g.name === "annotators")?.members).toBe(9);
    // The password is write-only and stored encrypted.
    const view = await caller.directory.ldap({ id: orgId });
    expect(view).toMatchObject({ has_bind_password: true });
    expect(JSON.stringify(view)).not.toContain(ADMIN_PASSWORD);
    const [row] = await db.orm.em.fork().execute<{ enc: string }[]>(`select ldap_bind_password_enc as enc from directory_settings where organization_id = ?`, [orgId]);
    expect(row!.enc).not.toContain(ADMIN_PASSWORD);
    await caller.directory.updateLdap({ id: orgId, url: slapd.url, bind_dn: ADMIN_DN, bind_password: "wrong", user_base: `ou=people,${BASE_DN}`, group_base: `ou=groups,${BASE_DN}` });
    const bad = await caller.directory.testLdap({ id: orgId });
    expect(bad.ok).toBe(false);
    expect(bad.error).toMatch(/InvalidCredentials/);
    await caller.directory.updateLdap({ id: orgId, url: slapd.url, bind_dn: ADMIN_DN, bind_password: ADMIN_PASSWORD, user_base: `ou=people,${BASE_DN}`, group_base: `ou=groups,${BASE_DN}` });
  });

  it("a dry run returns the complete plan and applies nothing", async () => {
    const before = await members();
    const r = await sync({ dryRun: true });
    expect(r.status).toBe("planned");
    expect(r.counts).toMatchObject({ create: 12, activate: 12, deactivate: 0, workspace_join: 9, project_join: 2, directory_users: 12, directory_groups: 4 });
    expect(r.plan.activate.find((a) => a.email === "u1@example.com")?.role).toBe("administrator");
    expect(await members()).toEqual(before);
    const [n] = await db.orm.em.fork().execute<{ n: string }[]>(`select count(*) as n from directory_users where organization_id = ?`, [orgId]);
    expect(Number(n!.n)).toBe(0);
    const run = await caller.directory.run({ id: orgId, run_id: r.runId });
    expect(run).toMatchObject({ status: "planned", dry_run: true, source: "ldap" });
    expect((run.plan as { create: unknown[] }).create).toHaveLength(12);
  });

  it("first sync: both group shapes, paging past the page size (5), highest role wins, workspaces and projects", async () => {
    const r = await sync();
    expect(r.status).toBe("applied");
    expect(r.counts.directory_users).toBe(12);
    const m = await members();
    expect(m["u1@example.com"]).toMatchObject({ role: "administrator", status: "active", source: "ldap" });
    for (let i = 2; i <= 10; i++) expect(m[`u${i}@example.com`]).toMatchObject({ role: "annotator", status: "active", source: "ldap" });
    expect(m["u11@example.com"]).toMatchObject({ role: "reviewer", status: "active" });
    const owner = Object.values(m).find((x) => x.role === "owner");
    expect(owner).toMatchObject({ source: "manual", status: "active" });
    const [ws] = await db.orm.em.fork().execute<{ n: string }[]>(`select count(*) as n from workspace_members where workspace_id = ? and source = 'ldap'`, [workspace]);
    expect(Number(ws!.n)).toBe(9);
    const pm = await db.orm.em.fork().execute<{ role: string }[]>(`select role from project_members where project_id = ? and source = 'ldap'`, [project]);
    expect(pm.map((x) => x.role)).toEqual(["reviewer", "reviewer"]);
  });

  it("a no-op resync writes nothing", async () => {
    const before = await versions();
    const r = await sync();
    expect(r.status).toBe("applied");
    expect(r.directoryWrites).toBe(0);
    const { directory_users: _u, directory_groups: _g, managed_active: _m, managed_workspace_members: _w, managed_project_members: _p, ...changes } = r.counts;
    expect(Object.values(changes).every((n) => n === 0)).toBe(true);
    expect(await versions()).toEqual(before);
  });

  it("a change: a user moves from annotators (posixGroup) to reviewers (groupOfNames)", async () => {
    const c = await slapd.admin();
    try {
      const { Change, Attribute } = await import("ldapts");
      await c.modify(groupDn("annotators"), new Change({ operation: "delete", modification: new Attribute({ type: "memberUid", values: ["u2"] }) }));
      await c.modify(groupDn("reviewers"), new Change({ operation: "add", modification: new Attribute({ type: "member", values: [userDn("u2")] }) }));
      await c.modify(userDn("u3"), new Change({ operation: "replace", modification: new Attribute({ type: "cn", values: ["Renamed Three"] }) }));
    } finally {
      await c.unbind();
    }
    const r = await sync();
    expect(r.status).toBe("applied");
    expect(r.counts).toMatchObject({ change_role: 1, workspace_leave: 1, project_join: 1, deactivate: 0 });
    expect((await members())["u2@example.com"]).toMatchObject({ role: "reviewer", status: "active" });
    const [d] = await db.orm.em.fork().execute<{ display_name: string }[]>(`select display_name from directory_users where organization_id = ? and user_name = 'u3'`, [orgId]);
    expect(d!.display_name).toBe("Renamed Three");
  });

  it("a removal deactivates (never deletes) the member", async () => {
    const c = await slapd.admin();
    try {
      await c.del(userDn("u4"));
    } finally {
      await c.unbind();
    }
    const r = await sync();
    expect(r.status).toBe("applied");
    expect(r.counts.deactivate).toBe(1);
    expect((await members())["u4@example.com"]).toMatchObject({ status: "deactivated", role: null, source: "ldap" });
  });

  it("the directory unreachable: nothing deactivated, the run needs approval", async () => {
    const before = await versions();
    await caller.directory.updateLdap({ id: orgId, url: "ldap://127.0.0.1:1", bind_dn: ADMIN_DN, user_base: `ou=people,${BASE_DN}`, group_base: `ou=groups,${BASE_DN}` });
    try {
      const r = await sync();
      expect(r.status).toBe("needs_approval");
      expect(r.reason).toMatch(/LDAP read failed/);
      expect(await versions()).toEqual(before);
      const run = await caller.directory.run({ id: orgId, run_id: r.runId });
      expect(run.status).toBe("needs_approval");
      expect(run.error).toMatch(/ECONNREFUSED|connect/i);
    } finally {
      await caller.directory.updateLdap({ id: orgId, url: slapd.url, bind_dn: ADMIN_DN, user_base: `ou=people,${BASE_DN}`, group_base: `ou=groups,${BASE_DN}` });
    }
  });

  it("too many deactivations: the guard holds the run; a dry run still shows the plan", async () => {
    const c = await slapd.admin();
    try {
      for (const uid of ["u5", "u6", "u7"]) await c.del(userDn(uid));
    } finally {
      await c.unbind();
    }
    const before = await versions();
    const preview = await sync({ dryRun: true });
    expect(preview.status).toBe("planned");
    expect(preview.plan.deactivate.map((d) => d.email).sort()).toEqual(["u5@example.com", "u6@example.com", "u7@example.com"]);
    const r = await sync();
    expect(r.status).toBe("needs_approval");
    expect(r.reason).toMatch(/would deactivate 3 of 11/);
    expect(await versions()).toEqual(before);
    expect((await members())["u5@example.com"]).toMatchObject({ status: "active" });
  });

  it("a size limit exceeded is a failed read, never a short listing", async () => {
    // This reader may see 5 entries: the server answers sizeLimitExceeded, paged or not.
    await caller.directory.updateLdap({ id: orgId, url: slapd.url, bind_dn: LIMITED_DN, bind_password: LIMITED_PASSWORD, user_base: `ou=people,${BASE_DN}`, group_base: `ou=groups,${BASE_DN}` });
    try {
      const before = await versions();
      const r = await sync();
      expect(r.status).toBe("needs_approval");
      expect(r.reason).toMatch(/SizeLimitExceeded/);
      expect(await versions()).toEqual(before);
      const test = await caller.directory.testLdap({ id: orgId });
      expect(test).toMatchObject({ ok: false });
      expect(test.error).toMatch(/SizeLimitExceeded/);
    } finally {
      await caller.directory.updateLdap({ id: orgId, url: slapd.url, bind_dn: ADMIN_DN, bind_password: ADMIN_PASSWORD, user_base: `ou=people,${BASE_DN}`, group_base: `ou=groups,${BASE_DN}` });
    }
  });

  it("scheduled syncs: the due organizations are claimed, and their runs recorded and queued, in one transaction", async () => {
    const em = db.orm.em.fork();
    const ctx = { jobId: randomUUID(), orm: db.orm, log: pino({ level: "silent" }) };
    const scheduled = () => em.execute<{ id: string; status: string }[]>(`select id, status from sync_runs where organization_id = ? and trigger = 'schedule'`, [orgId]);
    const lastRun = async () => (await em.execute<{ t: string }[]>(`select ldap_last_run_at::text as t from directory_settings where organization_id = ?`, [orgId]))[0]!.t;
    await em.execute(`update directory_settings set ldap_last_run_at = now() - interval '61 minutes' where organization_id = ?`, [orgId]);
    const due = await lastRun();

    // The queue refuses the job: the organization stays due and no run is left "running".
    await queueClientFor(db.orm.config.get("clientUrl")!); // installs pg-boss's schema
    await em.execute(`create function refuse_ldap_job() returns trigger language plpgsql as $$ begin raise exception 'queue unavailable'; end $$`);
    await em.execute(`create trigger refuse_ldap_job before insert on pgboss.job for each row when (new.name = 'directory.ldapSync') execute function refuse_ldap_job()`);
    try {
      await expect(ldapSchedule({}, ctx)).rejects.toThrow(/queue unavailable/);
    } finally {
      await em.execute(`drop trigger refuse_ldap_job on pgboss.job`);
      await em.execute(`drop function refuse_ldap_job()`);
    }
    expect(await scheduled()).toEqual([]);
    expect(await lastRun()).toEqual(due);

    // Queued: one run, recorded as scheduled, with its job; the next tick finds nothing due.
    expect(await ldapSchedule({}, ctx)).toEqual({ queued: 1 });
    const runs = await scheduled();
    expect(runs).toEqual([{ id: expect.any(String), status: "running" }]);
    const jobs = await em.execute<{ data: unknown }[]>(`select data from pgboss.job where name = 'directory.ldapSync' and data->>'runId' = ?`, [runs[0]!.id]);
    expect(jobs.map((j) => j.data)).toEqual([{ organizationId: orgId, runId: runs[0]!.id, dryRun: false }]);
    const [claimed] = await em.execute<{ later: boolean }[]>(`select ldap_last_run_at > ?::timestamptz as later from directory_settings where organization_id = ?`, [due, orgId]);
    expect(claimed!.later).toBe(true);
    expect(await ldapSchedule({}, ctx)).toEqual({ queued: 0 });
  });

  it("an administrator's sync restarts the schedule's interval; a dry run does not", async () => {
    const em = db.orm.em.fork();
    const ctx = { jobId: randomUUID(), orm: db.orm, log: pino({ level: "silent" }) };
    await em.execute(`update directory_settings set ldap_last_run_at = now() - interval '61 minutes' where organization_id = ?`, [orgId]);
    await caller.directory.syncLdap({ id: orgId, dry_run: false });
    expect(await ldapSchedule({}, ctx)).toEqual({ queued: 0 });
    await em.execute(`update directory_settings set ldap_last_run_at = now() - interval '61 minutes' where organization_id = ?`, [orgId]);
    await caller.directory.syncLdap({ id: orgId, dry_run: true });
    expect(await ldapSchedule({}, ctx)).toEqual({ queued: 1 });
  });

  it("an empty result: the guard holds; an administrator's approval applies it", async () => {
    await caller.directory.updateLdap({ id: orgId, url: slapd.url, bind_dn: ADMIN_DN, user_base: `ou=people,${BASE_DN}`, group_base: `ou=groups,${BASE_DN}`, user_filter: "(uid=nobody-at-all)" });
    const before = await versions();
    const r = await sync();
    expect(r.status).toBe("needs_approval");
    expect(r.reason).toMatch(/no users/);
    expect(await versions()).toEqual(before);
    // Approval: the run is marked approved, and a run carrying out the approval is queued (run here directly).
    const { run_id } = await caller.directory.approveRun({ id: orgId, run_id: r.runId });
    expect((await caller.directory.run({ id: orgId, run_id: r.runId })).status).toBe("approved");
    // The queued job names the run it carries out and the run approved, which bounds it.
    const [job] = await db.orm.em.fork().execute<{ data: unknown }[]>(`select data from pgboss.job where name = 'directory.ldapSync' and data->>'runId' = ?`, [run_id]);
    expect(job?.data).toEqual({ organizationId: orgId, runId: run_id, dryRun: false, approvedRunId: r.runId });
    const forced = await sync({ runId: run_id, approvedRunId: r.runId });
    expect(forced.status).toBe("applied");
    const m = await members();
    expect(Object.values(m).filter((x) => x.source === "ldap" && x.status === "active")).toHaveLength(0);
    expect(Object.values(m).find((x) => x.role === "owner")).toMatchObject({ status: "active" });
    const runs = await caller.directory.runs({ id: orgId });
    expect(runs.count).toBeGreaterThanOrEqual(9);
  });
});
