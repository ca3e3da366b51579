// Test helpers: a private database per test file, cloned from the migrated template.
import { inject } from "vitest";
import { cloneDatabase } from "@lattice/devdb";
import { openOrm, type Orm } from "../db/orm.js";
import { MemoryCookieJar } from "../auth/cookies.js";
import { createContext } from "../context.js";
import { loadConfig, type LatticeConfig } from "../config.js";
import { createCaller } from "../root.js";

declare module "vitest" {
  export interface ProvidedContext {
    latticeDatabaseUrl: string;
    latticeTemplate: string;
  }
}

export interface TestDatabase {
  url: string;
  orm: Orm;
  close(): Promise<void>;
}

/** A fresh, migrated database of this test file's own. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const base = inject("latticeDatabaseUrl");
  const template = inject("latticeTemplate");
  const url = await cloneDatabase(base, template, template.replace(/_tpl$/, ""));
  const orm = await openOrm({ databaseUrl: url, poolMax: 5 });
  return {
    url,
    orm,
    close: () => orm.close(true),
  };
}

export interface CallerOptions {
  /** The browser's cookie jar; keep one per simulated person to stay signed in. */
  cookies?: MemoryCookieJar;
  /** An API token, sent as `Authorization: Token <token>`. */
  token?: string;
  ip?: string;
  config?: Partial<LatticeConfig>;
}

/** A tRPC caller with a real context on `orm`, as the HTTP layer would build it. */
export async function callerFor(orm: Orm, opts: CallerOptions = {}): Promise<ReturnType<typeof createCaller>> {
  const ctx = await createContext({
    orm,
    cookies: opts.cookies ?? new MemoryCookieJar(),
    headers: opts.token ? { authorization: `Token ${opts.token}` } : {},
    config: { ...loadConfig(), ...opts.config },
    request: { method: "POST", path: "/trpc", ip: opts.ip ?? "127.0.0.1", origin: "http://lattice.test" },
  });
  return createCaller(ctx);
}
