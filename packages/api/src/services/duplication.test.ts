// Project duplication: the request (rights on the source and the destination, bad input, one
// transaction with the pg-boss job), the copy of each mode (exactly what it should, nothing
// else), job reads, and the attempt protocol (idempotent, one attempt at a time, dead attempts
// handed back to pg-boss). The copy is run here in-process with runDuplication, as the worker
// does; apps/worker's tests run it in a real worker process, and kill one mid-copy.
import { generateOpenApiDocument } from "trpc-to-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type PgBoss from "pg-boss";
import { appRouter } from "../root.js";
import {
  closeQueueClients,
  enqueueInTransaction,
  jobLockKeySql,
  queueClientFor,
  runJobAttempt,
  sweepDeadAttempts,
  JobBusyError,
  DEAD_ATTEMPT_MESSAGE,
  INTERNAL_ERROR_MESSAGE,
} from "../jobs/index.js";
import { callerFor, createTestDatabase, refusal, seedOrganization, type SeededOrganization, type TestDatabase } from "../testing/index.js";
import { DUPLICATE_KIND, runDuplication } from "./duplication.js";

let db: TestDatabase;
let boss: PgBoss;
beforeAll(async () => {
  db = await createTestDatabase();
  boss = await queueClientFor(db.url);
});
afterAll(async () => {
  await closeQueueClients();
  await db.close();
});

const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) => db.orm.em.getConnection().execute<T[]>(text, params);
const one = async <T = Record<string, unknown>>(text: string, params: unknown[] = []) => (await sql<T>(text, params))[0]!;
const count = async (text: string, params: unknown[] = []) => Number((await one<{ n: string }>(text, params)).n);

const PEOPLE = {
  owner: "owner",
  admin: "administrator",
  /** Member of the workspace Team: duplicates within their scope. */
  manager: "manager",
  /** A manager of nothing in particular. */
  outsider: "manager",
  reviewer: "reviewer",
  /** A direct member of the source project, assigned some of its tasks. */
  annotator: "annotator",
  pending: "pending",
} as const;
type Who = keyof typeof PEOPLE;

interface Fixture {
  org: SeededOrganization<Who>;
  /** Workspace "Team" (manager is a member), where the source lives. */
  team: number;
  /** Workspace "Elsewhere": nobody is a member. */
  elsewhere: number;
  sandbox: Record<Who, number>;
  source: number;
  /** Another project of the organization, whose rows must never leak into a copy. */
  other: number;
}

const SETTINGS = { annotators_may_view_own_data: true, labeling_restricted_to_assigned: false };
const LABEL_CONFIG = '<View><Image name="image" value="$image"/><RectangleLabels name="label" toName="image"><Label value="Car"/></RectangleLabels></View>';

/** Tasks with JSON like an import's, `k` annotations each by `authors`, some ground truth, some reviewed. */
async function seedRows(orgId: number, projectId: number, tasks: number, perTask: number, authors: number[], reviewer: number) {
  await sql(
    `insert into tasks (organization_id, project_id, data, created_at)
     select ?, ?, jsonb_build_object('n', i, 'text', 'Task ' || i || ': ' || md5(i::text || ?), 'image', 'https://img.example/' || i || '.jpg'),
            now() - make_interval(secs => ?::int - i)
       from generate_series(1, ?::int) i`,
    [orgId, projectId, String(projectId), tasks, tasks],
  );
  await sql(
    `insert into annotations (organization_id, project_id, task_id, completed_by_id, result, ground_truth, review_state,
                              reviewed_by_id, review_comment, reviewed_at, created_at, updated_at)
     select ?, ?, t.id, (?::int[])[1 + (k % cardinality(?::int[]))],
            jsonb_build_array(jsonb_build_object('from_name', 'label', 'value', jsonb_build_object('x', k * 1.5, 'rectanglelabels', jsonb_build_array('Car')), 'n', t.data->'n')),
            (t.data->>'n')::int % 5 = 0 and k = 1,
            case when k = 2 then 'accepted' when k = 3 then 'rejected' else 'pending' end,
            case when k in (2, 3) then ?::int end, case when k = 3 then 'redo the box' end, case when k in (2, 3) then now() end,
            now() - make_interval(secs => k), now()
       from tasks t cross join generate_series(1, ?::int) k
      where t.project_id = ?`,
    [orgId, projectId, `{${authors.join(",")}}`, `{${authors.join(",")}}`, reviewer, perTask, projectId],
  );
  await sql(`update projects set task_count = ? where id = ?`, [tasks, projectId]);
}

