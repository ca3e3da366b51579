import type { EntityManager } from "@mikro-orm/postgresql";
import type { Orm } from "./db/orm.js";
import type { IMembership, IOrganization, IUser } from "./db/entities.js";
import { authenticate, type Principal } from "./auth/authenticate.js";
import { MemoryCookieJar, type CookieJar } from "./auth/cookies.js";
import { loadConfig, type LatticeConfig } from "./config.js";
import { DomainError } from "./errors.js";

/** What the HTTP layer knows about a request before any procedure runs. */
export interface RequestInfo {
  method: string;
  path: string;
  ip: string;
  /** Served over https (directly or behind a trusted proxy): cookies get `Secure`. */
  secure?: boolean;
  /** The app's own origin, for invitation links. */
  origin?: string;
  userAgent?: string;
}

export interface Context {
  orm: Orm;
  /** A fork of the ORM's EntityManager for this request only. */
  em: EntityManager;
  config: LatticeConfig;
  request: RequestInfo;
  cookies: CookieJar;
  principal: Principal | null;
  /** Why presented credentials were refused (a bad or revoked token); UNAUTHORIZED where sign-in is needed. */
  authError: string | null;
  user: IUser | null;
  /** Set by orgProcedure: the organization the call is about and the caller's membership in it. */
  organization: IOrganization | null;
  membership: IMembership | null;
}

export interface CreateContextOptions {
  orm: Orm;
  request: RequestInfo;
  headers?: Record<string, string | string[] | undefined>;
  cookies?: CookieJar;
  config?: LatticeConfig;
}

export async function createContext(opts: CreateContextOptions): Promise<Context> {
  const em = opts.orm.em.fork() as EntityManager;
  const cookies = opts.cookies ?? new MemoryCookieJar();
  let principal: Principal | null = null;
  let authError: string | null = null;
  try {
    principal = await authenticate(em, opts.headers ?? {}, cookies);
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    authError = err.message;
  }
  return {
    orm: opts.orm,
    em,
    config: opts.config ?? loadConfig(),
    request: opts.request,
    cookies,
    principal,
    authError,
    user: principal?.user ?? null,
    organization: null,
    membership: null,
  };
}
