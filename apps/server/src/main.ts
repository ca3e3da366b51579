// `node dist/main.js` (or `pnpm --filter @lattice/server start`): one server process.
// Run as many as needed against one DATABASE_URL; migrations are applied under a lock.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { assertDatabaseReachable, closeQueueClients, loadConfig, migrate, openOrm } from "@lattice/api";
import { buildServer, REDACTED_HEADERS } from "./app.js";
import { describeStartupError } from "./startup.js";

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.DATABASE_URL) throw new Error("DATABASE_URL is not set (pnpm start sets it for the embedded PostgreSQL).");
  await assertDatabaseReachable(config.DATABASE_URL);
  const orm = await openOrm({ databaseUrl: config.DATABASE_URL, poolMax: config.LATTICE_DB_POOL_MAX });
  await migrate(orm);
  const webDir =
    process.env.LATTICE_WEB_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../web/dist");
  const app = await buildServer({
    orm,
    webDir,
    trustProxy: process.env.LATTICE_TRUST_PROXY === "true",
    logger: { level: config.LOG_LEVEL, redact: REDACTED_HEADERS },
  });
  if (!config.LATTICE_SECRET_KEY) {
    app.log.warn("LATTICE_SECRET_KEY is not set: invitation links cannot be issued until it is.");
  }
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, "shutting down");
    await app.close();
    await closeQueueClients();
    await orm.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  try {
    await app.listen({ port: config.PORT, host: config.HOST });
  } catch (err) {
    await orm.close();
    throw err;
  }
}

main().catch((err: unknown) => {
  console.error(`lattice-server: ${describeStartupError(err)}`);
  process.exit(1);
});
