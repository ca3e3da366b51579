// Who may call what on workspaces, projects and templates: every procedure of those routers,
// for every kind of caller, on a workspace or project in the caller's scope ("in": the manager
// belongs to the workspace, the reviewer and the annotator to the project), out of it ("out":
// none of them belongs to it) and in a colleague's sandbox ("sandbox"). One row per
// (procedure, target, caller), each on a fresh organization. Each row also checks the
// activity log (one row per change, none for a read or a refusal) and that a refusal leaves
// the database as it was.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRouter, templateRouter } from "./project.js";
import { workspaceRouter } from "./workspace.js";
import { callerFor, createTestDatabase, refusal, type Caller, type SeededPerson, type TestDatabase } from "../testing/index.js";
import { projectsSnapshot, seedProjectsOrganization, type Person, type ProjectsFixture, type Target } from "../testing/projects.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.close();
});

const CALLERS = ["owner", "administrator", "manager", "reviewer", "annotator", "pending", "deactivated", "signedOut"] as const;
type Who = (typeof CALLERS)[number];
type Outcome = "ok" | "FORBIDDEN" | "UNAUTHORIZED" | "NOT_FOUND";
const SHORT: Record<string, Outcome> = { ok: "ok", F: "FORBIDDEN", U: "UNAUTHORIZED", NF: "NOT_FOUND" };

/**
 * The table. Rows: `procedure` or `procedure@target`. Columns: owner, administrator, manager,
 * reviewer, annotator, pending member, deactivated member, signed out. `ok` allowed, `F`
 * FORBIDDEN (sees it, may not), `NF` NOT_FOUND (may not see it), `U` UNAUTHORIZED.
 * On "in" the manager is in scope; on "out" out of scope.
 */
