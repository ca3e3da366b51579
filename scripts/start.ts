// `pnpm start`: the whole app on one machine. Uses DATABASE_URL when set; otherwise starts
// an embedded PostgreSQL under $LATTICE_DATA_DIR/pg (default .lattice/pg). Starts the server and a worker, prints the URL,
// and on Ctrl-C / SIGTERM stops all of them (postgres included) before exiting.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { assertDatabaseReachable, loadConfig } from "@lattice/api";
import { DEFAULT_EMBEDDED_PORT, portIsFree, startEmbeddedPostgres, type RunningPostgres } from "@lattice/devdb";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function fail(message: string): never {
  console.error(`lattice: ${message}`);
  process.exit(1);
}

/** Where the embedded cluster and the generated key live: LATTICE_DATA_DIR, or .lattice/ in the checkout. */
const dataDir = path.resolve(root, process.env.LATTICE_DATA_DIR || ".lattice");

/** A per-checkout key for invitation links, kept in <data dir>/secret.key (mode 600). */
function localSecretKey(): string {
  const file = path.join(dataDir, "secret.key");
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
  }
  return readFileSync(file, "utf8").trim();
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    fail((err as Error).message);
  }
  const pgPortText = process.env.LATTICE_EMBEDDED_PG_PORT ?? String(DEFAULT_EMBEDDED_PORT);
  const pgPort = Number(pgPortText);
  if (!Number.isInteger(pgPort) || pgPort < 1 || pgPort > 65535) fail(`Invalid LATTICE_EMBEDDED_PG_PORT: ${pgPortText}`);
  if (!(await portIsFree(config.PORT, config.HOST))) {
    fail(`Port ${config.PORT} on ${config.HOST} is already in use; set PORT to a free port.`);
  }

  let pg: RunningPostgres | null = null;
  let databaseUrl = config.DATABASE_URL;
  try {
    if (databaseUrl) {
      await assertDatabaseReachable(databaseUrl);
    } else {
      const pgDir = path.join(dataDir, "pg");
      pg = await startEmbeddedPostgres({ dataDir: pgDir, port: pgPort, database: "lattice" });
      databaseUrl = pg.url;
      console.log(`lattice: embedded PostgreSQL on 127.0.0.1:${pgPort} (data in ${path.relative(process.cwd(), pgDir) || pgDir})`);
    }
  } catch (err) {
    await pg?.stop();
    fail((err as Error).message);
  }

  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    LATTICE_SECRET_KEY: process.env.LATTICE_SECRET_KEY ?? localSecretKey(),
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  };
  const children: ChildProcess[] = [];
  let stopping = false;

  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const timer = setTimeout(() => c.kill("SIGKILL"), 15_000);
            c.once("exit", () => {
              clearTimeout(timer);
              resolve();
            });
            c.kill("SIGTERM");
          }),
      ),
    );
    await pg?.stop();
    if (code === 0) console.log("lattice: stopped");
    process.exit(code);
  };

  for (const [name, entry] of [
    ["server", "apps/server/dist/main.js"],
    ["worker", "apps/worker/dist/main.js"],
  ] as const) {
    const child = spawn(process.execPath, [path.join(root, entry)], { env, stdio: ["ignore", "inherit", "inherit"] });
    child.once("exit", (code, signal) => {
      if (stopping) return;
      console.error(`lattice: the ${name} exited (${signal ?? `code ${code}`}); stopping`);
      void stopAll(1);
    });
    children.push(child);
  }
  process.on("SIGINT", () => void stopAll(0));
  process.on("SIGTERM", () => void stopAll(0));
  process.on("SIGHUP", () => void stopAll(0));

  const shownHost = config.HOST === "0.0.0.0" || config.HOST === "::" ? "127.0.0.1" : config.HOST;
  const url = `http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${config.PORT}`;
  const deadline = Date.now() + 120_000;
  while (!stopping) {
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      console.error("lattice: the server did not become ready within 120 s; stopping");
      return stopAll(1);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!stopping) console.log(`lattice: ready at ${url}  (Ctrl-C to stop)`);
}

void main();
