// One export in a process of its own, for data.bench.ts: prints one JSON line with the time and
// the peak memory of this process (RSS sampled every 10 ms and the kernel's max RSS; heap used).
// BENCH_MODE=stream: the export code path, drained through a stream with backpressure, as the
// HTTP route does. BENCH_MODE=naive: the baseline, one plain query serialised whole.
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { loadConfig } from "../src/config.js";
import { createContext } from "../src/context.js";
import { openOrm } from "../src/db/orm.js";
import { createDataCaller } from "../src/routers/data.js";

const url = process.env.BENCH_DB_URL!;
const projectId = Number(process.env.BENCH_PROJECT);
const token = process.env.BENCH_TOKEN!;
const format = process.env.BENCH_FORMAT === "CSV" ? "CSV" : "JSON";
const mode = process.env.BENCH_MODE === "naive" ? "naive" : "stream";

const MB = 1024 * 1024;
let peakRss = 0;
let peakHeap = 0;
const sampleMemory = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
};

async function main(): Promise<void> {
  const orm = await openOrm({ databaseUrl: url, poolMax: 2 });
  sampleMemory();
  const startRss = process.memoryUsage().rss;
  const timer = setInterval(sampleMemory, 10);
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      sampleMemory();
      done();
    },
  });
  const t0 = performance.now();
  if (mode === "stream") {
    const ctx = await createContext({
      orm,
      headers: { authorization: `Token ${token}` },
      config: loadConfig(),
      request: { method: "GET", path: `/api/projects/${projectId}/export`, ip: "127.0.0.1" },
    });
    const out = await createDataCaller(ctx).export({ id: projectId, format });
    await pipeline(Readable.from(out.chunks, { objectMode: false }), sink);
  } else {
    const rows = await orm.em.fork().execute<{ id: string; data: Record<string, unknown>; annotations: unknown[] }[]>(
      `select t.id, t.data, coalesce((select jsonb_agg(jsonb_build_object('id', a.id, 'result', a.result, 'completed_by', a.completed_by_id,
              'ground_truth', a.ground_truth, 'review_state', a.review_state) order by a.id) from annotations a where a.task_id = t.id), '[]') as annotations
         from tasks t where t.project_id = ? order by t.id`,
      [projectId],
    );
    sampleMemory();
    let text: string;
    if (format === "JSON") {
      text = JSON.stringify(rows);
    } else {
      const keys = [...new Set(rows.flatMap((r) => Object.keys(r.data)))].sort();
      text = [["id", ...keys, "annotations"].join(","), ...rows.map((r) => [r.id, ...keys.map((k) => JSON.stringify(r.data[k] ?? "")), JSON.stringify(JSON.stringify(r.annotations))].join(","))].join("\r\n");
    }
    sampleMemory();
    await pipeline(Readable.from([Buffer.from(text)]), sink);
  }
  const ms = performance.now() - t0;
  clearInterval(timer);
  sampleMemory();
  // The kernel's high-water mark catches peaks between samples.
  peakRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
  await orm.close(true);
  console.log(JSON.stringify({ mode, format, bytes, ms, peakRssMb: peakRss / MB, startRssMb: startRss / MB, peakHeapMb: peakHeap / MB }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
