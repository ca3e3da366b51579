// Test helpers: a private database per test file, cloned from the migrated template; callers
// with a real context; and members of every role seeded in one flush.
import { inject } from "vitest";
import { cloneDatabase } from "@lattice/devdb";
import type { Role } from "@lattice/policy";
import { TRPCError } from "@trpc/server";
import { openOrm, type Orm } from "../db/orm.js";
import { ApiToken, Membership, Organization, Session, User, type IApiToken, type IUser } from "../db/entities.js";
import { MemoryCookieJar, SESSION_COOKIE, SESSION_TTL_MS } from "../auth/cookies.js";
import { hashPassword, newApiToken, randomToken, sha256 } from "../auth/crypto.js";
import { createContext } from "../context.js";
import { loadConfig, type LatticeConfig } from "../config.js";
import { appRouter, createCaller } from "../root.js";
import type { Meta } from "../trpc.js";

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
  config?: TestConfig;
}

/** Instance configuration for one caller, over the environment's. */
export type TestConfig = Partial<LatticeConfig>;

export type Caller = ReturnType<typeof createCaller>;

/** A tRPC caller with a real context on `orm`, as the HTTP layer would build it. */
export async function callerFor(orm: Orm, opts: CallerOptions = {}): Promise<Caller> {
  const ctx = await createContext({
    orm,
    cookies: opts.cookies ?? new MemoryCookieJar(),
    headers: opts.token ? { authorization: `Token ${opts.token}` } : {},
    config: { ...loadConfig(), ...opts.config },
    request: { method: "POST", path: "/trpc", ip: opts.ip ?? "127.0.0.1", origin: "http://lattice.test" },
  });
  return createCaller(ctx);
}

// ---- Seeded organizations ----

/** The password of every seeded person (hashed once per test file). */
export const SEED_PASSWORD = "seeded password";
let seedHash: Promise<string> | undefined;

/** A seeded membership: one of the five roles, or pending, or deactivated. */
export type SeedRole = Role | "pending" | "deactivated";

export interface SeededPerson {
  userId: number;
  email: string;
  /** Signed in: a live session in this jar. */
  cookies: MemoryCookieJar;
  /** A personal API token of this person in the organization (whatever the role allows). */
  token: string;
  tokenId: number;
}

export interface SeededOrganization<K extends string> {
  orgId: number;
  title: string;
  people: Record<K, SeededPerson>;
}

let seedCounter = 0;

/**
 * An organization with one signed-in person per key, in one flush and without argon2 per
 * person (tests of permissions need many organizations). Each person's active organization is
 * this one; each holds an API token for it, so that refusals of token use can be tested too.
 * Flows that matter for sign-up itself use `auth.signup` instead.
 */
export async function seedOrganization<K extends string>(
  orm: Orm,
  roles: Record<K, SeedRole>,
  opts: { title?: string; seatLimit?: number | null } = {},
): Promise<SeededOrganization<K>> {
  seedHash ??= hashPassword(SEED_PASSWORD);
  const passwordHash = await seedHash;
  const em = orm.em.fork();
  const n = ++seedCounter;
  const tag = `${n}${randomToken(3).toLowerCase().replace(/[^a-z0-9]/g, "")}`;
  const title = opts.title ?? `Org ${tag}`;
  const org = em.create(Organization, { title, seatLimit: opts.seatLimit ?? null });
  const secrets = new Map<K, { sid: string; token: string; user: IUser; api: IApiToken }>();
  for (const key of Object.keys(roles) as K[]) {
    const seed = roles[key];
    const user = em.create(User, { email: `${key.toLowerCase()}.${tag}@seed.test`, name: key, passwordHash, activeOrganization: org });
    if (seed === "owner") org.createdBy = user;
    em.create(Membership, {
      organization: org,
      user,
      role: seed === "pending" || seed === "deactivated" ? null : seed,
      status: seed === "pending" ? "pending" : seed === "deactivated" ? "deactivated" : "active",
      source: "manual",
    });
    const sid = randomToken(32);
    em.create(Session, { user, tokenHash: sha256(sid), expiresAt: new Date(Date.now() + SESSION_TTL_MS) });
    const t = newApiToken();
    const api = em.create(ApiToken, { organization: org, user, name: "seeded", prefix: t.prefix, tokenHash: t.hash });
    secrets.set(key, { sid, token: t.token, user, api });
  }
  await em.flush();
  const people = {} as Record<K, SeededPerson>;
  for (const [key, s] of secrets) {
    people[key] = {
      userId: s.user.id,
      email: s.user.email,
      cookies: new MemoryCookieJar({ [SESSION_COOKIE]: s.sid }),
      token: s.token,
      tokenId: s.api.id,
    };
  }
  return { orgId: org.id, title, people };
}

/** The tRPC code of a rejected call (fails the test when the call succeeded or threw something else). */
export async function errorCode(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    if (err instanceof TRPCError) return err.code;
    throw err;
  }
  throw new Error("expected the call to be refused, and it succeeded");
}

/** The TRPCError of a rejected call. */
export async function refusal(call: Promise<unknown>): Promise<TRPCError> {
  try {
    await call;
  } catch (err) {
    if (err instanceof TRPCError) return err;
    throw err;
  }
  throw new Error("expected the call to be refused, and it succeeded");
}

/** Rows of the activity log, oldest first. */
export async function activityLogs(orm: Orm): Promise<{ id: string; organization_id: number | null; actor_id: number | null; action: string; target_id: string | null; changes: unknown }[]> {
  return orm.em.fork().execute(`select id, organization_id, actor_id, action, target_id, changes from activity_logs order by id`);
}

// ---- The router, walked ----

/** Every procedure of appRouter: its dotted path and its meta. */
export function procedures(): { path: string; meta: Meta | undefined }[] {
  const all = appRouter._def.procedures as unknown as Record<string, { _def: { meta?: Meta } }>;
  return Object.entries(all).map(([path, p]) => ({ path, meta: p._def.meta }));
}

/** The procedure at a dotted path of a caller, to call with any input. */
export function procedureAt(caller: Caller, path: string): (input?: unknown) => Promise<unknown> {
  const fn = path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], caller);
  if (typeof fn !== "function") throw new Error(`no procedure at ${path}`);
  return fn as (input?: unknown) => Promise<unknown>;
}

export { dataCallerFor, bodyOf, collect, seedProject, PROJECT_PEOPLE, type ProjectFixture, type ProjectPerson } from "./data.js";
