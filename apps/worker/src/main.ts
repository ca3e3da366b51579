// `node dist/main.js` (or `pnpm --filter @lattice/worker start`): one worker process.
// Run as many as needed against one DATABASE_URL; pg-boss hands each job to one of them.
import { pino } from "pino";
import { assertDatabaseReachable, loadConfig, migrate, openOrm } from "@lattice/api";
import { startWorker } from "./worker.js";

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.DATABASE_URL) throw new Error("DATABASE_URL is not set (pnpm start sets it for the embedded PostgreSQL).");
  const log = pino({ level: config.LOG_LEVEL, base: { process: "worker" } });
  await assertDatabaseReachable(config.DATABASE_URL);
  const orm = await openOrm({ databaseUrl: config.DATABASE_URL, poolMax: config.LATTICE_DB_POOL_MAX });
  await migrate(orm);
  const worker = await startWorker({
    databaseUrl: config.DATABASE_URL,
    orm,
    log,
    concurrency: config.LATTICE_WORKER_CONCURRENCY,
    pollingIntervalSeconds: Number(process.env.LATTICE_WORKER_POLL_SECONDS ?? 1),
  });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, "shutting down");
    await worker.stop();
    await orm.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((err: unknown) => {
  const e = err as { message?: string };
  console.error(`lattice-worker: ${e?.message?.split("\n")[0] ?? String(err)}`);
  process.exit(1);
});
