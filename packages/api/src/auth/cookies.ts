/** The session cookie's name. */
export const SESSION_COOKIE = "lattice_session";
export const SESSION_TTL_MS = 14 * 24 * 3600 * 1000;

export interface CookieOptions {
  maxAgeSeconds?: number;
  secure: boolean;
}

/** What procedures may do with cookies; the HTTP layer (or a test) implements it. */
export interface CookieJar {
  get(name: string): string | undefined;
  set(name: string, value: string, opts: CookieOptions): void;
  clear(name: string, opts: CookieOptions): void;
}

/** Parse a Cookie header into a map (first occurrence wins). */
export function parseCookieHeader(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    if (out.has(name)) continue;
    let value = part.slice(i + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      out.set(name, decodeURIComponent(value));
    } catch {
      out.set(name, value);
    }
  }
  return out;
}

/** A Set-Cookie header value: httpOnly, SameSite=Lax, Path=/, Secure over https. */
export function serializeCookie(name: string, value: string, opts: CookieOptions): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, "Path=/", "HttpOnly", "SameSite=Lax"];
  if (opts.maxAgeSeconds !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(opts.maxAgeSeconds))}`);
  if (opts.secure) parts.push("Secure");
  return parts.join("; ");
}

/** An in-memory jar, for createCaller tests and scripts. */
export class MemoryCookieJar implements CookieJar {
  readonly values = new Map<string, string>();
  constructor(initial?: Record<string, string>) {
    for (const [k, v] of Object.entries(initial ?? {})) this.values.set(k, v);
  }
  get(name: string) {
    return this.values.get(name);
  }
  set(name: string, value: string) {
    this.values.set(name, value);
  }
  clear(name: string) {
    this.values.delete(name);
  }
}