const TABLE: Record<string, string> = {
  //                                         OW  AD  MA  RE  AN  NO  DI  out
  "workspace.list": /*                    */ "ok ok  ok  ok  ok  F   F   U",
  "workspace.create": /*                  */ "ok ok  ok  F   F   F   F   U",
  "workspace.get@in": /*                  */ "ok ok  ok  NF  NF  F   F   U",
  "workspace.get@out": /*                 */ "ok ok  ok  NF  NF  F   F   U",
  "workspace.get@sandbox": /*             */ "NF NF  NF  NF  NF  F   F   U",
  "workspace.update@in": /*               */ "ok ok  ok  F   F   F   F   U",
  "workspace.update@out": /*              */ "ok ok  F   F   F   F   F   U",
  "workspace.update@sandbox": /*          */ "NF NF  NF  F   F   F   F   U",
  "workspace.delete@in": /*               */ "ok ok  ok  F   F   F   F   U",
  "workspace.delete@out": /*              */ "ok ok  F   F   F   F   F   U",
  "workspace.delete@sandbox": /*          */ "NF NF  NF  F   F   F   F   U",
  "workspace.members@in": /*              */ "ok ok  ok  NF  NF  F   F   U",
  "workspace.members@out": /*             */ "ok ok  ok  NF  NF  F   F   U",
  "workspace.members@sandbox": /*         */ "NF NF  NF  NF  NF  F   F   U",
  "workspace.memberCandidates@in": /*     */ "ok ok  ok  F   F   F   F   U",
  "workspace.memberCandidates@out": /*    */ "ok ok  F   F   F   F   F   U",
  "workspace.memberCandidates@sandbox": /**/ "NF NF  NF  F   F   F   F   U",
  "workspace.addMember@in": /*            */ "ok ok  ok  F   F   F   F   U",
  "workspace.addMember@out": /*           */ "ok ok  F   F   F   F   F   U",
  "workspace.addMember@sandbox": /*       */ "NF NF  NF  F   F   F   F   U",
  "workspace.removeMember@in": /*         */ "ok ok  ok  NF  NF  F   F   U",
  "workspace.removeMember@out": /*        */ "ok ok  F   NF  NF  F   F   U",
  "workspace.removeMember@sandbox": /*    */ "NF NF  NF  NF  NF  F   F   U",

  "project.list": /*                      */ "ok ok  ok  ok  ok  F   F   U",
  "project.create@in": /*                 */ "ok ok  ok  F   F   F   F   U",
  "project.create@out": /*                */ "ok ok  F   F   F   F   F   U",
  "project.create@sandbox": /*            */ "NF NF  NF  F   F   F   F   U",
  "project.create@own": /*                */ "ok ok  ok  F   F   F   F   U",
  "project.get@in": /*                    */ "ok ok  ok  ok  ok  F   F   U",
  "project.get@out": /*                   */ "ok ok  ok  NF  NF  F   F   U",
  "project.get@sandbox": /*               */ "NF NF  NF  NF  NF  F   F   U",
  "project.update@in": /*                 */ "ok ok  ok  F   F   F   F   U",
  "project.update@out": /*                */ "ok ok  F   F   F   F   F   U",
  "project.update@sandbox": /*            */ "NF NF  NF  F   F   F   F   U",
  "project.delete@in": /*                 */ "ok ok  ok  F   F   F   F   U",
  "project.delete@out": /*                */ "ok ok  F   F   F   F   F   U",
  "project.delete@sandbox": /*            */ "NF NF  NF  F   F   F   F   U",
  "project.pin@in": /*                    */ "ok ok  ok  ok  F   F   F   U",
  "project.pin@out": /*                   */ "ok ok  ok  NF  F   F   F   U",
  "project.pin@sandbox": /*               */ "NF NF  NF  NF  F   F   F   U",
  "project.unpin@in": /*                  */ "ok ok  ok  ok  F   F   F   U",
  "project.unpin@out": /*                 */ "ok ok  ok  NF  F   F   F   U",
  "project.unpin@sandbox": /*             */ "NF NF  NF  NF  F   F   F   U",
  "project.members@in": /*                */ "ok ok  ok  ok  ok  F   F   U",
  "project.members@out": /*               */ "ok ok  ok  NF  NF  F   F   U",
  "project.members@sandbox": /*           */ "NF NF  NF  NF  NF  F   F   U",
  "project.addMember@in": /*              */ "ok ok  ok  F   F   F   F   U",
  "project.addMember@out": /*             */ "ok ok  F   F   F   F   F   U",
  "project.addMember@sandbox": /*         */ "NF NF  NF  F   F   F   F   U",
  "project.removeMember@in": /*           */ "ok ok  ok  F   F   F   F   U",
  "project.removeMember@out": /*          */ "ok ok  F   F   F   F   F   U",
  "project.removeMember@sandbox": /*      */ "NF NF  NF  F   F   F   F   U",
  "project.access@in": /*                 */ "ok ok  ok  F   F   F   F   U",
  "project.access@out": /*                */ "ok ok  F   F   F   F   F   U",
  "project.access@sandbox": /*            */ "NF NF  NF  F   F   F   F   U",

  "template.list": /*                     */ "ok ok  ok  F   F   F   F   U",
  "template.save@in": /*                  */ "ok ok  ok  F   F   F   F   U",
  "template.save@out": /*                 */ "ok ok  ok  F   F   F   F   U",
  "template.save@sandbox": /*             */ "NF NF  NF  F   F   F   F   U",
};

type F = ProjectsFixture;
type Me = SeededPerson | null;

interface Case {
  /** Activity-log rows that one allowed call writes (0 for reads). */
  logs: 0 | 1;
  prepare?(f: F, t: Target): Promise<void>;
  run(c: Caller, f: F, t: Target, me: Me): Promise<unknown>;
  /** What an allowed call returns, and what it did. */
  check?(result: unknown, f: F, t: Target, me: Me, who: Who): void | Promise<void>;
}

let n = 0;
const sql = (text: string, params: unknown[] = []) => db.orm.em.fork().execute(text, params);
const uid = (f: F, p: Person) => f.people[p].userId;
const SEES_ALL = ["owner", "administrator", "manager"];
/** The target of `project.create@own`: no workspace given, so the caller's own sandbox. */
const OWN = "own" as Target;

