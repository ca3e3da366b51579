import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@lattice/api/testing";
import { buildServer } from "./app.js";

let db: TestDatabase;
let webDir: string;
beforeAll(async () => {
  db = await createTestDatabase();
  webDir = await mkdtemp(path.join(os.tmpdir(), "lattice-web-"));
  await writeFile(path.join(webDir, "index.html"), "<!doctype html><title>Lattice</title><div id=root></div>");
  await writeFile(path.join(webDir, "app.js"), "console.log('app')");
});
afterAll(async () => {
  await db.close();
});

describe("HTTP server", () => {
  it("answers /healthz and /readyz with 200 once migrations are applied", async () => {
    const app = await buildServer({ orm: db.orm });
    expect((await app.inject({ url: "/healthz" })).statusCode).toBe(200);
    const ready = await app.inject({ url: "/readyz" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: "ready" });
    await app.close();
  });

  it("answers /readyz with 503 while a migration is pending", async () => {
    const app = await buildServer({ orm: db.orm });
    const conn = db.orm.em.getConnection();
    const removed = await conn.execute<{ name: string }[]>("delete from mikro_orm_migrations returning name");
    try {
      expect((await app.inject({ url: "/readyz" })).statusCode).toBe(503);
      expect((await app.inject({ url: "/healthz" })).statusCode).toBe(200);
    } finally {
      for (const { name } of removed) {
        await conn.execute("insert into mikro_orm_migrations (name, executed_at) values (?, now())", [name]);
      }
      await app.close();
    }
  });

  it("serves the health procedure over tRPC", async () => {
    const app = await buildServer({ orm: db.orm });
    const res = await app.inject({ url: "/trpc/health" });
    expect(res.statusCode).toBe(200);
    expect(res.json().result.data).toMatchObject({ status: "ok", database: "up", migrations: "applied" });
    await app.close();
  });

  it("serves the web app, falls back to it for client routes, and keeps unknown API paths 404", async () => {
    const app = await buildServer({ orm: db.orm, webDir });
    const index = await app.inject({ url: "/" });
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain("<title>Lattice</title>");
    expect((await app.inject({ url: "/app.js" })).body).toContain("console.log");
    expect((await app.inject({ url: "/projects/12" })).body).toContain("<title>Lattice</title>");
    const api = await app.inject({ url: "/api/nothing-here" });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ code: "NOT_FOUND" });
    expect((await app.inject({ url: "/trpc/noSuchProcedure" })).statusCode).toBe(404);
    await app.close();
  });
});

describe("server process", () => {
  function run(env: Record<string, string>) {
    const child = spawn(process.execPath, ["--conditions=@lattice/source", "--import", "tsx", "src/main.ts"], {
      cwd: path.resolve(import.meta.dirname, ".."),
      env: { ...process.env, LOG_LEVEL: "warn", ...env },
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    return { child, exited, stderr: () => stderr };
  }

  it("ends with one clear line when its port is in use", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const { exited, stderr } = run({ DATABASE_URL: db.url, PORT: String(port), HOST: "127.0.0.1" });
      expect(await exited).toBe(1);
      expect(stderr().trim().split("\n")).toEqual([
        `lattice-server: Port ${port} on 127.0.0.1 is already in use; set PORT to a free port.`,
      ]);
    } finally {
      blocker.close();
    }
  });

  it("ends with one clear line when DATABASE_URL is unreachable or malformed", async () => {
    const a = run({ DATABASE_URL: "postgres://u:pw@127.0.0.1:1/x", PORT: "0" });
    expect(await a.exited).toBe(1);
    expect(a.stderr().trim().split("\n")).toHaveLength(1);
    expect(a.stderr()).toMatch(/^lattice-server: Cannot reach PostgreSQL at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x/);
    const b = run({ DATABASE_URL: "mysql://nope", PORT: "0" });
    expect(await b.exited).toBe(1);
    expect(b.stderr().trim()).toBe("lattice-server: Invalid DATABASE_URL: must be a postgres:// URL");
  });
});
