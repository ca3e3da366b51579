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

export async function authenticate(
  em: EntityManager,
  headers: Record<string, string | string[] | undefined>,
  cookies: CookieJar,
): Promise<Principal | null> {
  const conn = em;
  const token = bearer(headers);
  if (token === null) throw new DomainError("UNAUTHORIZED", "The Authorization header must be `Token <token>` or `Bearer <token>`.");
  if (token !== undefined) {
    // One statement: the token, its holder's current membership, and the time of use.
    const [row] = await conn.execute<{ id: number; user_id: number; organization_id: number; role: Role | null; status: MembershipStatus }[]>(
      `with found as (
         select t.id, t.user_id, t.organization_id, m.role, m.status
           from api_tokens t join memberships m on m.organization_id = t.organization_id and m.user_id = t.user_id
          where t.token_hash = ? and t.revoked_at is null),
       used as (
         update api_tokens set last_used_at = now()
          where id in (select id from found where status = 'active' and role in (${API_ROLES.map(() => "?").join(", ")})) returning id)
       select found.* from found`,
      [sha256(token), ...API_ROLES],
    );
    if (!row) throw new DomainError("UNAUTHORIZED", "This API token is not valid (unknown or revoked).");
    const user = await em.findOneOrFail(User, row.user_id);
    return {
      user,
      via: "token",
      tokenId: row.id,
      tokenOrganizationId: row.organization_id,
      tokenMembership: { role: row.role, status: row.status },
    };
  }
  const sid = cookies.get(SESSION_COOKIE);
  if (!sid) return null;
  const [row] = await conn.execute<{ id: number; user_id: number }[]>(
    `update sessions set last_seen_at = case when last_seen_at < now() - interval '5 minutes' then now() else last_seen_at end
      where token_hash = ? and expires_at > now() returning id, user_id`,
    [sha256(sid)],
  );
  if (!row) return null;
  const user = await em.findOneOrFail(User, row.user_id);
  return { user, via: "session", sessionId: row.id };
}
