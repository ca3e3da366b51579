// Dashboards and the activity log: the numbers, the scopes, and how people who left are shown.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, createTestDatabase, seedProject, type ProjectFixture, type TestDatabase } from "../testing/index.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.close();
});

/** Annotations by (user, result) on the fixture's tasks, replacing the seeded ones. */
async function annotate(f: ProjectFixture, rows: [task: number, userId: number, result: unknown, state?: "accepted" | "rejected"][]) {
  const em = db.orm.em.fork();
  await em.execute(`delete from annotations where project_id = ?`, [f.projectId]);
  for (const [task, user, result, state] of rows) {
    await em.execute(
      `insert into annotations (organization_id, project_id, task_id, completed_by_id, result, ground_truth, review_state, created_at, updated_at)
       values (?, ?, ?, ?, ?::jsonb, false, ?, now(), now())`,
      [f.org.orgId, f.projectId, f.taskIds[task], user, JSON.stringify(result), state ?? "pending"],
    );
  }
}

describe("dashboard summary", () => {
  it("computes agreement as the share of identical-result pairs on tasks with two or more annotations, per project and per annotator", async () => {
    const f = await seedProject(db.orm);
    const { annotator: a, reviewer: r, manager: m } = f.org.people;
    await annotate(f, [
      // Task 0: three annotations, two identical → pairs a–r (agree), a–m, r–m: 1 of 3.
      [0, a.userId, { label: "cat" }, "accepted"],
      [0, r.userId, { label: "cat" }, "rejected"],
      [0, m.userId, { label: "dog" }],
      // Task 1: two identical → 1 of 1.
      [1, a.userId, ["x", { y: 1 }]],
      [1, m.userId, ["x", { y: 1 }]],
      // Task 2: a single annotation: no pairs.
      [2, r.userId, "alone"],
    ]);
    const owner = await callerFor(db.orm, { cookies: f.org.people.owner.cookies });
    const s = await owner.dashboard.summary({ scope: "project", id: f.projectId });
    expect(s).toMatchObject({ projects: 1, tasks: 3, annotations: 6, accepted: 1, rejected: 1, pending: 4, pairs: 4, agreement: 0.5 });
    expect(s.per_project).toEqual([
      { project: { id: f.projectId, title: "Reviews" }, annotations: 6, accepted: 1, rejected: 1, pending: 4, pairs: 4, agreement: 0.5 },
    ]);
    const by = new Map(s.per_annotator.map((x) => [x.user.id, x]));
    // a: pairs a–r (agree), a–m (no), a–m on task 1 (agree) → 2 of 3.
    expect(by.get(a.userId)).toMatchObject({ annotations: 2, accepted: 1, pairs: 3, agreement: 2 / 3, user: { name: "annotator", deleted: false } });
    // r: r–a (agree), r–m (no) → 1 of 2.
    expect(by.get(r.userId)).toMatchObject({ annotations: 2, rejected: 1, pairs: 2, agreement: 0.5 });
    // m: m–a (no), m–r (no), m–a on task 1 (agree) → 1 of 3.
    expect(by.get(m.userId)).toMatchObject({ annotations: 2, pairs: 3, agreement: 1 / 3 });

    // Own scope: the reviewer's own annotations and their own pairs only.
    const reviewer = await callerFor(db.orm, { cookies: r.cookies });
    const own = await reviewer.dashboard.summary({ scope: "own" });
    expect(own).toMatchObject({ annotations: 2, rejected: 1, pairs: 2, agreement: 0.5 });
    expect(own.per_annotator.map((x) => x.user.id)).toEqual([r.userId]);

    // Annotators see their own counts, without agreement (Table 3: they do not monitor it).
    const annotator = await callerFor(db.orm, { cookies: a.cookies });
    const mine = await annotator.dashboard.summary({ scope: "own" });
    expect(mine).toMatchObject({ annotations: 2, accepted: 1, agreement: null, pairs: null });
    expect(mine.per_annotator).toEqual([expect.objectContaining({ agreement: null, pairs: null })]);
  });

  it("covers a manager's workspaces and invited projects, and no other project", async () => {
    const f = await seedProject(db.orm);
    const em = db.orm.em.fork();
    // A second workspace and project the manager has no tie to, then an invitation to it.
    const [ws] = await em.execute<{ id: number }[]>(
      `insert into workspaces (organization_id, title, is_sandbox, created_by_id, created_at, updated_at) values (?, 'Other', false, ?, now(), now()) returning id`,
      [f.org.orgId, f.org.people.owner.userId],
    );
    const [p2] = await em.execute<{ id: number }[]>(
      `insert into projects (organization_id, workspace_id, title, settings, created_by_id, task_count, created_at, updated_at)
       values (?, ?, 'Elsewhere', '{}'::jsonb, ?, 7, now(), now()) returning id`,
      [f.org.orgId, ws!.id, f.org.people.owner.userId],
    );
    const manager = await callerFor(db.orm, { cookies: f.org.people.manager.cookies });
    expect(await manager.dashboard.summary({ scope: "workspace" })).toMatchObject({ projects: 1, tasks: 3 });
    await expect(manager.dashboard.summary({ scope: "project", id: p2!.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(manager.dashboard.summary({ scope: "workspace", id: ws!.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await em.execute(`insert into project_members (organization_id, project_id, user_id, direct, assigned, created_at) values (?, ?, ?, true, false, now())`, [
      f.org.orgId,
      p2!.id,
      f.org.people.manager.userId,
    ]);
    expect(await manager.dashboard.summary({ scope: "workspace" })).toMatchObject({ projects: 2, tasks: 10 });
    expect(await manager.dashboard.summary({ scope: "project", id: p2!.id })).toMatchObject({ projects: 1, tasks: 7 });
    const owner = await callerFor(db.orm, { cookies: f.org.people.owner.cookies });
    expect(await owner.dashboard.summary({ scope: "organization" })).toMatchObject({ projects: 2, tasks: 10 });
  });

  it("counts tasks created, annotations submitted and reviews per day over the period, quiet days as zeros", async () => {
    const f = await seedProject(db.orm);
    const { annotator: a, reviewer: r } = f.org.people;
    await annotate(f, [
      [0, a.userId, "x", "accepted"],
      [1, r.userId, "y", "rejected"],
      [2, a.userId, "z"],
    ]);
    const em = db.orm.em.fork();
    // Task 2 and its annotation two days ago; task 1 before the period; task 0 reviewed today, task 1 yesterday.
    await em.execute(`update tasks set created_at = now() - interval '2 days' where id = ?`, [f.taskIds[2]]);
    await em.execute(`update tasks set created_at = now() - interval '20 days' where id = ?`, [f.taskIds[1]]);
    await em.execute(`update annotations set created_at = now() - interval '2 days' where task_id = ?`, [f.taskIds[2]]);
    await em.execute(`update annotations set reviewed_at = now() where task_id = ?`, [f.taskIds[0]]);
    await em.execute(`update annotations set reviewed_at = now() - interval '1 day' where task_id = ?`, [f.taskIds[1]]);

    const owner = await callerFor(db.orm, { cookies: f.org.people.owner.cookies });
    const s = await owner.dashboard.summary({ scope: "project", id: f.projectId, days: 5 });
    const today = Date.now();
    expect(s.series.map((d) => d.date)).toEqual([4, 3, 2, 1, 0].map((n) => new Date(today - n * 86_400_000).toISOString().slice(0, 10)));
    expect(s.series.map((d) => d.tasks)).toEqual([0, 0, 1, 0, 1]);
    expect(s.series.map((d) => d.annotations)).toEqual([0, 0, 1, 0, 2]);
    expect(s.series.map((d) => d.accepted)).toEqual([0, 0, 0, 0, 1]);
    expect(s.series.map((d) => d.rejected)).toEqual([0, 0, 0, 1, 0]);
    expect(s.days).toBe(5);
    // The totals are not limited to the period.
    expect(s).toMatchObject({ tasks: 3, annotations: 3 });

    const month = await owner.dashboard.summary({ scope: "project", id: f.projectId });
    expect(month.series).toHaveLength(30);
    expect(month.series.reduce((n, d) => n + d.tasks, 0)).toBe(3);
  });

  it("gives a manager and a reviewer the series of their scope only, as their totals are", async () => {
    const f = await seedProject(db.orm);
    const p = f.org.people;
    const em = db.orm.em.fork();
    // Today: the seeded project has 3 tasks and 2 annotations (annotator's, reviewer's); the reviewer's is accepted.
    await em.execute(`update annotations set review_state = 'accepted', reviewed_at = now() where id = ?`, [f.annotationIds.reviewer]);
    // A workspace and project none of them is tied to, with activity today.
    const [ws] = await em.execute<{ id: number }[]>(
      `insert into workspaces (organization_id, title, is_sandbox, created_by_id, created_at, updated_at) values (?, 'Other', false, ?, now(), now()) returning id`,
      [f.org.orgId, p.owner.userId],
    );
    const [p2] = await em.execute<{ id: number }[]>(
      `insert into projects (organization_id, workspace_id, title, settings, created_by_id, task_count, created_at, updated_at)
       values (?, ?, 'Elsewhere', '{}'::jsonb, ?, 4, now(), now()) returning id`,
      [f.org.orgId, ws!.id, p.owner.userId],
    );
    const others = await em.execute<{ id: string }[]>(
      `insert into tasks (organization_id, project_id, data, created_at) select ?, ?, '{}'::jsonb, now() from generate_series(1, 4) returning id`,
      [f.org.orgId, p2!.id],
    );
    await em.execute(
      `insert into annotations (organization_id, project_id, task_id, completed_by_id, result, ground_truth, review_state, reviewed_at, created_at, updated_at)
       select ?, ?, t, ?, '1'::jsonb, false, 'accepted', now(), now(), now() from unnest(?::bigint[]) t`,
      [f.org.orgId, p2!.id, p.owner.userId, `{${others.slice(0, 3).map((t) => t.id).join(",")}}`],
    );

    const totalOf = (s: { series: { tasks: number; annotations: number; accepted: number; rejected: number }[] }) =>
      s.series.reduce((n, d) => ({ tasks: n.tasks + d.tasks, annotations: n.annotations + d.annotations, accepted: n.accepted + d.accepted, rejected: n.rejected + d.rejected }), {
        tasks: 0,
        annotations: 0,
        accepted: 0,
        rejected: 0,
      });
    const seen = async (person: keyof typeof p, scope: "own" | "project" | "workspace" | "organization") => {
      const s = await (await callerFor(db.orm, { cookies: p[person].cookies })).dashboard.summary({ scope, days: 7 });
      // The series adds up to the totals: the same projects, the same people's work.
      expect(totalOf(s)).toEqual({ tasks: s.tasks, annotations: s.annotations, accepted: s.accepted, rejected: s.rejected });
      return totalOf(s);
    };
    expect(await seen("manager", "workspace")).toEqual({ tasks: 3, annotations: 2, accepted: 1, rejected: 0 });
    expect(await seen("reviewer", "project")).toEqual({ tasks: 3, annotations: 2, accepted: 1, rejected: 0 });
    expect(await seen("reviewer", "own")).toEqual({ tasks: 1, annotations: 1, accepted: 1, rejected: 0 });
    expect(await seen("annotator", "own")).toEqual({ tasks: 1, annotations: 1, accepted: 0, rejected: 0 });
    expect(await seen("owner", "organization")).toEqual({ tasks: 7, annotations: 5, accepted: 4, rejected: 0 });
  });

  it("explains a scope beyond the role", async () => {
    const f = await seedProject(db.orm);
    const reviewer = await callerFor(db.orm, { cookies: f.org.people.reviewer.cookies });
    await expect(reviewer.dashboard.summary({ scope: "organization" })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "Reviewers can view dashboards of the projects they see only, not of the whole organization.",
    });
  });
});

describe("annotator dashboard", () => {
  it("gives the annotator's own counts and acceptance rate, in total and per day", async () => {
    const f = await seedProject(db.orm);
    const a = f.org.people.annotator;
    await annotate(f, [
      [0, a.userId, 1, "accepted"],
      [1, a.userId, 2, "accepted"],
      [2, a.userId, 3, "rejected"],
      [2, f.org.people.reviewer.userId, 3, "rejected"],
    ]);
    await db.orm.em.fork().execute(`update annotations set created_at = now() - interval '2 days' where task_id = ? and completed_by_id = ?`, [f.taskIds[2], a.userId]);
    const annotator = await callerFor(db.orm, { cookies: a.cookies });
    const d = await annotator.dashboard.annotator({ days: 5 });
    expect(d).toMatchObject({ tasks_assigned: 1, annotations: 3, accepted: 2, rejected: 1, pending: 0, acceptance_rate: 2 / 3 });
    expect(d.series.map((s) => s.annotations)).toEqual([0, 0, 1, 0, 2]);
    expect(d.series.at(-1)).toMatchObject({ accepted: 2, rejected: 0, acceptance_rate: 1 });
    expect(d.series.at(-3)).toMatchObject({ accepted: 0, rejected: 1, acceptance_rate: 0 });
    expect(d.series[0]!.acceptance_rate).toBeNull();
  });
});

describe("activity log", () => {
  it("lists the organization's changes newest first, filters them, and shows a removed member as a deleted user", async () => {
    const f = await seedProject(db.orm);
    const p = f.org.people;
    const owner = await callerFor(db.orm, { cookies: p.owner.cookies });
    const annotator = await callerFor(db.orm, { cookies: p.annotator.cookies });
    const manager = await callerFor(db.orm, { cookies: p.manager.cookies });
    const ann = await annotator.task.annotate({ id: f.taskIds[0]!, result: { choice: "neutral" } });
    await manager.annotation.review({ id: ann.id, accepted: true });
    await owner.task.assign({ id: f.projectId, task_ids: [f.taskIds[1]!], user_ids: [p.stranger.userId], kind: "annotate" });
    await owner.workspace.update({ id: f.workspaceId, title: "Renamed" });

    const all = await owner.activity.list({});
    expect(all.results.map((r) => r.action)).toEqual(["workspace.update", "task.assignAnnotators", "annotation.verify", "annotation.update"]);
    expect(all.results[3]).toMatchObject({ user: { id: p.annotator.userId, email: p.annotator.email, deleted: false }, target_type: "annotation", target_id: String(ann.id) });

    expect((await owner.activity.list({ user: p.manager.userId })).results.map((r) => r.action)).toEqual(["annotation.verify"]);
    expect((await owner.activity.list({ project: f.projectId })).results.map((r) => r.action)).toEqual(["task.assignAnnotators", "annotation.verify", "annotation.update"]);
    expect((await owner.activity.list({ workspace: f.workspaceId })).count).toBe(4);
    expect((await owner.activity.list({ search: "verify" })).results.map((r) => r.action)).toEqual(["annotation.verify"]);
    expect((await owner.activity.list({ search: p.manager.email })).count).toBe(1);
    expect((await owner.activity.list({ method: "get" })).count).toBe(0);
    expect((await owner.activity.list({ method: "POST" })).count).toBe(4);
    const today = new Date().toISOString().slice(0, 10);
    expect((await owner.activity.list({ start_date: today, end_date: today })).count).toBe(4);
    expect((await owner.activity.list({ end_date: "2000-01-01" })).count).toBe(0);
    const page = await owner.activity.list({ page: 2, page_size: 3 });
    expect(page).toMatchObject({ count: 4, next: null, previous: expect.stringContaining("page=1") });
    expect(page.results).toHaveLength(1);

    await owner.member.remove({ id: 0, user_id: p.annotator.userId });
    const after = await owner.activity.list({ user: p.annotator.userId });
    expect(after.results).toHaveLength(1);
    expect(after.results[0]!.user).toEqual({ id: p.annotator.userId, email: null, name: "deleted user", deleted: true });
    // A removed member is not found by their email any more.
    expect((await owner.activity.list({ search: p.annotator.email })).count).toBe(0);
  });

  it("refuses a malformed date with the field named", async () => {
    const f = await seedProject(db.orm);
    const owner = await callerFor(db.orm, { cookies: f.org.people.owner.cookies });
    await expect(owner.activity.list({ start_date: "yesterday" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("start_date") });
  });
});
