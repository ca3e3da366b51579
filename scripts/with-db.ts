// Runs a command (the test or bench suite) with DATABASE_URL set: the caller's when given,
// otherwise a throwaway embedded PostgreSQL that is stopped and deleted afterwards.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, removeStaleDataDirs, startEmbeddedPostgres, type RunningPostgres } from "@lattice/devdb";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error("usage: with-db <command> [args…]");
  process.exit(2);
}

let pg: RunningPostgres | null = null;
if (!process.env.DATABASE_URL) {
  try {
    await removeStaleDataDirs(path.join(root, ".lattice"), "run");
    pg = await startEmbeddedPostgres({
      dataDir: path.join(root, ".lattice", `run-${process.pid}`),
      port: await freePort(),
      ephemeral: true,
      fast: true,
    });
  } catch (err) {
    console.error(`lattice: ${(err as Error).message}`);
    process.exit(1);
  }
}

const child = spawn(cmd, args, {
  stdio: "inherit",
  env: { ...process.env, ...(pg ? { DATABASE_URL: pg.url } : {}), TURBO_TELEMETRY_DISABLED: "1" },
});
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(sig, () => child.kill(sig));
child.on("exit", async (code, signal) => {
  await pg?.stop();
  process.exit(code ?? (signal ? 1 : 0));
});
