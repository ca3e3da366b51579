// How fast is duplication end to end? A project of 100,000 tasks (~300-byte JSON) and 500,000
// annotations (~500-byte JSON) is duplicated through the real path (the `project.duplicate`
// procedure → pg-boss → a worker process → the job row says `succeeded`) in each data mode, and
// compared in the same run with a hand-written pure-SQL copy of the same project (one
// transaction: the project row, an old → new id map, INSERT … SELECT of tasks and annotations).
// Goal: end to end ≤ 1.3 × the pure-SQL copy.
//
// Run: pnpm bench (all packages), or pnpm --filter @lattice/worker bench. It uses DATABASE_URL's
// server when set (an embedded PostgreSQL otherwise), in a database of its own, dropped after.
import { spawn } from "node:child_process";
import path from "node:path";
import { stats, formatComparison, type Comparison } from "@lattice/bench";
import {
  closeQueueClients,
  createCaller,
  createContext,
  migrate,
  MemoryCookieJar,
  openOrm,
  type DuplicateMode,
  type Orm,
} from "@lattice/api";
import { dropDatabases, ensureDatabase, freePort, startEmbeddedPostgres, withDatabase, type RunningPostgres } from "@lattice/devdb";

const TASKS = 100_000;
const ANNOTATIONS_PER_TASK = 5;
const RUNS = Number(process.env.LATTICE_BENCH_RUNS ?? 3);
const GOAL = 1.3;
const MODES: DuplicateMode[] = ["settings,data", "settings,data,annotations"];

const appDir = path.resolve(import.meta.dirname, "..");
const log = (line: string) => console.log(`duplicate bench: ${line}`);

async function main(): Promise<void> {
  let embedded: RunningPostgres | null = null;
  let baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) {
    embedded = await startEmbeddedPostgres({
      dataDir: path.resolve(appDir, "../../.lattice", `bench-${process.pid}`),
      port: await freePort(),
      ephemeral: true,
      fast: true,
    });
    baseUrl = embedded.url;
  }
  const prefix = `lt_bench_dup_${process.pid}`;
  const url = withDatabase(baseUrl, `${prefix}_db`);
  await ensureDatabase(withDatabase(baseUrl, "postgres"), `${prefix}_db`);
  let orm: Orm | null = null;
  let stopWorker: (() => Promise<void>) | null = null;
  try {
    orm = await openOrm({ databaseUrl: url, poolMax: 4 });
    await migrate(orm);
    const { caller, sourceId } = await seed(orm);
    stopWorker = await spawnWorker(url);

    const results: Comparison[] = [];
    for (const mode of MODES) {
      let n = 0;
      const candidate = async () => {
        const { job_id } = await (await caller()).project.duplicate({ id: sourceId, mode, title: `Copy ${mode} ${++n}` });
        return waitForJob(orm!, job_id);
      };
      const baseline = () => pureSqlCopy(orm!, sourceId, mode, `SQL copy ${mode} ${++n}`);
      results.push(await alternate(orm, `duplicate ${mode} (${TASKS / 1000}k tasks${mode.endsWith("annotations") ? `, ${(TASKS * ANNOTATIONS_PER_TASK) / 1000}k annotations` : ""}) end to end vs pure SQL`, candidate, baseline));
    }
    for (const r of results) console.log(formatComparison(r));
    if (results.some((r) => !r.met)) process.exitCode = 1;
  } finally {
    await stopWorker?.();
    await closeQueueClients();
    await orm?.close(true);
    await dropDatabases(baseUrl, prefix);
    await embedded?.stop();
  }
}

