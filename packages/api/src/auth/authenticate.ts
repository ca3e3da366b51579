// Who is calling: an API token (`Authorization: Token <t>` or `Bearer <t>`) or the session
// cookie. Secrets are looked up by their SHA-256 only.
import { can, ROLES, type MembershipStatus, type Role } from "@lattice/policy";
import type { EntityManager } from "@mikro-orm/postgresql";
import { User, type IUser } from "../db/entities.js";
import { DomainError } from "../errors.js";
import { SESSION_COOKIE, type CookieJar } from "./cookies.js";
import { sha256 } from "./crypto.js";

export interface Principal {
  user: IUser;
  via: "session" | "token";
  sessionId?: number;
  tokenId?: number;
  /** A token works for the organization it was created in, and no other. */
  tokenOrganizationId?: number;
  /**
   * The token holder's membership in that organization as it is now: a token is refused on
   * every procedure (not only organization-scoped ones) once its holder may not use the API.
   */
  tokenMembership?: { role: Role | null; status: MembershipStatus };
}

/** Roles whose tokens work; a use by any other records no `last_used_at`. */
const API_ROLES = ROLES.filter((role) => can({ role, status: "active" }, "apiToken.use"));

function bearer(headers: Record<string, string | string[] | undefined>): string | null | undefined {
  const raw = headers.authorization;
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return undefined;
  const m = /^(?:Token|Bearer)\s+(\S+)\s*$/i.exec(value);
  return m ? (m[1] ?? null) : null;
}

/** Columns of the caller's user row, selected beside the credential's (the extra columns are named apart). */
type UserColumns = Record<string, unknown>;

/** Uses closer together than this record no new `last_used_at` / `last_seen_at` (a write per request would be a hot row). */
const TOUCH_EVERY = "5 minutes";

export async function authenticate(
  em: EntityManager,
  headers: Record<string, string | string[] | undefined>,
  cookies: CookieJar,
): Promise<Principal | null> {
  const token = bearer(headers);
  if (token === null) throw new DomainError("UNAUTHORIZED", "The Authorization header must be `Token <token>` or `Bearer <token>`.");
  if (token !== undefined) {
    // One statement: the token, its holder's current membership and user row, and the time of use.
    const [row] = await em.execute<(UserColumns & { token_id: number; token_organization_id: number; token_role: Role | null; token_status: MembershipStatus })[]>(
      `with found as (
         select t.id, t.user_id, t.organization_id, t.last_used_at, m.role, m.status
           from api_tokens t join memberships m on m.organization_id = t.organization_id and m.user_id = t.user_id
          where t.token_hash = ? and t.revoked_at is null),
       used as (
         update api_tokens set last_used_at = now()
          where id in (select id from found where status = 'active' and role in (${API_ROLES.map(() => "?").join(", ")})
                          and (last_used_at is null or last_used_at < now() - interval '${TOUCH_EVERY}')) returning id)
       select found.id as token_id, found.organization_id as token_organization_id, found.role as token_role, found.status as token_status, u.*
         from found join users u on u.id = found.user_id`,
      [sha256(token), ...API_ROLES],
    );
    if (!row) throw new DomainError("UNAUTHORIZED", "This API token is not valid (unknown or revoked).");
    const { token_id, token_organization_id, token_role, token_status, ...user } = row;
    return {
      user: em.map(User, user),
      via: "token",
      tokenId: token_id,
      tokenOrganizationId: token_organization_id,
      tokenMembership: { role: token_role, status: token_status },
    };
  }
  const sid = cookies.get(SESSION_COOKIE);
  if (!sid) return null;
  // One statement: the live session with its user row, and the time it was last seen.
  const [row] = await em.execute<(UserColumns & { session_id: number })[]>(
    `with found as (
       select s.id, s.user_id, s.last_seen_at from sessions s where s.token_hash = ? and s.expires_at > now()),
     seen as (
       update sessions set last_seen_at = now()
        where id in (select id from found where last_seen_at < now() - interval '${TOUCH_EVERY}') returning id)
     select found.id as session_id, u.* from found join users u on u.id = found.user_id`,
    [sha256(sid)],
  );
  if (!row) return null;
  const { session_id, ...user } = row;
  return { user: em.map(User, user), via: "session", sessionId: session_id };
}
