import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueueClient, enqueue, startQueues, type PgBoss } from "@lattice/api";
import { createTestDatabase, type TestDatabase } from "@lattice/api/testing";

const appDir = path.resolve(import.meta.dirname, "..");

/** Start `src/main.ts` as a real, separate worker process. */
function spawnWorker(env: Record<string, string>): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ["--conditions=@lattice/source", "--import", "tsx", "src/main.ts"], {
    cwd: appDir,
    env: { ...process.env, LOG_LEVEL: "info", ...env },
  });
}

function collect(child: ChildProcessWithoutNullStreams) {
  const out = { stdout: "", stderr: "" };
  child.stdout.on("data", (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { out, exited };
}

async function until<T>(fn: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("worker process", () => {
  let db: TestDatabase;
  let boss: PgBoss;
  beforeAll(async () => {
    db = await createTestDatabase();
    boss = createQueueClient({ databaseUrl: db.url });
    await startQueues(boss);
  });
  afterAll(async () => {
    await boss.stop({ graceful: false, wait: true });
    await db.close();
  });

  it("processes a job queued in PostgreSQL by another process, then stops cleanly on SIGTERM", async () => {
    const child = spawnWorker({ DATABASE_URL: db.url, LATTICE_WORKER_POLL_SECONDS: "0.5" });
    const { out, exited } = collect(child);
    try {
      await until(async () => (out.stdout.includes("worker started") ? true : undefined), 30_000, "worker start");
      const jobId = await enqueue(boss, "system.ping", { message: "hello from the test process" });
      const job = await until(async () => {
        const j = await boss.getJobById("system.ping", jobId);
        return j && (j.state === "completed" || j.state === "failed") ? j : undefined;
      }, 20_000, "job completion");
      expect(job.state).toBe("completed");
      const output = job.output as { pong: string; pid: number; jobId: string };
      expect(output.pong).toBe("hello from the test process");
      expect(output.jobId).toBe(jobId);
      // Done by the child process, not by this one.
      expect(output.pid).toBe(child.pid);
      expect(output.pid).not.toBe(process.pid);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });

  it("refuses an invalid payload before it reaches the queue", async () => {
    await expect(enqueue(boss, "system.ping", { message: "x".repeat(500) })).rejects.toThrow();
  });

  it("ends with one clear line when the database is unreachable", async () => {
    const child = spawnWorker({ DATABASE_URL: "postgres://lattice:secret@127.0.0.1:1/lattice" });
    const { out, exited } = collect(child);
    expect(await exited).toBe(1);
    const lines = out.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^lattice-worker: Cannot reach PostgreSQL at postgres:\/\/lattice:\*\*\*@127\.0\.0\.1:1\/lattice/);
    expect(out.stderr).not.toContain("secret");
  });
});
