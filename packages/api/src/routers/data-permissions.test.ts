// Who may call what: every procedure of issue 6 (tasks, assignments, labeling, review,
// dashboards, activity log, import and export), for every kind of caller, on a fresh project
// each time. One row per (procedure, caller). Each row also checks that an allowed change
// writes exactly one activity-log row and that a refusal leaves the database as it was.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MemoryCookieJar } from "../auth/cookies.js";
import type { Orm } from "../db/orm.js";
import {
  bodyOf,
  callerFor,
  collect,
  createTestDatabase,
  dataCallerFor,
  refusal,
  seedOrganization,
  seedProject,
  type Caller,
  type ProjectFixture,
  type ProjectPerson,
  type TestDatabase,
} from "../testing/index.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.close();
});

/** The people of seedProject, and `foreigner`: the owner of another organization. */
const CALLERS = ["owner", "administrator", "manager", "outsider", "reviewer", "annotator", "stranger", "pending", "deactivated", "foreigner"] as const;
type Who = (typeof CALLERS)[number];
type Outcome = "ok" | "FORBIDDEN" | "NOT_FOUND";
const SHORT: Record<string, Outcome> = { ok: "ok", F: "FORBIDDEN", NF: "NOT_FOUND" };

/**
 * Columns: owner, administrator, manager of the project's workspace, a manager with no tie to
 * the project (outsider), a reviewer added to the project, an annotator assigned a task in it,
 * an annotator with no tie to it (stranger), a pending member, a deactivated member, the owner
 * of another organization (foreigner).
 */
const TABLE: Record<string, string> = {
  //                                        OW  AD  MA  MO  RE  AN  ST  NO  DI  FO
  "task.list": /*                        */ "ok ok  ok  ok  ok  ok  NF  F   F   NF",
  "task.list (own data not allowed)": /* */ "ok ok  ok  ok  ok  F   NF  F   F   NF",
  "task.annotations": /*                 */ "ok ok  ok  ok  ok  ok  NF  F   F   NF",
  "task.assign (annotate)": /*           */ "ok ok  ok  F   ok  F   F   F   F   NF",
  "task.assign (review)": /*             */ "ok ok  ok  F   F   F   F   F   F   NF",
  "task.delete": /*                      */ "ok ok  ok  F   F   F   F   F   F   NF",
  "task.annotate": /*                    */ "ok ok  ok  ok  ok  ok  NF  F   F   NF",
  "task.annotate (not assigned)": /*     */ "F  F   F   F   F   F   NF  F   F   NF",
  "task.annotate (unrestricted)": /*     */ "ok ok  ok  ok  ok  ok  NF  F   F   NF",
  "annotation.review": /*                */ "ok ok  ok  ok  ok  F   F   F   F   NF",
  "dashboard.summary (own)": /*          */ "ok ok  ok  ok  ok  ok  ok  F   F   ok",
  "dashboard.summary (project)": /*      */ "ok ok  ok  F   ok  F   F   F   F   NF",
  "dashboard.summary (workspace)": /*    */ "ok ok  ok  F   F   F   F   F   F   NF",
  "dashboard.summary (organization)": /* */ "ok ok  F   F   F   F   F   F   F   ok",
  "dashboard.annotator": /*              */ "F  F   F   F   F   ok  ok  F   F   F",
  "activity.list": /*                    */ "ok ok  F   F   F   F   F   F   F   ok",
  "data.import": /*                      */ "ok ok  ok  F   F   F   F   F   F   NF",
  "data.export": /*                      */ "ok ok  ok  F   F   F   F   F   F   NF",
};

interface Fixture extends ProjectFixture {
  foreigner: { cookies: MemoryCookieJar; userId: number };
}

interface Case {
  /** Activity-log rows one allowed call writes. */
  logs: 0 | 1;
  settings?: { annotators_may_view_own_data?: boolean; labeling_restricted_to_assigned?: boolean };
  run(c: Caller, f: Fixture, who: Who): Promise<unknown>;
  check?(result: unknown, f: Fixture, who: Who): void;
}

const IMPORT = JSON.stringify([{ data: { text: "new" }, annotations: [{ result: { choice: "negative" } }] }]);

