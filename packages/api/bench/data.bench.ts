// Import and export at the size issue 6 names: 100,000 tasks with 300,000 annotations.
//
// Import: the import code path (the data procedure behind POST /api/projects/{id}/import, with a
// real context and an API token, parsing a streamed JSON body and inserting in batches), timed
// against a baseline measured in the same run: a plain INSERT … SELECT of the same rows (copying
// the imported tasks and annotations into another project, inside PostgreSQL).
//
// Export: the export code path (the data procedure behind GET /api/projects/{id}/export) in a
// child process of its own, which reports its peak memory (RSS and heap); the baseline is the
// same child loading the same rows in one plain query and serialising them whole.
//
// Run: pnpm bench (from the root, which starts a PostgreSQL), or with DATABASE_URL set:
//   pnpm --filter @lattice/api bench
// Sizes: BENCH_TASKS (default 100000), BENCH_ANNOTATIONS_PER_TASK (3), BENCH_RUNS (3), BENCH_BATCH_TASKS.
import { spawn } from "node:child_process";
import path from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { compare, formatComparison, stats, type Comparison } from "@lattice/bench";
import { dropDatabases, ensureDatabase, withDatabase } from "@lattice/devdb";
import { newApiToken } from "../src/auth/crypto.js";
import { loadConfig } from "../src/config.js";
import { createContext } from "../src/context.js";
import { migrate, openOrm, type Orm } from "../src/db/orm.js";
import { createDataCaller } from "../src/routers/data.js";

