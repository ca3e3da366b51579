import net from "node:net";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cloneDatabase, dropDatabases, ensureDatabase, freePort, removeStaleDataDirs, startEmbeddedPostgres, withDatabase, type RunningPostgres } from "./index.js";

const dataDir = path.join(os.tmpdir(), `lattice-devdb-test-${process.pid}`);
let server: RunningPostgres;

beforeAll(async () => {
  server = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: "devdb_test", ephemeral: true, fast: true });
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

async function query(url: string, sql: string): Promise<unknown[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

describe("embedded PostgreSQL", () => {
  it("runs a real PostgreSQL and creates the requested database", async () => {
    const [row] = (await query(server.url, "select current_database() as db, version() as v")) as { db: string; v: string }[];
    expect(row?.db).toBe("devdb_test");
    expect(row?.v).toMatch(/^PostgreSQL \d+/);
  });

  it("refuses a second cluster on the same data directory with one clear line", async () => {
    await expect(startEmbeddedPostgres({ dataDir, port: await freePort() })).rejects.toThrow(
      /^An embedded PostgreSQL is already running on .* \(pid \d+\); stop it/,
    );
  });

  it("refuses a port in use, naming the variable to change", async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(
        startEmbeddedPostgres({ dataDir: path.join(os.tmpdir(), `lattice-devdb-other-${process.pid}`), port }),
      ).rejects.toThrow(`Port ${port} for the embedded PostgreSQL is in use; set LATTICE_EMBEDDED_PG_PORT`);
    } finally {
      blocker.close();
    }
  });

  it("clones a template into isolated databases and drops them by prefix", async () => {
    await ensureDatabase(withDatabase(server.url, "postgres"), "tpl_x_tpl");
    await query(withDatabase(server.url, "tpl_x_tpl"), "create table t (v int); insert into t values (42)");
    const clones = await Promise.all([1, 2, 3, 4].map(() => cloneDatabase(server.url, "tpl_x_tpl", "tpl_x")));
    expect(new Set(clones).size).toBe(4);
    await query(clones[0]!, "insert into t values (1)");
    expect(await query(clones[1]!, "select v from t")).toEqual([{ v: 42 }]);
    await dropDatabases(server.url, "tpl_x");
    const left = await query(withDatabase(server.url, "postgres"), "select datname from pg_database where datname like 'tpl_x%'");
    expect(left).toEqual([]);
  });

  it("deletes an ephemeral cluster's data directory on stop", async () => {
    const dir = path.join(os.tmpdir(), `lattice-devdb-eph-${process.pid}`);
    const s = await startEmbeddedPostgres({ dataDir: dir, port: await freePort(), ephemeral: true, fast: true });
    expect(existsSync(dir)).toBe(true);
    await s.stop();
    expect(existsSync(dir)).toBe(false);
  }, 60_000);

  it("stops a cluster when the process that started it exits without stopping it", async () => {
    const dir = path.join(os.tmpdir(), `lattice-devdb-orphan-${process.pid}`);
    // Outside src/, so a concurrent build of this package never sees it.
    const script = path.join(os.tmpdir(), `lattice-orphan-${process.pid}.mts`);
    const entry = pathToFileURL(path.join(import.meta.dirname, "index.ts")).href;
    await writeFile(
      script,
      `import { readFileSync } from "node:fs";
       import { startEmbeddedPostgres } from ${JSON.stringify(entry)};
       await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dir)}, port: ${await freePort()} });
       console.log(readFileSync(${JSON.stringify(path.join(dir, "postmaster.pid"))}, "utf8").split("\\n")[0]);
       process.exit(3);`,
    );
    try {
      const res = spawnSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8" });
      expect(res.status, res.stderr).toBe(3);
      const pid = Number(res.stdout.trim());
      expect(pid).toBeGreaterThan(0);
      const alive = () => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      const end = Date.now() + 10_000;
      while (alive() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      expect(alive()).toBe(false);
    } finally {
      await rm(script, { force: true });
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("removeStaleDataDirs", () => {
  it("removes the directories of runs whose process is gone, and nothing else", async () => {
    const parent = await mkdtemp(path.join(os.tmpdir(), "lattice-stale-"));
    const dead = spawnSync(process.execPath, ["-e", "process.exit(0)"]).pid;
    const keep = [`test-${process.pid}-1`, `e2e-${dead}`, `test-${dead}x`, "pg", "test-abc"];
    const stale = [`test-${dead}`, `test-${dead}-1795849595933`];
    for (const name of [...keep, ...stale]) await mkdir(path.join(parent, name));
    await removeStaleDataDirs(parent, "test");
    expect((await readdir(parent)).sort()).toEqual([...keep].sort());
    await rm(parent, { recursive: true, force: true });
  });
});