async function fixture(opts: { tasks?: number; perTask?: number } = {}): Promise<Fixture> {
  const org = await seedOrganization(db.orm, PEOPLE);
  const p = org.people;
  const sandbox = {} as Record<Who, number>;
  for (const who of Object.keys(PEOPLE) as Who[]) {
    sandbox[who] = (
      await one<{ id: number }>(
        `insert into workspaces (organization_id, title, color, description, is_sandbox, sandbox_user_id, created_by_id, created_at, updated_at)
         values (?, 'Sandbox', '#868e96', '', true, ?, ?, now(), now()) returning id`,
        [org.orgId, p[who].userId, p[who].userId],
      )
    ).id;
  }
  const ws = async (title: string) =>
    (
      await one<{ id: number }>(
        `insert into workspaces (organization_id, title, color, description, is_sandbox, created_by_id, created_at, updated_at)
         values (?, ?, '#1c7ed6', '', false, ?, now(), now()) returning id`,
        [org.orgId, title, p.owner.userId],
      )
    ).id;
  const team = await ws("Team");
  const elsewhere = await ws("Elsewhere");
  await sql(`insert into workspace_members (organization_id, workspace_id, user_id, source, created_at) values (?, ?, ?, 'manual', now())`, [
    org.orgId,
    team,
    p.manager.userId,
  ]);
  const project = async (title: string, workspace: number) =>
    (
      await one<{ id: number }>(
        `insert into projects (organization_id, workspace_id, title, description, label_config, settings, created_by_id, pinned_at, pinned_by_id, task_count, created_at, updated_at)
         values (?, ?, ?, 'Street scenes, first batch', ?, ?::jsonb, ?, now(), ?, 0, now(), now()) returning id`,
        [org.orgId, workspace, title, LABEL_CONFIG, JSON.stringify(SETTINGS), p.owner.userId, p.owner.userId],
      )
    ).id;
  const source = await project("Street scenes", team);
  const other = await project("Other", team);
  const authors = [p.annotator.userId, p.reviewer.userId, p.manager.userId];
  await seedRows(org.orgId, source, opts.tasks ?? 60, opts.perTask ?? 3, authors, p.reviewer.userId);
  await seedRows(org.orgId, other, 7, 2, authors, p.reviewer.userId);
  // Members, assignments and log rows of the source: none of them is copied.
  await sql(`insert into project_members (organization_id, project_id, user_id, direct, assigned, source, created_at) values (?, ?, ?, true, true, 'manual', now())`, [
    org.orgId,
    source,
    p.annotator.userId,
  ]);
  await sql(
    `insert into task_assignments (organization_id, project_id, task_id, user_id, kind, created_at)
     select organization_id, project_id, id, ?, 'annotate', now() from tasks where project_id = ? order by id limit 10`,
    [p.annotator.userId, source],
  );
  await sql(
    `insert into activity_logs (organization_id, actor_id, action, target_type, target_id, method, path, ip, created_at)
     values (?, ?, 'project.pin', 'project', ?, 'POST', '/trpc', '', now())`,
    [org.orgId, p.owner.userId, String(source)],
  );
  return { org, team, elsewhere, sandbox, source, other };
}

const as = (f: Fixture, who: Who) => callerFor(db.orm, { cookies: f.org.people[who].cookies });

async function queuedJobs(): Promise<number> {
  return count(`select count(*) as n from pgboss.job where name = ?`, [DUPLICATE_KIND]);
}

/** Everything a refused request must leave as it was. */
async function snapshot() {
  return {
    jobs: await count(`select count(*) as n from jobs`),
    queued: await queuedJobs(),
    logs: await count(`select count(*) as n from activity_logs`),
    projects: await count(`select count(*) as n from projects`),
  };
}

async function jobRow(id: string) {
  return one<{ status: string; progress: number; steps: { step: string; rows: number }[]; result_project_id: number | null; error: string | null; attempts: number }>(
    `select status, progress, steps, result_project_id, error, attempts from jobs where id = ?`,
    [id],
  );
}

async function tasksOf(projectId: number) {
  return sql<{ id: string; data: Record<string, unknown>; created_at: Date; organization_id: number }>(
    `select id, data, created_at, organization_id from tasks where project_id = ? order by id`,
    [projectId],
  );
}

/** Annotations with their task's `data.n` (tasks are matched by content, their ids differ). */
async function annotationsOf(projectId: number) {
  return sql<{
    n: number;
    task_project: number;
    result: unknown;
    completed_by_id: number | null;
    ground_truth: boolean;
    review_state: string;
    reviewed_by_id: number | null;
    review_comment: string | null;
    reviewed_at: Date | null;
    created_at: Date;
  }>(
    `select (t.data->>'n')::int as n, t.project_id as task_project, a.result, a.completed_by_id, a.ground_truth, a.review_state,
            a.reviewed_by_id, a.review_comment, a.reviewed_at, a.created_at
       from annotations a join tasks t on t.id = a.task_id where a.project_id = ? order by n, a.created_at, a.id`,
    [projectId],
  );
}