const CASES: Record<string, Case> = {
  "workspace.list": {
    logs: 0,
    run: (c) => c.workspace.list(),
    check: (r, f, _t, _me, who) => {
      const ids = (r as { id: number }[]).map((w) => w.id).sort((a, b) => a - b);
      const own = f.sandboxOf[who as Person];
      const expected = SEES_ALL.includes(who) ? [own, f.workspaces.in, f.workspaces.out] : [own];
      expect(ids).toEqual(expected.sort((a, b) => a - b));
    },
  },
  "workspace.create": {
    logs: 1,
    run: (c) => c.workspace.create({ title: `New ${++n}`, color: "#123456", description: "d" }),
    check: (r) => expect(r).toMatchObject({ color: "#123456", is_sandbox: false, project_count: 0 }),
  },
  "workspace.get": {
    logs: 0,
    run: (c, f, t) => c.workspace.get({ id: f.workspaces[t] }),
    check: (r, f, t) => expect(r).toMatchObject({ id: f.workspaces[t], project_count: 1 }),
  },
  "workspace.update": {
    logs: 1,
    run: (c, f, t) => c.workspace.update({ id: f.workspaces[t], title: "Renamed", color: "#abcdef" }),
    check: (r, f, t) => expect(r).toMatchObject({ id: f.workspaces[t], title: "Renamed", color: "#abcdef", project_count: 1 }),
  },
  "workspace.delete": {
    logs: 1,
    // Only an empty workspace can go: empty it first (the 409 is tested on its own).
    prepare: async (f, t) => {
      await sql(`delete from projects where workspace_id = ?`, [f.workspaces[t]]);
    },
    run: (c, f, t) => c.workspace.delete({ id: f.workspaces[t] }),
    check: async (r, f, t) => {
      expect(r).toEqual({ ok: true });
      expect(await sql(`select id from workspaces where id = ?`, [f.workspaces[t]])).toEqual([]);
    },
  },
  "workspace.members": {
    logs: 0,
    run: (c, f, t) => c.workspace.members({ id: f.workspaces[t] }),
    check: (r, f, t) => {
      const ids = (r as { id: number }[]).map((p) => p.id).sort((a, b) => a - b);
      expect(ids).toEqual((t === "in" ? [uid(f, "manager"), uid(f, "target")] : [uid(f, "target")]).sort((a, b) => a - b));
    },
  },
  "workspace.memberCandidates": {
    logs: 0,
    run: (c, f, t) => c.workspace.memberCandidates({ id: f.workspaces[t], limit: 100 }),
    check: (r, f, t) => {
      const ids = (r as { id: number }[]).map((p) => p.id);
      // Active members not yet in the workspace: never the pending or deactivated member, never one already in.
      expect(ids).toContain(uid(f, "colleague"));
      expect(ids).not.toContain(uid(f, "target"));
      expect(ids).not.toContain(uid(f, "pending"));
      expect(ids).not.toContain(uid(f, "deactivated"));
      if (t === "in") expect(ids).not.toContain(uid(f, "manager"));
    },
  },
  "workspace.addMember": {
    logs: 1,
    run: (c, f, t) => c.workspace.addMember({ id: f.workspaces[t], user_id: uid(f, "colleague") }),
    check: async (r, f, t) => {
      expect(r).toEqual({ ok: true });
      expect(await sql(`select 1 from workspace_members where workspace_id = ? and user_id = ?`, [f.workspaces[t], uid(f, "colleague")])).toHaveLength(1);
    },
  },
  "workspace.removeMember": {
    logs: 1,
    run: (c, f, t) => c.workspace.removeMember({ id: f.workspaces[t], user_id: uid(f, "target") }),
    check: async (r, f, t) => {
      expect(r).toEqual({ ok: true });
      expect(await sql(`select 1 from workspace_members where workspace_id = ? and user_id = ?`, [f.workspaces[t], uid(f, "target")])).toEqual([]);
    },
  },

  "project.list": {
    logs: 0,
    run: (c) => c.project.list({ filter: "all", page: 1, page_size: 30 }),
    check: (r, f, _t, _me, who) => {
      const ids = (r as { results: { id: number }[] }).results.map((p) => p.id);
      // Newest first; the colleague's sandbox project never shows, for anyone.
      expect(ids).toEqual(SEES_ALL.includes(who) ? [f.projects.out, f.projects.in] : [f.projects.in]);
    },
  },
  "project.create": {
    logs: 1,
    run: (c, f, t) => c.project.create({ title: `Created ${++n}`, ...(t === OWN ? {} : { workspace: f.workspaces[t] }) }),
    check: (r, f, t, _me, who) =>
      expect(r).toMatchObject({ workspace: t === OWN ? f.sandboxOf[who as Person] : f.workspaces[t], created_by: uid(f, who as Person) }),
  },
  "project.get": {
    logs: 0,
    run: (c, f, t) => c.project.get({ id: f.projects[t] }),
    check: (r, f, t) => expect(r).toMatchObject({ id: f.projects[t], workspace: f.workspaces[t], label_config: "<View/>" }),
  },
  "project.update": {
    logs: 1,
    run: (c, f, t) => c.project.update({ id: f.projects[t], title: "Retitled", settings: { annotators_may_view_own_data: true } }),
    check: (r, f, t) =>
      expect(r).toMatchObject({ id: f.projects[t], title: "Retitled", settings: { annotators_may_view_own_data: true, labeling_restricted_to_assigned: true } }),
  },
  "project.delete": {
    logs: 1,
    run: (c, f, t) => c.project.delete({ id: f.projects[t] }),
    check: async (r, f, t) => {
      expect(r).toEqual({ ok: true });
      expect(await sql(`select id from projects where id = ?`, [f.projects[t]])).toEqual([]);
    },
  },
  "project.pin": {
    logs: 1,
    run: (c, f, t) => c.project.pin({ id: f.projects[t] }),
    check: (r, f, t) => expect(r).toMatchObject({ id: f.projects[t], pinned_at: expect.any(String) }),
  },
  "project.unpin": {
    logs: 1,
    prepare: async (f, t) => {
      await sql(`update projects set pinned_at = now(), pinned_by_id = ? where id = ?`, [uid(f, "owner"), f.projects[t]]);
    },
    run: (c, f, t) => c.project.unpin({ id: f.projects[t] }),
    check: (r, f, t) => expect(r).toMatchObject({ id: f.projects[t], pinned_at: null }),
  },
  "project.members": {
    logs: 0,
    run: (c, f, t) => c.project.members({ id: f.projects[t] }),
    check: (r, f, t) => {
      const ids = (r as { id: number }[]).map((p) => p.id).sort((a, b) => a - b);
      expect(ids).toEqual((t === "in" ? [uid(f, "reviewer"), uid(f, "annotator"), uid(f, "target")] : [uid(f, "target")]).sort((a, b) => a - b));
    },
  },
  "project.addMember": {
    logs: 1,
    run: (c, f, t) => c.project.addMember({ id: f.projects[t], user_id: uid(f, "colleague") }),
    check: async (r, f, t) => {
      expect(r).toEqual({ ok: true });
      expect(await sql(`select direct from project_members where project_id = ? and user_id = ?`, [f.projects[t], uid(f, "colleague")])).toEqual([{ direct: true }]);
    },
  },
  "project.removeMember": {
    logs: 1,
    run: (c, f, t) => c.project.removeMember({ id: f.projects[t], user_id: uid(f, "target") }),
    check: async (r, f, t) => {
      expect(r).toEqual({ ok: true });
      expect(await sql(`select 1 from project_members where project_id = ? and user_id = ?`, [f.projects[t], uid(f, "target")])).toEqual([]);
    },
  },
  "project.access": {
    logs: 0,
    run: (c, f, t) => c.project.access({ id: f.projects[t] }),
    check: (r, f, t) => {
      const res = r as { project: { id: number }; results: { user: { id: number }; reasons: string[]; can_manage: boolean }[] };
      expect(res.project.id).toBe(f.projects[t]);
      const byUser = new Map(res.results.map((x) => [x.user.id, x]));
      expect(byUser.get(uid(f, "owner"))).toMatchObject({ reasons: ["role", "creator"], can_manage: true });
      expect(byUser.get(uid(f, "colleague"))).toMatchObject({ reasons: ["role"], can_manage: false });
      expect(byUser.get(uid(f, "target"))).toMatchObject({ reasons: ["workspace_member", "project_member"], can_manage: false });
      if (t === "in") {
        expect(byUser.get(uid(f, "manager"))).toMatchObject({ reasons: ["role", "workspace_member"], can_manage: true });
        expect(byUser.get(uid(f, "reviewer"))).toMatchObject({ reasons: ["project_member"], can_manage: false });
        expect(byUser.get(uid(f, "annotator"))).toMatchObject({ reasons: ["project_member"], can_manage: false });
      } else {
        expect(byUser.get(uid(f, "manager"))).toMatchObject({ reasons: ["role"], can_manage: false });
        expect(byUser.has(uid(f, "reviewer"))).toBe(false);
        expect(byUser.has(uid(f, "annotator"))).toBe(false);
      }
      // Members who are not active reach nothing.
      expect(byUser.has(uid(f, "pending"))).toBe(false);
      expect(byUser.has(uid(f, "deactivated"))).toBe(false);
    },
  },

  "template.list": {
    logs: 0,
    run: (c) => c.template.list(),
    check: (r, f) => expect(r).toEqual([expect.objectContaining({ id: f.templateId, title: "Seeded template" })]),
  },
  "template.save": {
    logs: 1,
    run: (c, f, t) => c.template.save({ title: `Template ${++n}`, project_id: f.projects[t] }),
    check: (r) => expect(r).toMatchObject({ label_config: "<View/>", settings: { annotators_may_view_own_data: false } }),
  },
};

