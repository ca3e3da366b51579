// Duplication through real worker processes: a request answered by a worker, and a worker
// killed (SIGKILL) in the middle of a copy, whose job another worker then finishes, once.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeQueueClients, queueClientFor, sweepDeadAttempts, type PgBoss } from "@lattice/api";
import { callerFor, createTestDatabase, seedOrganization, type TestDatabase } from "@lattice/api/testing";

const appDir = path.resolve(import.meta.dirname, "../..");

interface Worker {
  child: ChildProcessWithoutNullStreams;
  out: { stdout: string; stderr: string };
  exited: Promise<number | null>;
}

function spawnWorker(databaseUrl: string, pollSeconds = 0.5): Worker {
  const child = spawn(process.execPath, ["--conditions=@lattice/source", "--import", "tsx", "src/main.ts"], {
    cwd: appDir,
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "info", LATTICE_WORKER_POLL_SECONDS: String(pollSeconds) },
  });
  const out = { stdout: "", stderr: "" };
  child.stdout.on("data", (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, out, exited };
}

async function until<T>(fn: () => Promise<T | undefined>, timeoutMs: number, what: string, pollMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

let db: TestDatabase;
let boss: PgBoss;
const workers: Worker[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  boss = await queueClientFor(db.url);
});
afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGKILL");
  await Promise.all(workers.map((w) => w.exited));
  await closeQueueClients();
  await db.close();
});

const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) => db.orm.em.getConnection().execute<T[]>(text, params);
const count = async (text: string, params: unknown[] = []) => Number((await sql<{ n: string }>(text, params))[0]!.n);

interface JobRow {
  status: string;
  progress: number;
  steps: { step: string; rows: number }[];
  attempts: number;
  result_project_id: number | null;
  error: string | null;
}
const jobRow = async (id: string) => (await sql<JobRow>(`select status, progress, steps, attempts, result_project_id, error from jobs where id = ?`, [id]))[0]!;

/** An organization whose owner has a project of `tasks` tasks with `perTask` annotations each. */
async function seed(tasks: number, perTask: number) {
  const org = await seedOrganization(db.orm, { owner: "owner", annotator: "annotator" });
  const [ws] = await sql<{ id: number }>(
    `insert into workspaces (organization_id, title, color, description, is_sandbox, created_by_id, created_at, updated_at)
     values (?, 'Team', '#1c7ed6', '', false, ?, now(), now()) returning id`,
    [org.orgId, org.people.owner.userId],
  );
  const [project] = await sql<{ id: number }>(
    `insert into projects (organization_id, workspace_id, title, description, label_config, settings, created_by_id, task_count, created_at, updated_at)
     values (?, ?, 'Big one', 'source', '<View/>', '{"annotators_may_view_own_data": true, "labeling_restricted_to_assigned": false}', ?, ?, now(), now()) returning id`,
    [org.orgId, ws!.id, org.people.owner.userId, tasks],
  );
  await sql(
    `insert into tasks (organization_id, project_id, data, created_at)
     select ?, ?, jsonb_build_object('n', i, 'text', repeat(md5(i::text), 6), 'image', 'https://img.example/' || i || '.jpg'), now()
       from generate_series(1, ?::int) i`,
    [org.orgId, project!.id, tasks],
  );
  await sql(
    `insert into annotations (organization_id, project_id, task_id, completed_by_id, result, ground_truth, review_state, created_at, updated_at)
     select ?, ?, t.id, ?, jsonb_build_array(jsonb_build_object('value', jsonb_build_object('x', k, 'text', repeat(md5(t.id::text || k), 8)))), false, 'accepted', now(), now()
       from tasks t cross join generate_series(1, ?::int) k where t.project_id = ?`,
    [org.orgId, project!.id, org.people.annotator.userId, perTask, project!.id],
  );
  return { org, workspace: ws!.id, project: project!.id };
}

/** The copy's content equals the source's: every task's data, every annotation's result on the same task. */
async function sameContent(source: number, copy: number): Promise<boolean> {
  const diff = await count(
    `select count(*) as n from (
       (select t.data, a.result from tasks t left join annotations a on a.task_id = t.id where t.project_id = ?
        except all
        select t.data, a.result from tasks t left join annotations a on a.task_id = t.id where t.project_id = ?)
       union all
       (select t.data, a.result from tasks t left join annotations a on a.task_id = t.id where t.project_id = ?
        except all
        select t.data, a.result from tasks t left join annotations a on a.task_id = t.id where t.project_id = ?)
     ) d`,
    [source, copy, copy, source],
  );
  return diff === 0;
}