async function projectRow(id: number) {
  return one<Record<string, unknown>>(`select * from projects where id = ?`, [id]);
}

/** Request as `who`, run the job, and return the finished job row and the new project's id. */
async function duplicateAndRun(f: Fixture, who: Who, input: Partial<Parameters<Awaited<ReturnType<typeof as>>["project"]["duplicate"]>[0]> = {}) {
  const { job_id } = await (await as(f, who)).project.duplicate({ id: f.source, mode: "settings,data,annotations", title: "Copy", ...input });
  const outcome = await runDuplication(db.orm, job_id, { chunkTasks: 25 });
  expect(outcome.outcome).toBe("succeeded");
  const job = await jobRow(job_id);
  expect(job.status).toBe("succeeded");
  return { jobId: job_id, projectId: job.result_project_id!, job };
}

describe("project.duplicate copies what its mode says, and nothing else", () => {
  it('"settings": title, description, label configuration and settings; no tasks, pin, members', async () => {
    const f = await fixture();
    const { projectId, job } = await duplicateAndRun(f, "admin", { mode: "settings", title: "  Street scenes (template)  ", workspace: f.team });
    const src = await projectRow(f.source);
    const copy = await projectRow(projectId);
    expect(copy).toMatchObject({
      organization_id: f.org.orgId,
      workspace_id: f.team,
      title: "Street scenes (template)",
      description: src.description,
      label_config: LABEL_CONFIG,
      settings: SETTINGS,
      created_by_id: f.org.people.admin.userId,
      pinned_at: null,
      pinned_by_id: null,
      task_count: 0,
    });
    expect(await count(`select count(*) as n from tasks where project_id = ?`, [projectId])).toBe(0);
    expect(await count(`select count(*) as n from annotations where project_id = ?`, [projectId])).toBe(0);
    expect(await count(`select count(*) as n from project_members where project_id = ?`, [projectId])).toBe(0);
    expect(job.progress).toBe(1);
    expect(job.steps).toEqual([expect.objectContaining({ step: "project", rows: 1 })]);
  });

  it('"settings,data": every task of the source (data and dates), in order, under new ids; no annotations or assignments', async () => {
    const f = await fixture();
    const { projectId, job } = await duplicateAndRun(f, "manager", { mode: "settings,data", description: "For the second vendor" });
    const copy = await projectRow(projectId);
    expect(copy).toMatchObject({ description: "For the second vendor", workspace_id: f.sandbox.manager, task_count: 60, settings: SETTINGS });
    const [before, after] = [await tasksOf(f.source), await tasksOf(projectId)];
    expect(after).toHaveLength(60);
    expect(after.map((t) => t.data)).toEqual(before.map((t) => t.data));
    expect(after.map((t) => t.created_at)).toEqual(before.map((t) => t.created_at));
    expect(after.every((t) => t.organization_id === f.org.orgId)).toBe(true);
    const sourceIds = new Set(before.map((t) => t.id));
    expect(after.some((t) => sourceIds.has(t.id))).toBe(false);
    expect(await count(`select count(*) as n from annotations where project_id = ?`, [projectId])).toBe(0);
    expect(await count(`select count(*) as n from task_assignments where project_id = ?`, [projectId])).toBe(0);
    expect(job.steps.map((s) => [s.step, s.rows])).toEqual([
      ["project", 1],
      ["task_map", 60],
      ["tasks", 60],
    ]);
    // The source is untouched.
    expect(await tasksOf(f.source)).toEqual(before);
  });

  it('"settings,data,annotations": every annotation on its copied task, author and ground truth kept, reviews not copied', async () => {
    const f = await fixture();
    const before = await annotationsOf(f.source);
    const { projectId, job } = await duplicateAndRun(f, "owner", { workspace: f.elsewhere });
    const after = await annotationsOf(projectId);
    expect(after).toHaveLength(180);
    expect(after.every((a) => a.task_project === projectId)).toBe(true);
    expect(after.map((a) => [a.n, a.result, a.completed_by_id, a.ground_truth, a.created_at])).toEqual(
      before.map((a) => [a.n, a.result, a.completed_by_id, a.ground_truth, a.created_at]),
    );
    expect(after.filter((a) => a.ground_truth)).toHaveLength(12);
    // Reviews are the source's: the copies wait for their own.
    expect(before.filter((a) => a.review_state !== "pending")).toHaveLength(120);
    expect(after.every((a) => a.review_state === "pending" && a.reviewed_by_id === null && a.review_comment === null && a.reviewed_at === null)).toBe(true);
    expect(await count(`select count(*) as n from tasks where project_id = ?`, [projectId])).toBe(60);
    expect(await count(`select count(*) as n from task_assignments where project_id = ?`, [projectId])).toBe(0);
    expect(await count(`select count(*) as n from project_members where project_id = ?`, [projectId])).toBe(0);
    expect(job.steps.map((s) => [s.step, s.rows])).toEqual([
      ["project", 1],
      ["task_map", 60],
      ["tasks", 60],
      ["annotations", 180],
    ]);
    expect(await annotationsOf(f.source)).toEqual(before);
  });

  it("ground_truth marks every copied annotation as ground truth, and only the copies", async () => {
    const f = await fixture();
    const { projectId } = await duplicateAndRun(f, "admin", { ground_truth: true });
    const after = await annotationsOf(projectId);
    expect(after).toHaveLength(180);
    expect(after.every((a) => a.ground_truth)).toBe(true);
    expect((await annotationsOf(f.source)).filter((a) => a.ground_truth)).toHaveLength(12);
  });

  it("copies an empty project, and a project whose tasks fill chunks exactly", async () => {
    const f = await fixture({ tasks: 0 });
    const { projectId } = await duplicateAndRun(f, "admin");
    expect((await projectRow(projectId)).task_count).toBe(0);
    const g = await fixture({ tasks: 50, perTask: 1 });
    const { projectId: copy } = await duplicateAndRun(g, "admin");
    expect(await count(`select count(*) as n from tasks where project_id = ?`, [copy])).toBe(50);
    expect(await count(`select count(*) as n from annotations where project_id = ?`, [copy])).toBe(50);
  });

  it("lands in the caller's sandbox by default: only the caller sees it", async () => {
    const f = await fixture();
    const { projectId } = await duplicateAndRun(f, "manager", { title: "Mine" });
    expect((await projectRow(projectId)).workspace_id).toBe(f.sandbox.manager);
    expect((await (await as(f, "manager")).project.get({ id: projectId })).title).toBe("Mine");
    for (const who of ["owner", "admin", "outsider", "annotator"] as const) {
      expect((await refusal((await as(f, who)).project.get({ id: projectId }))).code).toBe("NOT_FOUND");
    }
  });

  it("lands in the named workspace, seen by whoever sees that workspace's projects, not by the source's members", async () => {
    const f = await fixture();
    const { projectId } = await duplicateAndRun(f, "admin", { workspace: f.team, title: "Team copy" });
    for (const who of ["owner", "admin", "manager", "outsider"] as const) {
      expect((await (await as(f, who)).project.get({ id: projectId })).workspace).toBe(f.team);
    }
    // The annotator reaches the source as its member; members are not copied.
    expect((await (await as(f, "annotator")).project.get({ id: f.source })).id).toBe(f.source);
    expect((await refusal((await as(f, "annotator")).project.get({ id: projectId }))).code).toBe("NOT_FOUND");
    // The requester may manage what they made.
    expect((await (await as(f, "admin")).project.update({ id: projectId, title: "Renamed copy" })).title).toBe("Renamed copy");
  });

  it("logs the request (server) and the completion (worker), and copies none of the source's log", async () => {
    const f = await fixture();
    const { jobId, projectId } = await duplicateAndRun(f, "manager", { workspace: f.team, mode: "settings,data" });
    const logs = await sql<{ action: string; actor_id: number; target_id: string; changes: Record<string, { after: unknown }> }>(
      `select action, actor_id, target_id, changes from activity_logs where organization_id = ? and action like 'project.duplicate%' order by id`,
      [f.org.orgId],
    );
    expect(logs.map((l) => [l.action, l.actor_id, l.target_id])).toEqual([
      ["project.duplicate", f.org.people.manager.userId, String(f.source)],
      ["project.duplicate.complete", f.org.people.manager.userId, String(projectId)],
    ]);
    expect(logs[0]!.changes.job!.after).toBe(jobId);
    expect(logs[1]!.changes).toMatchObject({ job: { after: jobId }, source: { after: f.source }, tasks: { after: 60 } });
    expect(await count(`select count(*) as n from activity_logs where target_type = 'project' and target_id = ?`, [String(projectId)])).toBe(1);
  });
});