/** An owner (signed up through the procedures), and the source project in their sandbox. */
async function seed(orm: Orm) {
  const jar = new MemoryCookieJar();
  const request = { method: "POST", path: "/trpc", ip: "127.0.0.1", origin: "http://bench.test" };
  const caller = async () => createCaller(await createContext({ orm, cookies: jar, request }));
  const me = await (await caller()).auth.signup({ email: "bench@example.com", password: "bench password", name: "Bench" });
  const source = await (await caller()).project.create({
    title: "Street scenes",
    description: "The project every copy is made from",
    label_config: '<View><Image name="image" value="$image"/><RectangleLabels name="label" toName="image"><Label value="Car"/><Label value="Pedestrian"/></RectangleLabels></View>',
  });
  const orgId = me.active_organization!.id;
  const conn = orm.em.getConnection();
  const t0 = performance.now();
  await conn.execute(
    `insert into tasks (organization_id, project_id, data, created_at)
     select ?, ?, jsonb_build_object(
              'image', 'https://storage.example.com/datasets/street-scenes/2024-06/' || lpad(i::text, 7, '0') || '.jpg',
              'text', 'Frame ' || i || ' from camera ' || (i % 40) || ': ' || md5(i::text) || left(md5((i + 1)::text), 16),
              'meta', jsonb_build_object(
                'camera', 'cam-' || lpad((i % 40)::text, 2, '0'),
                'captured_at', '2024-06-' || lpad((1 + i % 28)::text, 2, '0') || 'T' || lpad((i % 24)::text, 2, '0') || ':' || lpad((i % 60)::text, 2, '0') || ':00Z',
                'weather', (array['clear', 'rain', 'fog', 'snow'])[1 + i % 4],
                'city', (array['Lyon', 'Porto', 'Gent', 'Turku'])[1 + i % 4],
                'batch', i / 1000)),
            now()
       from generate_series(1, ?::int) i`,
    [orgId, source.id, TASKS],
  );
  const region = (k: string) =>
    `jsonb_build_object('id', left(md5(t.id::text || ${k}), 10), 'type', 'rectanglelabels', 'from_name', 'label', 'to_name', 'image',
        'original_width', 1920, 'original_height', 1080,
        'value', jsonb_build_object('x', round((random() * 80)::numeric, 4), 'y', round((random() * 80)::numeric, 4),
          'width', round((random() * 20)::numeric, 4), 'height', round((random() * 20)::numeric, 4), 'rotation', 0,
          'rectanglelabels', jsonb_build_array((array['Car', 'Pedestrian', 'Cyclist', 'Truck'])[1 + (t.id + ${k})::int % 4])))`;
  await conn.execute(
    `insert into annotations (organization_id, project_id, task_id, completed_by_id, result, ground_truth, review_state, created_at, updated_at)
     select ?, ?, t.id, ?, jsonb_build_array(${region("k")}, ${region("k + 7")}), k = 1, 'pending', now(), now()
       from tasks t cross join generate_series(1, ?::int) k where t.project_id = ?`,
    [orgId, source.id, me.id, ANNOTATIONS_PER_TASK, source.id],
  );
  await conn.execute(`update projects set task_count = ? where id = ?`, [TASKS, source.id]);
  await conn.execute(`vacuum analyze tasks`);
  await conn.execute(`vacuum analyze annotations`);
  const [size] = await conn.execute<{ task: string; annotation: string }[]>(
    `select (select round(avg(octet_length(data::text))) from tasks where project_id = ?) as task,
            (select round(avg(octet_length(result::text))) from annotations where project_id = ?) as annotation`,
    [source.id, source.id],
  );
  log(
    `seeded ${TASKS} tasks (~${size?.task} bytes of JSON) and ${TASKS * ANNOTATIONS_PER_TASK} annotations (~${size?.annotation} bytes) ` +
      `in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${RUNS} runs of each, alternating, after one warm-up`,
  );
  return { caller, sourceId: source.id };
}

/** A real worker process (`src/main.ts`), polling as fast as the configuration allows. */
async function spawnWorker(databaseUrl: string): Promise<() => Promise<void>> {
  const child = spawn(process.execPath, ["--conditions=@lattice/source", "--import", "tsx", "src/main.ts"], {
    cwd: appDir,
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "info", LATTICE_WORKER_POLL_SECONDS: "0.5" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("worker started")) resolve();
    });
    child.on("exit", (code) => reject(new Error(`the worker exited (${code}) before it started`)));
  });
  child.stdout.resume();
  return async () => {
    child.kill("SIGTERM");
    await exited;
  };
}