const TASKS = Number(process.env.BENCH_TASKS ?? 100_000);
const PER_TASK = Number(process.env.BENCH_ANNOTATIONS_PER_TASK ?? 3);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** Tasks per INSERT statement (the import's default when unset). */
const BATCH = process.env.BENCH_BATCH_TASKS ? Number(process.env.BENCH_BATCH_TASKS) : undefined;
const MEMORY_GOAL_MB = 200;
const here = path.dirname(fileURLToPath(import.meta.url));

const baseUrl = process.env.DATABASE_URL;
if (!baseUrl) {
  console.error("data.bench: DATABASE_URL is not set (run it through `pnpm bench`, which starts a PostgreSQL).");
  process.exit(2);
}
const prefix = `lt_bench_${process.pid}`;
const database = `${prefix}_data`;

interface Seed {
  orgId: number;
  workspaceId: number;
  ownerId: number;
  annotatorIds: number[];
  token: string;
}

async function seed(orm: Orm): Promise<Seed> {
  const em = orm.em.fork();
  const [org] = await em.execute<{ id: number }[]>(`insert into organizations (title, created_at, updated_at) values ('Bench', now(), now()) returning id`);
  const users = await em.execute<{ id: number }[]>(
    `insert into users (email, name, created_at, updated_at, active_organization_id)
     select 'bench' || i || '@bench.test', 'bench ' || i, now(), now(), ? from generate_series(0, 3) i returning id`,
    [org!.id],
  );
  const [ownerId, ...annotatorIds] = users.map((u) => u.id).sort((a, b) => a - b);
  await em.execute(
    `insert into memberships (organization_id, user_id, role, status, source, created_at, updated_at)
     select ?, u, case when u = ? then 'owner' else 'annotator' end, 'active', 'manual', now(), now() from unnest(?::int[]) u`,
    [org!.id, ownerId, `{${users.map((u) => u.id).join(",")}}`],
  );
  const [ws] = await em.execute<{ id: number }[]>(
    `insert into workspaces (organization_id, title, is_sandbox, created_by_id, created_at, updated_at) values (?, 'Bench', false, ?, now(), now()) returning id`,
    [org!.id, ownerId],
  );
  const t = newApiToken();
  await em.execute(`insert into api_tokens (organization_id, user_id, name, prefix, token_hash, created_at) values (?, ?, 'bench', ?, ?, now())`, [
    org!.id,
    ownerId,
    t.prefix,
    t.hash,
  ]);
  return { orgId: org!.id, workspaceId: ws!.id, ownerId: ownerId!, annotatorIds, token: t.token };
}

async function newProject(orm: Orm, s: Seed, title: string): Promise<number> {
  const [p] = await orm.em.fork().execute<{ id: number }[]>(
    `insert into projects (organization_id, workspace_id, title, settings, created_by_id, task_count, created_at, updated_at)
     values (?, ?, ?, '{}'::jsonb, ?, 0, now(), now()) returning id`,
    [s.orgId, s.workspaceId, title, s.ownerId],
  );
  return p!.id;
}

/** The import body, pre-built as 64 KiB chunks so that generating it is not timed. */
function payload(s: Seed): Buffer[] {
  const chunks: Buffer[] = [];
  let pending: string[] = ["["];
  let size = 1;
  for (let i = 0; i < TASKS; i++) {
    const annotations = Array.from({ length: PER_TASK }, (_, k) => ({
      result: [{ from_name: "sentiment", to_name: "text", type: "choices", value: { choices: [(i + k) % 3 === 0 ? "negative" : "positive"] } }],
      completed_by: s.annotatorIds[k % s.annotatorIds.length],
    }));
    const task = JSON.stringify({
      data: { text: `Review ${i}: the delivery was on time and the product works as described.`, url: `https://example.test/items/${i}.jpg`, n: i },
      annotations,
    });
    const piece = (i === 0 ? "" : ",") + task;
    pending.push(piece);
    size += piece.length;
    if (size >= 64 * 1024) {
      chunks.push(Buffer.from(pending.join("")));
      pending = [];
      size = 0;
    }
  }
  pending.push("]");
  chunks.push(Buffer.from(pending.join("")));
  return chunks;
}

async function dataCaller(orm: Orm, token: string) {
  const ctx = await createContext({
    orm,
    headers: { authorization: `Token ${token}` },
    config: loadConfig(),
    request: { method: "POST", path: "/api/projects/import", ip: "127.0.0.1" },
  });
  return createDataCaller(ctx);
}

/** A plain INSERT … SELECT of the same rows: tasks and annotations of `from` copied into `to`. */
async function copyRows(orm: Orm, from: number, to: number): Promise<void> {
  await orm.em.fork().transactional(async (em) => {
    await em.execute(
      `with src as materialized (
         select t.id as old_id, t.organization_id, t.data, nextval(pg_get_serial_sequence('tasks', 'id')) as new_id
           from tasks t where t.project_id = ? order by t.id
       ),
       ins as (
         insert into tasks (id, organization_id, project_id, data, created_at)
         select new_id, organization_id, ?, data, now() from src order by new_id
       )
       insert into annotations (organization_id, project_id, task_id, completed_by_id, result, ground_truth, review_state, created_at, updated_at)
       select a.organization_id, ?, src.new_id, a.completed_by_id, a.result, a.ground_truth, 'pending', now(), now()
         from annotations a join src on src.old_id = a.task_id
        where a.project_id = ? order by a.id`,
      [from, to, to, from],
    );
  });
}

async function rowCounts(orm: Orm, projectId: number): Promise<{ tasks: number; annotations: number }> {
  const [r] = await orm.em.fork().execute<{ tasks: string; annotations: string }[]>(
    `select (select count(*) from tasks where project_id = ?) as tasks, (select count(*) from annotations where project_id = ?) as annotations`,
    [projectId, projectId],
  );
  return { tasks: Number(r!.tasks), annotations: Number(r!.annotations) };
}

interface ChildReport {
  mode: string;
  format: string;
  bytes: number;
  ms: number;
  peakRssMb: number;
  startRssMb: number;
  peakHeapMb: number;
}

function exportInChild(url: string, projectId: number, token: string, format: "JSON" | "CSV", mode: "stream" | "naive"): Promise<ChildReport> {
  const tsx = path.resolve(here, "../node_modules/.bin/tsx");
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, ["--conditions=@lattice/source", path.join(here, "export-child.ts")], {
      env: { ...process.env, BENCH_DB_URL: url, BENCH_PROJECT: String(projectId), BENCH_TOKEN: token, BENCH_FORMAT: format, BENCH_MODE: mode },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      const line = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0 || !line.startsWith("{")) return reject(new Error(`export child (${mode} ${format}) exited with ${code}: ${out}`));
      resolve(JSON.parse(line) as ChildReport);
    });
  });
}

