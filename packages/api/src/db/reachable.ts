import pg from "pg";
import { ConfigurationError } from "../config.js";

/** The URL with any password replaced, for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "<unparseable DATABASE_URL>";
  }
}

/** Check that PostgreSQL answers at `url`; a ConfigurationError with one clear line otherwise. */
export async function assertDatabaseReachable(url: string, timeoutMs = 5000): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("select 1");
  } catch (err) {
    const e = err as { message?: string; code?: string; name?: string };
    const reason = e.message || e.code || e.name || String(err);
    throw new ConfigurationError(`Cannot reach PostgreSQL at ${redactDatabaseUrl(url)}: ${reason}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