describe("duplication in the worker process", () => {
  it("a request is answered by a worker at once (woken up, not polled): the job runs, shows its steps, and the copy appears complete", async () => {
    const s = await seed(300, 2);
    // Polling every minute: only the wake-up sent with the job can start it within seconds.
    const worker = spawnWorker(db.url, 60);
    workers.push(worker);
    await until(async () => (worker.out.stdout.includes("worker started") ? true : undefined), 30_000, "worker start");
    const owner = await callerFor(db.orm, { cookies: s.org.people.owner.cookies });
    const { job_id } = await owner.project.duplicate({ id: s.project, mode: "settings,data,annotations", title: "Copied by a worker", workspace: s.workspace, ground_truth: true });
    const job = await until(async () => {
      const j = await owner.job.get({ id: job_id });
      return j.status === "succeeded" || j.status === "failed" ? j : undefined;
    }, 20_000, "the job to finish");
    expect(job).toMatchObject({ status: "succeeded", progress: 1, project_id: expect.any(Number) });
    expect(Date.parse(job.started_at!) - Date.parse(job.created_at)).toBeLessThan(5_000);
    expect(job.steps.map((x) => [x.step, x.rows])).toEqual([
      ["project", 1],
      ["task_map", 300],
      ["tasks", 300],
      ["annotations", 600],
    ]);
    const copy = await owner.project.get({ id: job.project_id! });
    expect(copy).toMatchObject({ title: "Copied by a worker", description: "source", task_count: 300, workspace: expect.any(Number) });
    expect(await sameContent(s.project, copy.id)).toBe(true);
    expect(await count(`select count(*) as n from annotations where project_id = ? and ground_truth and review_state = 'pending'`, [copy.id])).toBe(600);
    // Done by the worker process, which logged it.
    expect(worker.out.stdout).toContain('"msg":"project duplicated"');
    expect((await boss.getJobById("project.duplicate", job_id))?.state).toBe("completed");
    worker.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
  }, 90_000);

  it("a worker killed mid-copy leaves no partial project; another worker retries the job and makes exactly one complete copy", async () => {
    const s = await seed(60_000, 3);
    const projectsBefore = await count(`select count(*) as n from projects`);
    const tasksBefore = await count(`select count(*) as n from tasks`);
    const annotationsBefore = await count(`select count(*) as n from annotations`);

    const first = spawnWorker(db.url);
    workers.push(first);
    await until(async () => (first.out.stdout.includes("worker started") ? true : undefined), 30_000, "the first worker to start");
    const owner = await callerFor(db.orm, { cookies: s.org.people.owner.cookies });
    const { job_id } = await owner.project.duplicate({ id: s.project, mode: "settings,data,annotations", title: "Survives a crash", workspace: s.workspace });

    // Mid-copy: the first chunk of tasks is in (and visible as progress), the rest is not.
    const midway = await until(
      async () => {
        const j = await jobRow(job_id);
        return j.status === "running" && j.steps.some((x) => x.step === "tasks") ? j : undefined;
      },
      60_000,
      "the copy to be under way",
      10,
    );
    first.child.kill("SIGKILL");
    await first.exited;
    expect(midway.progress).toBeGreaterThan(0);
    expect(midway.progress).toBeLessThan(1);
    expect((await jobRow(job_id)).status).toBe("running");

    // PostgreSQL notices the vanished client and rolls its transaction back: no trace of the copy.
    await until(async () => {
      const [row] = await sql<{ free: boolean }>(`select pg_try_advisory_xact_lock(hashtextextended('lattice.job:' || ?::text, 0)) as free`, [job_id]);
      return row?.free ? true : undefined;
    }, 30_000, "the dead attempt's transaction to end");
    expect(await count(`select count(*) as n from projects`)).toBe(projectsBefore);
    expect(await count(`select count(*) as n from projects where title = 'Survives a crash'`)).toBe(0);
    expect(await count(`select count(*) as n from tasks`)).toBe(tasksBefore);
    expect(await count(`select count(*) as n from annotations`)).toBe(annotationsBefore);

    // Another worker: its sweep hands the dead attempt back to pg-boss, which retries it.
    const second = spawnWorker(db.url);
    workers.push(second);
    const done = await until(
      async () => {
        const j = await jobRow(job_id);
        return j.status === "succeeded" || j.status === "failed" ? j : undefined;
      },
      90_000,
      "the retried job to finish",
      100,
    );
    expect(done).toMatchObject({ status: "succeeded", progress: 1, attempts: 2, error: null });
    expect(await count(`select count(*) as n from projects where title = 'Survives a crash'`)).toBe(1);
    expect(await count(`select count(*) as n from projects`)).toBe(projectsBefore + 1);
    const copy = done.result_project_id!;
    expect(await count(`select count(*) as n from tasks where project_id = ?`, [copy])).toBe(60_000);
    expect(await count(`select count(*) as n from annotations where project_id = ?`, [copy])).toBe(180_000);
    expect(await count(`select count(*) as n from tasks`)).toBe(tasksBefore + 60_000);
    expect(await count(`select count(*) as n from annotations`)).toBe(annotationsBefore + 180_000);
    expect(await sameContent(s.project, copy)).toBe(true);
    expect((await owner.project.get({ id: copy })).task_count).toBe(60_000);
    expect(second.out.stdout).toContain('"msg":"project duplicated"');
    // Nothing is left for a sweep, and pg-boss considers the job done.
    expect(await sweepDeadAttempts(boss, ["project.duplicate"])).toEqual([]);
    expect((await boss.getJobById("project.duplicate", job_id))?.state).toBe("completed");
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  }, 240_000);
});