const CASES: Record<string, Case> = {
  "task.annotations": {
    logs: 0,
    run: (c, f) => c.task.annotations({ id: f.taskIds[0]! }),
    // Annotators see only their own annotation; everyone else both.
    check: (r, f, who) =>
      expect((r as { id: number }[]).map((a) => a.id).sort()).toEqual(
        who === "annotator" ? [f.annotationIds.annotator] : [f.annotationIds.annotator, f.annotationIds.reviewer].sort(),
      ),
  },
  "task.list": {
    logs: 0,
    run: (c, f) => c.task.list({ id: f.projectId }),
    // "Annotators view own data only when allowed": the annotator sees only the task assigned to them.
    check: (r, f, who) =>
      expect(r).toMatchObject(
        who === "annotator"
          ? { count: 1, results: [{ id: f.taskIds[0], annotation_count: 1, my_annotation: f.annotationIds.annotator, assigned_to_me: { annotate: true } }] }
          : { count: 3, results: [{ id: f.taskIds[0], annotation_count: 2 }, { id: f.taskIds[1] }, { id: f.taskIds[2] }] },
      ),
  },
  "task.list (own data not allowed)": {
    logs: 0,
    settings: { annotators_may_view_own_data: false },
    run: (c, f) => c.task.list({ id: f.projectId }),
    check: (r) => expect(r).toMatchObject({ count: 3 }),
  },
  "task.assign (annotate)": {
    logs: 1,
    run: (c, f) => c.task.assign({ id: f.projectId, task_ids: [f.taskIds[1]!, f.taskIds[2]!], user_ids: [f.org.people.stranger.userId], kind: "annotate" }),
    check: (r) => expect(r).toEqual({ created: 2, project_members_added: 1 }),
  },
  "task.assign (review)": {
    logs: 1,
    run: (c, f) => c.task.assign({ id: f.projectId, task_ids: [f.taskIds[0]!], user_ids: [f.org.people.reviewer.userId], kind: "review" }),
    check: (r) => expect(r).toEqual({ created: 1, project_members_added: 0 }),
  },
  "task.delete": {
    logs: 1,
    run: (c, f) => c.task.delete({ id: f.projectId, task_ids: [f.taskIds[2]!] }),
    check: (r) => expect(r).toEqual({ deleted: 1 }),
  },
  "task.annotate": {
    logs: 1,
    run: (c, f) => c.task.annotate({ id: f.taskIds[0]!, result: { choice: "neutral" } }),
    check: (r, f, who) => {
      expect(r).toMatchObject({ task: f.taskIds[0], result: { choice: "neutral" }, review_state: "pending" });
      // The annotator and the reviewer update their annotation; the others create one.
      if (who === "annotator") expect(r).toMatchObject({ id: f.annotationIds.annotator });
      if (who === "reviewer") expect(r).toMatchObject({ id: f.annotationIds.reviewer });
    },
  },
  "task.annotate (not assigned)": {
    logs: 1,
    run: (c, f) => c.task.annotate({ id: f.taskIds[1]!, result: { choice: "neutral" } }),
  },
  "task.annotate (unrestricted)": {
    logs: 1,
    settings: { labeling_restricted_to_assigned: false },
    run: (c, f) => c.task.annotate({ id: f.taskIds[1]!, result: { choice: "neutral" } }),
    check: (r, f) => expect(r).toMatchObject({ task: f.taskIds[1] }),
  },
  "annotation.review": {
    logs: 1,
    run: (c, f) => c.annotation.review({ id: f.annotationIds.annotator, accepted: false, comment: "Not quite" }),
    check: (r) => expect(r).toMatchObject({ review_state: "rejected", review_comment: "Not quite" }),
  },
  "dashboard.summary (own)": {
    logs: 0,
    run: (c) => c.dashboard.summary({ scope: "own" }),
    check: (r, f, who) => {
      if (who === "annotator") {
        // Own counts; agreement is not the annotator's to monitor.
        expect(r).toMatchObject({ tasks: 1, annotations: 1, agreement: null, per_annotator: [{ user: { id: f.org.people.annotator.userId } }] });
      }
      if (who === "reviewer") expect(r).toMatchObject({ tasks: 1, annotations: 1, agreement: 1, pairs: 1 });
    },
  },
  "dashboard.summary (project)": {
    logs: 0,
    run: (c, f) => c.dashboard.summary({ scope: "project", id: f.projectId }),
    check: (r) => expect(r).toMatchObject({ projects: 1, tasks: 3, annotations: 2, pending: 2, agreement: 1, pairs: 1 }),
  },
  "dashboard.summary (workspace)": {
    logs: 0,
    run: (c, f) => c.dashboard.summary({ scope: "workspace", id: f.workspaceId }),
    check: (r) => expect(r).toMatchObject({ projects: 1, tasks: 3, annotations: 2 }),
  },
  "dashboard.summary (organization)": {
    logs: 0,
    run: (c) => c.dashboard.summary({ scope: "organization" }),
    check: (r, _f, who) => expect(r).toMatchObject(who === "foreigner" ? { projects: 0, tasks: 0 } : { projects: 1, tasks: 3, annotations: 2 }),
  },
  "dashboard.annotator": {
    logs: 0,
    run: (c) => c.dashboard.annotator({ days: 7 }),
    check: (r, _f, who) => {
      expect(r).toMatchObject(who === "annotator" ? { tasks_assigned: 1, annotations: 1, pending: 1, acceptance_rate: null } : { annotations: 0 });
      expect((r as { series: unknown[] }).series).toHaveLength(7);
    },
  },
  "activity.list": {
    logs: 0,
    run: (c) => c.activity.list({}),
    check: (r) => expect(r).toMatchObject({ count: expect.any(Number) }),
  },
  "data.import": {
    logs: 1,
    run: async (_c, f, who) => (await dataCallerFor(db.orm, { cookies: cookiesOf(f, who) })).import({ id: f.projectId, format: "json", body: bodyOf(IMPORT) }),
    check: (r) => expect(r).toEqual({ task_count: 1, annotation_count: 1 }),
  },
  "data.export": {
    logs: 0,
    run: async (_c, f, who) => {
      const out = await (await dataCallerFor(db.orm, { cookies: cookiesOf(f, who) })).export({ id: f.projectId, format: "JSON" });
      return JSON.parse(await collect(out.chunks)) as unknown;
    },
    check: (r) => expect(r).toHaveLength(3),
  },
};