describe("who may duplicate what, and where to", () => {
  it("owner, administrator and the manager in scope may; reviewers, annotators, pending members and managers out of scope may not", async () => {
    const f = await fixture({ tasks: 3 });
    const before = await snapshot();
    const refused: [Who, string][] = [];
    for (const who of ["outsider", "reviewer", "annotator", "pending"] as const) {
      refused.push([who, (await refusal((await as(f, who)).project.duplicate({ id: f.source, mode: "settings", title: "Nope" }))).code]);
    }
    expect(refused).toEqual([
      ["outsider", "FORBIDDEN"],
      ["reviewer", "FORBIDDEN"],
      ["annotator", "FORBIDDEN"],
      ["pending", "FORBIDDEN"],
    ]);
    expect(await snapshot()).toEqual(before);
    for (const who of ["owner", "admin", "manager"] as const) {
      const { job_id } = await (await as(f, who)).project.duplicate({ id: f.source, mode: "settings", title: `By ${who}` });
      expect(job_id).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(await queuedJobs()).toBe(before.queued + 3);
  });

  it("a manager may duplicate a project they created, into their sandbox but not into a workspace they do not manage", async () => {
    const f = await fixture({ tasks: 3 });
    const outsider = await as(f, "outsider");
    const own = (await outsider.workspace.create({ title: "Outsider's own", color: "#ff0000" })).id;
    const mine = (await outsider.project.create({ title: "Outsider's", workspace: own })).id;
    expect((await outsider.project.duplicate({ id: mine, mode: "settings", title: "Copy of mine" })).job_id).toBeTruthy();
    const before = await snapshot();
    const err = await refusal(outsider.project.duplicate({ id: mine, mode: "settings", title: "Copy", workspace: f.team }));
    expect(err.code).toBe("FORBIDDEN");
    expect(err.message).toMatch(/create projects/i);
    expect(await snapshot()).toEqual(before);
  });

  it("another person's sandbox, as source or destination, does not exist for the caller", async () => {
    const f = await fixture({ tasks: 3 });
    const inSandbox = (await (await as(f, "manager")).project.create({ title: "Private" })).id;
    const before = await snapshot();
    expect((await refusal((await as(f, "owner")).project.duplicate({ id: inSandbox, mode: "settings", title: "Peek" }))).code).toBe("NOT_FOUND");
    const err = await refusal((await as(f, "owner")).project.duplicate({ id: f.source, mode: "settings", title: "Drop", workspace: f.sandbox.manager }));
    expect([err.code, err.message]).toEqual(["NOT_FOUND", "Workspace not found."]);
    expect(await snapshot()).toEqual(before);
    // Their owner may copy it, into their own sandbox.
    expect((await (await as(f, "manager")).project.duplicate({ id: inSandbox, mode: "settings", title: "Private 2" })).job_id).toBeTruthy();
  });

  it("the copy runs with the requester's rights as they are when it runs", async () => {
    const f = await fixture({ tasks: 3 });
    const { job_id } = await (await as(f, "manager")).project.duplicate({ id: f.source, mode: "settings,data", title: "Late", workspace: f.team });
    await sql(`update memberships set role = 'annotator' where organization_id = ? and user_id = ?`, [f.org.orgId, f.org.people.manager.userId]);
    const before = await count(`select count(*) as n from projects`);
    const outcome = await runDuplication(db.orm, job_id);
    expect(outcome).toMatchObject({ outcome: "failed", error: expect.stringMatching(/Annotators/) });
    expect(await jobRow(job_id)).toMatchObject({ status: "failed", result_project_id: null, attempts: 1 });
    expect(await count(`select count(*) as n from projects`)).toBe(before);
  });
});

describe("bad input is refused with a clear message, and queues nothing", () => {
  it("refuses an unknown mode, a title too short or too long, ground_truth without annotations", async () => {
    const f = await fixture({ tasks: 3 });
    const admin = await as(f, "admin");
    const before = await snapshot();
    /** The code and each zod issue as `field: message` (what REST clients read in `issues`). */
    const bad = async (input: Record<string, unknown>) => {
      const err = await refusal(admin.project.duplicate({ id: f.source, mode: "settings", title: "Fine title", ...input } as never));
      const issues = (err.cause as { issues?: { path: PropertyKey[]; message: string }[] } | undefined)?.issues ?? [];
      return [err.code, ...issues.map((i) => `${i.path.map(String).join(".")}: ${i.message}`)];
    };
    const modes = 'mode: must be one of "settings", "settings,data", "settings,data,annotations"';
    expect(await bad({ mode: "everything" })).toEqual(["BAD_REQUEST", modes]);
    expect(await bad({ mode: "settings_and_tasks" })).toEqual(["BAD_REQUEST", modes]);
    expect(await bad({ title: "ab" })).toEqual(["BAD_REQUEST", "title: must be 3 to 50 characters"]);
    expect(await bad({ title: "   ab   " })).toEqual(["BAD_REQUEST", "title: must be 3 to 50 characters"]);
    expect(await bad({ title: "x".repeat(51) })).toEqual(["BAD_REQUEST", "title: must be 3 to 50 characters"]);
    expect(await bad({ mode: "settings,data", ground_truth: true })).toEqual([
      "BAD_REQUEST",
      'ground_truth: applies only to mode "settings,data,annotations"',
    ]);
    expect(await snapshot()).toEqual(before);
    // The bounds themselves are fine.
    expect((await admin.project.duplicate({ id: f.source, mode: "settings", title: "abc" })).job_id).toBeTruthy();
    expect((await admin.project.duplicate({ id: f.source, mode: "settings", title: "y".repeat(50) })).job_id).toBeTruthy();
  });

  it("a workspace or a project of another organization, or none at all, is NOT_FOUND", async () => {
    const f = await fixture({ tasks: 3 });
    const g = await fixture({ tasks: 3 });
    const admin = await as(f, "admin");
    const before = await snapshot();
    const refusedWith = async (input: { id: number; workspace?: number }) => {
      const err = await refusal(admin.project.duplicate({ mode: "settings", title: "Somewhere", ...input }));
      return [err.code, err.message];
    };
    expect(await refusedWith({ id: f.source, workspace: g.team })).toEqual(["NOT_FOUND", "Workspace not found."]);
    expect(await refusedWith({ id: f.source, workspace: 2_000_000_000 })).toEqual(["NOT_FOUND", "Workspace not found."]);
    expect(await refusedWith({ id: g.source })).toEqual(["NOT_FOUND", "Project not found."]);
    expect(await refusedWith({ id: 2_000_000_000 })).toEqual(["NOT_FOUND", "Project not found."]);
    expect(await snapshot()).toEqual(before);
  });
});

describe("the job is queued in the request's transaction", () => {
  it("a request leaves one jobs row, one pg-boss job with the same id (retried up to its limit), and one log row", async () => {
    const f = await fixture({ tasks: 3 });
    const before = await snapshot();
    const { job_id } = await (await as(f, "admin")).project.duplicate({ id: f.source, mode: "settings", title: "Queued" });
    expect(await snapshot()).toEqual({ ...before, jobs: before.jobs + 1, queued: before.queued + 1, logs: before.logs + 1 });
    const queued = await boss.getJobById<{ jobId: string }>(DUPLICATE_KIND, job_id);
    expect(queued).toMatchObject({ id: job_id, state: "created", data: { jobId: job_id } });
    expect(queued!.retryLimit).toBeGreaterThanOrEqual(2);
    expect(await jobRow(job_id)).toMatchObject({ status: "queued", progress: 0, steps: [], attempts: 0 });
  });

  it("a transaction that rolls back after queueing leaves no pg-boss job", async () => {
    const before = await queuedJobs();
    const id = crypto.randomUUID();
    await expect(
      db.orm.em.fork().transactional(async (em) => {
        await enqueueInTransaction(em, DUPLICATE_KIND, { jobId: id }, { id });
        expect(await count(`select count(*) as n from pgboss.job where id = ?`, [id])).toBe(0); // not visible outside
        throw new Error("refused after the send");
      }),
    ).rejects.toThrow("refused after the send");
    expect(await queuedJobs()).toBe(before);
    expect(await boss.getJobById(DUPLICATE_KIND, id)).toBeNull();
    await expect(enqueueInTransaction(db.orm.em.fork(), DUPLICATE_KIND, { jobId: id })).rejects.toThrow(/open transaction/);
  });
});

describe("job.get", () => {
  it("shows the requester and administrators/owner the job; others get NOT_FOUND", async () => {
    const f = await fixture({ tasks: 3 });
    const g = await fixture({ tasks: 3 });
    const { job_id } = await (await as(f, "manager")).project.duplicate({ id: f.source, mode: "settings,data", title: "Watched", workspace: f.team });
    const queued = await (await as(f, "manager")).job.get({ id: job_id });
    expect(queued).toMatchObject({ id: job_id, kind: "project.duplicate", status: "queued", progress: 0, steps: [] });
    expect(queued).not.toHaveProperty("project_id");
    await runDuplication(db.orm, job_id);
    for (const who of ["manager", "admin", "owner"] as const) {
      const job = await (await as(f, who)).job.get({ id: job_id });
      expect(job).toMatchObject({ status: "succeeded", progress: 1, project_id: expect.any(Number) });
      expect(job.steps.map((s) => s.step)).toEqual(["project", "task_map", "tasks"]);
      expect(job).not.toHaveProperty("error");
    }
    for (const who of ["outsider", "reviewer", "annotator"] as const) {
      const err = await refusal((await as(f, who)).job.get({ id: job_id }));
      expect([err.code, err.message]).toEqual(["NOT_FOUND", "Job not found."]);
    }
    expect((await refusal(callerFor(db.orm, { cookies: g.org.people.owner.cookies }).then((c) => c.job.get({ id: job_id })))).code).toBe("NOT_FOUND");
    expect((await refusal((await as(f, "admin")).job.get({ id: "not-a-job" }))).code).toBe("BAD_REQUEST");
    expect((await refusal((await as(f, "pending")).job.get({ id: job_id }))).code).toBe("FORBIDDEN");
  });

  it("shows progress while an attempt runs, and its result only when it commits", async () => {
    const f = await fixture({ tasks: 3 });
    const { job_id } = await (await as(f, "admin")).project.duplicate({ id: f.source, mode: "settings", title: "Slow" });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let reported!: () => void;
    const reportedOnce = new Promise<void>((r) => (reported = r));
    const attempt = runJobAttempt(db.orm, job_id, DUPLICATE_KIND, async ({ em, report }) => {
      const [row] = await em.execute<{ id: number }[]>(
        `insert into projects (organization_id, workspace_id, title, settings, created_at, updated_at) values (?, ?, 'Half done', '{}', now(), now()) returning id`,
        [f.org.orgId, f.team],
      );
      await report("project", 1, 0.25);
      reported();
      await gate;
      return { resultProjectId: row!.id };
    });
    await reportedOnce;
    const admin = await as(f, "admin");
    expect(await admin.job.get({ id: job_id })).toMatchObject({ status: "running", progress: 0.25, steps: [{ step: "project", rows: 1 }] });
    expect(await count(`select count(*) as n from projects where title = 'Half done'`)).toBe(0);
    release();
    expect(await attempt).toMatchObject({ outcome: "succeeded" });
    const done = await admin.job.get({ id: job_id });
    expect(done).toMatchObject({ status: "succeeded", progress: 1, steps: [{ step: "project", rows: 1 }] });
    expect(await count(`select count(*) as n from projects where title = 'Half done' and id = ?`, [done.project_id])).toBe(1);
  });
});

describe("attempts: idempotent, one at a time, failures retried then given up, dead ones handed back", () => {
  it("a retried job that already succeeded does nothing", async () => {
    const f = await fixture();
    const { jobId, projectId } = await duplicateAndRun(f, "admin", { title: "Once" });
    const projects = await count(`select count(*) as n from projects`);
    const tasks = await count(`select count(*) as n from tasks`);
    expect(await runDuplication(db.orm, jobId)).toEqual({ outcome: "skipped", status: "succeeded" });
    expect(await count(`select count(*) as n from projects`)).toBe(projects);
    expect(await count(`select count(*) as n from tasks`)).toBe(tasks);
    expect(await jobRow(jobId)).toMatchObject({ status: "succeeded", result_project_id: projectId, attempts: 1 });
  });

  it("an attempt that finds the job held by another attempt does nothing and leaves it to pg-boss", async () => {
    const f = await fixture({ tasks: 5 });
    const { job_id } = await (await as(f, "admin")).project.duplicate({ id: f.source, mode: "settings,data", title: "Held" });
    const holder = await db.orm.em.fork().getConnection().getKnex().transaction();
    try {
      await holder.raw(`select pg_advisory_xact_lock(${jobLockKeySql("?")})`, [job_id]);
      await expect(runDuplication(db.orm, job_id)).rejects.toBeInstanceOf(JobBusyError);
      expect(await jobRow(job_id)).toMatchObject({ status: "queued", attempts: 0 });
    } finally {
      await holder.rollback();
    }
    expect(await runDuplication(db.orm, job_id)).toMatchObject({ outcome: "succeeded" });
  });

  it("two attempts at once (two workers handed the same job) make one copy", async () => {
    const f = await fixture({ tasks: 200, perTask: 2 });
    const { job_id } = await (await as(f, "admin")).project.duplicate({ id: f.source, mode: "settings,data,annotations", title: "Raced" });
    const results = await Promise.allSettled([runDuplication(db.orm, job_id, { chunkTasks: 50 }), runDuplication(db.orm, job_id, { chunkTasks: 50 })]);
    const outcomes = results.map((r) => (r.status === "fulfilled" ? r.value.outcome : (r.reason as Error).name)).sort();
    // The loser either found the job held (and leaves it to pg-boss) or, coming second, found it done.
    expect([["JobBusyError", "succeeded"], ["skipped", "succeeded"]]).toContainEqual(outcomes);
    expect(await count(`select count(*) as n from projects where title = 'Raced'`)).toBe(1);
    expect(await jobRow(job_id)).toMatchObject({ status: "succeeded", attempts: 1 });
  });

  it("a failed attempt rolls back everything it wrote and is retried; after the last attempt the job fails", async () => {
    const f = await fixture({ tasks: 3 });
    const { job_id } = await (await as(f, "admin")).project.duplicate({ id: f.source, mode: "settings", title: "Doomed" });
    const projects = await count(`select count(*) as n from projects`);
    const failing = () =>
      runJobAttempt(db.orm, job_id, DUPLICATE_KIND, async ({ em, report }) => {
        await em.execute(`insert into projects (organization_id, workspace_id, title, settings, created_at, updated_at) values (?, ?, 'Partial', '{}', now(), now())`, [
          f.org.orgId,
          f.team,
        ]);
        await report("project", 1, 0.5);
        throw new Error("disk full");
      }, { maxAttempts: 2, onError: (err) => logged.push((err as Error).message) });
    const logged: string[] = [];
    // The requester reads that something went wrong; the details (the thrown error) go to the worker's log.
    await expect(failing()).rejects.toThrow("disk full");
    expect(await jobRow(job_id)).toMatchObject({ status: "queued", error: INTERNAL_ERROR_MESSAGE, attempts: 1 });
    expect(await count(`select count(*) as n from projects`)).toBe(projects);
    const gaveUp = `Gave up after 2 attempts: ${INTERNAL_ERROR_MESSAGE}`;
    expect(await failing()).toEqual({ outcome: "failed", error: gaveUp });
    expect(await jobRow(job_id)).toMatchObject({ status: "failed", error: gaveUp, attempts: 2 });
    expect(logged).toEqual(["disk full", "disk full"]);
    expect(await count(`select count(*) as n from projects`)).toBe(projects);
  });

  it("the source deleted before the copy runs fails the job at once with a clear message", async () => {
    const f = await fixture({ tasks: 3 });
    const { job_id } = await (await as(f, "admin")).project.duplicate({ id: f.source, mode: "settings,data,annotations", title: "Gone" });
    await (await as(f, "admin")).project.delete({ id: f.source });
    expect(await runDuplication(db.orm, job_id)).toEqual({ outcome: "failed", error: "Project not found." });
    expect(await jobRow(job_id)).toMatchObject({ status: "failed", error: "Project not found.", result_project_id: null });
    expect((await (await as(f, "admin")).job.get({ id: job_id })).error).toBe("Project not found.");
  });

  it("a job marked running whose lock nobody holds (its worker died) is handed back to pg-boss; a live one is left alone", async () => {
    const f = await fixture({ tasks: 3 });
    const { job_id } = await (await as(f, "admin")).project.duplicate({ id: f.source, mode: "settings", title: "Orphan" });
    // A worker took it from pg-boss and started (running, one attempt) …
    const taken = await boss.fetch(DUPLICATE_KIND, { batchSize: 1000 });
    expect(taken.map((j) => j.id)).toContain(job_id);
    await sql(`update jobs set status = 'running', attempts = 1, started_at = now() where id = ?`, [job_id]);
    // … and is alive: it holds the lock.
    const holder = await db.orm.em.fork().getConnection().getKnex().transaction();
    try {
      await holder.raw(`select pg_advisory_xact_lock(${jobLockKeySql("?")})`, [job_id]);
      expect(await sweepDeadAttempts(boss, [DUPLICATE_KIND])).not.toContain(job_id);
      expect((await jobRow(job_id)).status).toBe("running");
    } finally {
      await holder.rollback(); // … and now it died.
    }
    expect(await sweepDeadAttempts(boss, [DUPLICATE_KIND])).toContain(job_id);
    expect(await jobRow(job_id)).toMatchObject({ status: "queued", error: DEAD_ATTEMPT_MESSAGE, attempts: 1 });
    expect((await boss.getJobById(DUPLICATE_KIND, job_id))?.state).toBe("retry");
    // The retry copies, once.
    expect(await runDuplication(db.orm, job_id)).toMatchObject({ outcome: "succeeded" });
    expect(await jobRow(job_id)).toMatchObject({ status: "succeeded", attempts: 2 });
    expect(await count(`select count(*) as n from projects where title = 'Orphan'`)).toBe(1);
  });

  it("a job pg-boss handed out over a minute ago whose worker died before starting it is handed back too", async () => {
    const f = await fixture({ tasks: 3 });
    const { job_id } = await (await as(f, "admin")).project.duplicate({ id: f.source, mode: "settings", title: "Never started" });
    const taken = await boss.fetch(DUPLICATE_KIND, { batchSize: 1000 });
    expect(taken.map((j) => j.id)).toContain(job_id);
    // Just handed out: its worker may be about to start it.
    expect(await sweepDeadAttempts(boss, [DUPLICATE_KIND])).not.toContain(job_id);
    await sql(`update pgboss.job set started_on = now() - interval '2 minutes' where id = ?`, [job_id]);
    expect(await sweepDeadAttempts(boss, [DUPLICATE_KIND])).toContain(job_id);
    expect(await jobRow(job_id)).toMatchObject({ status: "queued", error: DEAD_ATTEMPT_MESSAGE, attempts: 0 });
    expect((await boss.getJobById(DUPLICATE_KIND, job_id))?.state).toBe("retry");
    expect(await runDuplication(db.orm, job_id)).toMatchObject({ outcome: "succeeded" });
  });
});

describe("the REST face", () => {
  it("documents POST /projects/{id}/duplicate and GET /jobs/{id}", () => {
    const doc = generateOpenApiDocument(appRouter, { title: "t", version: "1", baseUrl: "/api" });
    const duplicate = doc.paths?.["/projects/{id}/duplicate"]?.post;
    expect(duplicate).toBeDefined();
    expect(JSON.stringify(duplicate)).toContain("settings,data,annotations");
    expect(doc.paths?.["/jobs/{id}"]?.get).toBeDefined();
  });
});
