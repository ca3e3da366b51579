// Who is calling: an API token (`Authorization: Token <t>` or `Bearer <t>`) or the session
// cookie. Secrets are looked up by their SHA-256 only.
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
}

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
    const [row] = await conn.execute<{ id: number; user_id: number; organization_id: number }[]>(
      `update api_tokens set last_used_at = now() where token_hash = ? and revoked_at is null
       returning id, user_id, organization_id`,
      [sha256(token)],
    );
    if (!row) throw new DomainError("UNAUTHORIZED", "This API token is not valid (unknown or revoked).");
    const user = await em.findOneOrFail(User, row.user_id);
    return { user, via: "token", tokenId: row.id, tokenOrganizationId: row.organization_id };
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