function cookiesOf(f: Fixture, who: Who) {
  return who === "foreigner" ? f.foreigner.cookies : f.org.people[who as ProjectPerson].cookies;
}

/** What these procedures can change, and the number of activity-log rows. */
async function snapshot(orm: Orm): Promise<{ state: string; logs: number }> {
  const [row] = await orm.em.fork().execute<{ state: unknown; logs: string }[]>(
    `select json_build_array(
        (select json_agg(json_build_array(id, project_id, data) order by id) from tasks),
        (select json_agg(json_build_array(id, task_id, completed_by_id, result, review_state, review_comment) order by id) from annotations),
        (select json_agg(json_build_array(task_id, user_id, kind) order by id) from task_assignments),
        (select json_agg(json_build_array(project_id, user_id, direct, assigned) order by id) from project_members),
        (select json_agg(json_build_array(id, task_count) order by id) from projects)) as state,
        (select count(*) from activity_logs) as logs`,
  );
  return { state: JSON.stringify(row!.state), logs: Number(row!.logs) };
}

const rows = Object.entries(TABLE).flatMap(([procedure, line]) => {
  const cells = line.trim().split(/\s+/);
  if (cells.length !== CALLERS.length) throw new Error(`${procedure}: ${cells.length} cells`);
  return CALLERS.map((who, i) => ({ procedure, who, expected: SHORT[cells[i]!]! }));
});

describe("the permission table of the task, dashboard, activity and data procedures", () => {
  it("has a row for every procedure of the task, annotation, dashboard and activity routers", async () => {
    const { appRouter } = await import("../root.js");
    const paths = Object.keys(appRouter._def.procedures).filter((p) => /^(task|annotation|dashboard|activity)\./.test(p));
    const covered = new Set(Object.keys(TABLE).map((k) => k.split(" ")[0]));
    expect(paths.filter((p) => !covered.has(p))).toEqual([]);
  });

  it.each(rows)("$procedure as $who: $expected", async ({ procedure, who, expected }) => {
    const spec = CASES[procedure]!;
    const project = await seedProject(db.orm, spec.settings);
    const other = await seedOrganization(db.orm, { foreigner: "owner" });
    const f: Fixture = { ...project, foreigner: other.people.foreigner };
    const caller = await callerFor(db.orm, { cookies: cookiesOf(f, who) });
    const before = await snapshot(db.orm);
    if (expected === "ok") {
      const result = await spec.run(caller, f, who);
      spec.check?.(result, f, who);
      const after = await snapshot(db.orm);
      expect(after.logs - before.logs).toBe(spec.logs);
      if (spec.logs === 0) expect(after.state).toBe(before.state);
    } else {
      const err = await refusal(spec.run(caller, f, who));
      expect(err.code).toBe(expected);
      expect(err.message.length).toBeGreaterThan(10);
      const after = await snapshot(db.orm);
      expect(after).toEqual(before);
    }
  });
});

describe("annotators view own data only when allowed", () => {
  it("is refused with the policy's reason while the project does not allow it, and shows only their own tasks once it does", async () => {
    const f = await seedProject(db.orm, { annotators_may_view_own_data: false });
    const annotator = await callerFor(db.orm, { cookies: f.org.people.annotator.cookies });
    const err = await refusal(annotator.task.list({ id: f.projectId }));
    expect(err.code).toBe("FORBIDDEN");
    expect(err.message).toBe("Annotators can view only their own data, and this project does not allow it.");

    const owner = await callerFor(db.orm, { cookies: f.org.people.owner.cookies });
    await owner.project.update({ id: f.projectId, settings: { annotators_may_view_own_data: true } });
    const mine = await annotator.task.list({ id: f.projectId });
    expect(mine.results.map((t) => t.id)).toEqual([f.taskIds[0]]);

    // Assigning another task to them adds it to what they see; the reviewer still sees all.
    await owner.task.assign({ id: f.projectId, task_ids: [f.taskIds[2]!], user_ids: [f.org.people.annotator.userId], kind: "annotate" });
    expect((await annotator.task.list({ id: f.projectId })).results.map((t) => t.id)).toEqual([f.taskIds[0], f.taskIds[2]]);
    const reviewer = await callerFor(db.orm, { cookies: f.org.people.reviewer.cookies });
    expect((await reviewer.task.list({ id: f.projectId })).count).toBe(3);
  });
});
