// Helpers for HTTP-level tests of the REST face: requests through `app.inject`, signed in by
// the session cookie (with the app's own Origin, as a browser sends it) or an API token.
import type { FastifyInstance, InjectOptions } from "fastify";

/** The origin `app.inject` requests are addressed to (Host: localhost:80). */
export const ORIGIN = "http://localhost";

/** Response bodies are JSON of many shapes; tests assert on them field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Auth {
  /** `lattice_session=…`, as a browser would send it back. */
  cookie?: string;
  /** An API token, sent as `Authorization: <scheme> <token>`. */
  token?: string;
  scheme?: "Token" | "Bearer";
}

export interface RequestOptions {
  auth?: Auth;
  /** A JSON body (sent with Content-Type: application/json). */
  body?: unknown;
  /** A body sent as is, with the headers given. */
  raw?: string;
  headers?: Record<string, string>;
}

export interface HttpResponse {
  status: number;
  body: Json;
  text: string;
  headers: Record<string, string | string[] | number | undefined>;
}

export type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

/** A request to `app`; cookie-authenticated writes carry the app's own Origin unless told otherwise. */
export async function request(app: FastifyInstance, method: Method, url: string, opts: RequestOptions = {}): Promise<HttpResponse> {
  const headers: Record<string, string> = {};
  if (opts.auth?.cookie) {
    headers.cookie = opts.auth.cookie;
    if (method !== "GET") headers.origin = ORIGIN;
  }
  if (opts.auth?.token) headers.authorization = `${opts.auth.scheme ?? "Token"} ${opts.auth.token}`;
  Object.assign(headers, opts.headers);
  // `origin: ""` in opts.headers: send no Origin header at all.
  if (headers.origin === "") delete headers.origin;
  const inject: InjectOptions = { method, url, headers };
  if (opts.body !== undefined) {
    headers["content-type"] ??= "application/json";
    inject.payload = JSON.stringify(opts.body);
  } else if (opts.raw !== undefined) {
    inject.payload = opts.raw;
  }
  const res = await app.inject(inject);
  let body: Json;
  try {
    body = res.body ? JSON.parse(res.body) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.statusCode, body, text: res.body, headers: res.headers };
}

/** The `Set-Cookie` values of a response. */
export function setCookies(res: HttpResponse): string[] {
  const raw = res.headers["set-cookie"];
  return raw === undefined ? [] : Array.isArray(raw) ? raw : [String(raw)];
}

/** The session cookie a response set, as `name=value` for the next request's Cookie header. */
export function sessionCookie(res: HttpResponse): string {
  const cookie = setCookies(res).find((c) => c.startsWith("lattice_session=") && !/Max-Age=0/.test(c));
  if (!cookie) throw new Error(`no session cookie in ${res.status} ${res.text}`);
  return cookie.split(";")[0]!;
}

export interface SignedIn {
  cookie: string;
  user: Json;
  auth: Auth;
}

/** Sign up over REST (with an invitation token when given); returns the session. */
export async function signup(
  app: FastifyInstance,
  email: string,
  extra: { name?: string; invite_token?: string; password?: string } = {},
): Promise<SignedIn> {
  const res = await request(app, "POST", "/api/auth/signup", {
    body: { email, password: extra.password ?? "correct horse battery", name: extra.name, invite_token: extra.invite_token },
  });
  if (res.status !== 200) throw new Error(`signup ${email}: ${res.status} ${res.text}`);
  const cookie = sessionCookie(res);
  return { cookie, user: res.body, auth: { cookie } };
}

/** A personal API token of the signed-in user (in their active organization). */
export async function createToken(app: FastifyInstance, who: SignedIn, name = "script"): Promise<Json> {
  const res = await request(app, "POST", "/api/tokens", { auth: who.auth, body: { name } });
  if (res.status !== 200) throw new Error(`token: ${res.status} ${res.text}`);
  return res.body;
}
