// Login rate limiting: fixed windows of failed attempts per account and per address, kept in
// PostgreSQL so that every server of a deployment shares them.
import type { EntityManager } from "@mikro-orm/postgresql";
import { DomainError } from "../errors.js";

export const LOGIN_LIMITS = {
  windowSeconds: 15 * 60,
  perAccount: 10,
  perAddress: 100,
};

interface Row {
  failures: number;
  retry_after: number;
}

/** Refuse (429, with the wait) when the account or the address used up its failures. */
export async function assertLoginAllowed(em: EntityManager, email: string, ip: string): Promise<void> {
  const rows = await em.execute<Row[]>(
    `select failures, ceil(extract(epoch from (window_start + make_interval(secs => ?) - now())))::int as retry_after
       from login_throttles where key in (?, ?) and window_start + make_interval(secs => ?) > now()
        and failures >= case when key like 'account:%' then ? else ? end`,
    [LOGIN_LIMITS.windowSeconds, `account:${email}`, `address:${ip}`, LOGIN_LIMITS.windowSeconds, LOGIN_LIMITS.perAccount, LOGIN_LIMITS.perAddress],
  );
  const wait = Math.max(0, ...rows.map((r) => r.retry_after));
  if (rows.length > 0) {
    throw new DomainError("RATE_LIMITED", `Too many failed sign-in attempts; try again in ${wait} seconds.`, {
      retryAfterSeconds: Math.max(1, wait),
    });
  }
}

/** Count one failure against the account and the address (one statement). */
export async function recordLoginFailure(em: EntityManager, email: string, ip: string): Promise<void> {
  await em.execute(
    `insert into login_throttles (key, window_start, failures) values (?, now(), 1), (?, now(), 1)
     on conflict (key) do update set
       failures = case when login_throttles.window_start + make_interval(secs => ?) > now() then login_throttles.failures + 1 else 1 end,
       window_start = case when login_throttles.window_start + make_interval(secs => ?) > now() then login_throttles.window_start else now() end`,
    [`account:${email}`, `address:${ip}`, LOGIN_LIMITS.windowSeconds, LOGIN_LIMITS.windowSeconds],
  );
}

export async function clearAccountFailures(em: EntityManager, email: string): Promise<void> {
  await em.execute(`delete from login_throttles where key = ?`, [`account:${email}`]);
}