const ROWS = Object.entries(TABLE).flatMap(([key, cells]) => {
  const [path, target] = key.split("@") as [string, Target | undefined];
  const outcomes = cells.trim().split(/\s+/).map((c) => SHORT[c]!);
  return CALLERS.map((who, i) => ({ key, path, target: target ?? ("in" as Target), who, expected: outcomes[i]! }));
});

function procedureAt(caller: Caller, path: string) {
  return path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], caller);
}

describe("the permission table of the workspace, project and template procedures", () => {
  it("has a row for every procedure of those routers, and a call for every row", () => {
    // The procedures of these three routers (others merged into project.*, such as duplicate, have tests of their own).
    const ours = [
      ...Object.keys(workspaceRouter).map((k) => `workspace.${k}`),
      ...Object.keys(projectRouter).map((k) => `project.${k}`),
      ...Object.keys(templateRouter).map((k) => `template.${k}`),
    ];
    const inTable = [...new Set(Object.keys(TABLE).map((k) => k.split("@")[0]!))];
    expect(inTable.sort()).toEqual([...ours].sort());
    expect(Object.keys(CASES).sort()).toEqual([...ours].sort());
    for (const cells of Object.values(TABLE)) expect(cells.trim().split(/\s+/).map((c) => c in SHORT)).toEqual(CALLERS.map(() => true));
  });

  // A call that changes something gets an organization of its own; reads and refusals, which
  // change nothing (checked below), share one per procedure and target.
  const shared = new Map<string, Promise<ProjectsFixture>>();
  const fixtureFor = (key: string, c: Case, target: Target, fresh: boolean) => {
    const make = async () => {
      const f = await seedProjectsOrganization(db.orm);
      await c.prepare?.(f, target);
      return f;
    };
    if (fresh) return make();
    if (!shared.has(key)) shared.set(key, make());
    return shared.get(key)!;
  };

  it.each(ROWS)("$key as $who: $expected", async ({ key, path, target, who, expected }) => {
    const c = CASES[path]!;
    const f = await fixtureFor(key, c, target, expected === "ok" && c.logs > 0);
    const me = who === "signedOut" ? null : f.people[who];
    const caller = await callerFor(db.orm, { cookies: me?.cookies });
    expect(typeof procedureAt(caller, path)).toBe("function");
    const before = await projectsSnapshot(db.orm);
    const call = c.run(caller, f, target, me);
    if (expected === "ok") {
      const result = await call;
      await c.check?.(result, f, target, me, who);
      const after = await projectsSnapshot(db.orm);
      expect(after.logs - before.logs).toBe(c.logs);
      if (c.logs) expect(after.state).not.toBe(before.state);
      else expect(after.state).toBe(before.state);
    } else {
      const err = await refusal(call);
      expect({ code: err.code, message: err.message }).toEqual({ code: expected, message: expect.stringMatching(/\w/) });
      expect(await projectsSnapshot(db.orm)).toEqual(before);
    }
  });
});

describe("activity log", () => {
  // A trigger that refuses every activity-log row: a change whose log row is written in the
  // same transaction must then not happen at all.
  beforeAll(async () => {
    await sql(`create function test_refuse_log() returns trigger language plpgsql as $$
      begin raise exception 'activity log refused by the test'; end $$`);
  });

  const CHANGES = Object.entries(CASES)
    .filter(([, c]) => c.logs > 0)
    .map(([path]) => path);

  it.each(CHANGES)("%s writes its log row in the transaction of the change", async (path) => {
    const c = CASES[path]!;
    const f = await seedProjectsOrganization(db.orm);
    await c.prepare?.(f, "in");
    const caller = await callerFor(db.orm, { cookies: f.people.owner.cookies });
    await sql(`create trigger test_refuse_log before insert on activity_logs for each row execute function test_refuse_log()`);
    try {
      const before = await projectsSnapshot(db.orm);
      await expect(c.run(caller, f, "in", f.people.owner)).rejects.toThrow(/activity log refused by the test/);
      expect(await projectsSnapshot(db.orm)).toEqual(before);
    } finally {
      await sql(`drop trigger test_refuse_log on activity_logs`);
    }
  });
});