/** Until the job row says it is done (polled every 10 ms, as a client following it would); where the time went. */
async function waitForJob(orm: Orm, jobId: string): Promise<string> {
  const conn = orm.em.getConnection();
  for (;;) {
    const [job] = await conn.execute<{ status: string; error: string | null; waited: number; ran: number }[]>(
      `select status, error, extract(epoch from started_at - created_at) * 1000 as waited, extract(epoch from finished_at - started_at) * 1000 as ran
         from jobs where id = ?`,
      [jobId],
    );
    if (job?.status === "succeeded") return `(queued ${Number(job.waited).toFixed(0)} ms, copying ${Number(job.ran).toFixed(0)} ms)`;
    if (job?.status === "failed") throw new Error(`duplication failed: ${job.error}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The baseline: the same copy, hand-written, in one transaction. */
async function pureSqlCopy(orm: Orm, sourceId: number, mode: DuplicateMode, title: string): Promise<void> {
  await orm.em.getConnection().getKnex().transaction(async (trx) => {
    const { rows } = await trx.raw<{ rows: { id: number }[] }>(
      `insert into projects (organization_id, workspace_id, title, description, label_config, settings, created_by_id, task_count, created_at, updated_at)
       select organization_id, workspace_id, ?, description, label_config, settings, created_by_id, 0, now(), now() from projects where id = ?
       returning id`,
      [title, sourceId],
    );
    const copy = rows[0]!.id;
    if (mode === "settings") return;
    await trx.raw(
      `create temporary table task_map on commit drop as
       select id as old_id, nextval('tasks_id_seq') as new_id from tasks where project_id = ?`,
      [sourceId],
    );
    const tasks = await trx.raw<{ rowCount: number }>(
      `insert into tasks (id, organization_id, project_id, data, created_at)
       select m.new_id, t.organization_id, ?, t.data, t.created_at from tasks t join task_map m on m.old_id = t.id where t.project_id = ?`,
      [copy, sourceId],
    );
    if (mode === "settings,data,annotations") {
      await trx.raw(
        `insert into annotations (organization_id, project_id, task_id, completed_by_id, result, ground_truth, review_state, created_at, updated_at)
         select a.organization_id, ?, m.new_id, a.completed_by_id, a.result, a.ground_truth, 'pending', a.created_at, now()
           from annotations a join task_map m on m.old_id = a.task_id where a.project_id = ?`,
        [copy, sourceId],
      );
    }
    await trx.raw(`update projects set task_count = ? where id = ?`, [tasks.rowCount, copy]);
  });
}

/**
 * Candidate and baseline alternately (so that the tables' growth and the machine's drift hit
 * both), each after a checkpoint taken outside the timing, so that neither pays for the
 * other's dirty pages; one unmeasured warm-up of each.
 */
async function alternate(orm: Orm, name: string, candidate: () => Promise<string>, baseline: () => Promise<void>): Promise<Comparison> {
  const conn = orm.em.getConnection();
  const timed = async (fn: () => Promise<string | void>) => {
    await conn.execute("checkpoint");
    const t0 = performance.now();
    const detail = await fn();
    return { ms: performance.now() - t0, detail: detail ?? "" };
  };
  await timed(candidate);
  await timed(baseline);
  const c: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const cand = await timed(candidate);
    const base = await timed(baseline);
    c.push(cand.ms);
    b.push(base.ms);
    log(`${name}: run ${i + 1}: end to end ${cand.ms.toFixed(0)} ms ${cand.detail}, pure SQL ${base.ms.toFixed(0)} ms`);
  }
  const cs = stats(c);
  const bs = stats(b);
  const ratio = cs.p50 / bs.p50;
  return { name, candidate: cs, baseline: bs, ratio, goal: GOAL, met: ratio <= GOAL };
}

main().catch((err: unknown) => {
  console.error(`duplicate bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
