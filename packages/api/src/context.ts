import type { EntityManager } from "@mikro-orm/postgresql";
import type { Orm } from "./db/orm.js";
import type { IMembership, IUser } from "./db/entities.js";

/** What the HTTP layer knows about a request before any procedure runs. */
export interface RequestInfo {
  method: string;
  path: string;
  ip: string;
}

/** Resolves the caller from the request (session cookie or API token); added by the accounts issue. */
export type Authenticate = (em: EntityManager, headers: Record<string, string | string[] | undefined>) => Promise<IUser | null>;

export interface Context {
  orm: Orm;
  /** A fork of the ORM's EntityManager for this request only. */
  em: EntityManager;
  user: IUser | null;
  /** The caller's membership in their active organization, when there is one. */
  membership: IMembership | null;
  request: RequestInfo;
}

export interface CreateContextOptions {
  orm: Orm;
  request: RequestInfo;
  headers?: Record<string, string | string[] | undefined>;
  authenticate?: Authenticate;
}

export async function createContext(opts: CreateContextOptions): Promise<Context> {
  const em = opts.orm.em.fork() as EntityManager;
  const user = opts.authenticate ? await opts.authenticate(em, opts.headers ?? {}) : null;
  return { orm: opts.orm, em, user, membership: null, request: opts.request };
}