function comparison(name: string, c: number[], b: number[]): Comparison {
  const candidate = stats(c);
  const baseline = stats(b);
  return { name, candidate, baseline, ratio: candidate.p50 / baseline.p50 };
}

async function main(): Promise<void> {
  await dropDatabases(baseUrl!, prefix);
  await ensureDatabase(withDatabase(baseUrl!, "postgres"), database);
  const url = withDatabase(baseUrl!, database);
  const orm = await openOrm({ databaseUrl: url, poolMax: 4 });
  try {
    await migrate(orm);
    const s = await seed(orm);
    const chunks = payload(s);
    const mb = chunks.reduce((n, c) => n + c.length, 0) / (1024 * 1024);
    console.log(`data.bench: ${TASKS} tasks with ${TASKS * PER_TASK} annotations, a ${mb.toFixed(1)} MiB JSON body; ${RUNS} runs each`);

    const imported: number[] = [];
    let run = 0;
    const result = await compare({
      name: `import ${TASKS} tasks + ${TASKS * PER_TASK} annotations (streamed JSON, batched INSERT … SELECT) vs plain INSERT … SELECT of the same rows`,
      runs: RUNS,
      warmup: 0,
      candidate: async () => {
        const projectId = await newProject(orm, s, `import ${++run}`);
        const res = await (await dataCaller(orm, s.token)).import({ id: projectId, format: "json", body: Readable.from(chunks), batch_tasks: BATCH });
        if (res.task_count !== TASKS || res.annotation_count !== TASKS * PER_TASK) throw new Error(`imported ${JSON.stringify(res)}`);
        imported.push(projectId);
      },
      baseline: async () => {
        const projectId = await newProject(orm, s, `copy ${run}`);
        await copyRows(orm, imported[0]!, projectId);
      },
    });
    console.log(formatComparison(result));
    const source = imported[0]!;
    const counted = await rowCounts(orm, source);
    if (counted.tasks !== TASKS || counted.annotations !== TASKS * PER_TASK) throw new Error(`project holds ${JSON.stringify(counted)}`);

    for (const format of ["JSON", "CSV"] as const) {
      const streamed: ChildReport[] = [];
      const naive: ChildReport[] = [];
      for (let i = 0; i < Math.min(RUNS, 2); i++) {
        streamed.push(await exportInChild(url, source, s.token, format, "stream"));
        naive.push(await exportInChild(url, source, s.token, format, "naive"));
      }
      console.log(
        formatComparison(
          comparison(
            `export ${format} of that project (${(streamed[0]!.bytes / (1024 * 1024)).toFixed(1)} MiB, cursor, streamed) vs one plain query serialised whole`,
            streamed.map((r) => r.ms),
            naive.map((r) => r.ms),
          ),
        ),
      );
      const peak = Math.max(...streamed.map((r) => r.peakRssMb));
      const heap = Math.max(...streamed.map((r) => r.peakHeapMb));
      const start = Math.max(...streamed.map((r) => r.startRssMb));
      const naivePeak = Math.max(...naive.map((r) => r.peakRssMb));
      console.log(
        `export ${format} peak memory: RSS ${peak.toFixed(0)} MB (${start.toFixed(0)} MB before the export began), heap ${heap.toFixed(0)} MB | baseline peak RSS ${naivePeak.toFixed(0)} MB | goal < ${MEMORY_GOAL_MB} MB ${peak < MEMORY_GOAL_MB ? "(met)" : "(NOT met)"}`,
      );
    }
  } finally {
    await orm.close(true);
    await dropDatabases(baseUrl!, prefix);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
