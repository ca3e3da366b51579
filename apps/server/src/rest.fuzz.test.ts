// Fuzzing the REST face: arbitrary JSON bodies, query strings, ids, content types and
// credentials on every REST path of accounts, organizations, members, invitations and tokens.
// No answer may be a 500; every 400 names a field or says what is wrong.
import fc from "fast-check";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@lattice/api/testing";
import { buildServer } from "./app.js";
import { createToken, request, sessionCookie, signup, type HttpResponse, type Method, type SignedIn } from "./testing/http.js";

const PASSWORD = "correct horse battery";
const ROLE_CODES = ["OW", "AD", "MA", "RE", "AN", "NO", "DI"];

let db: TestDatabase;
let app: FastifyInstance;
let owner: SignedIn & { orgId: number };
let other: SignedIn & { orgId: number };
const userIds: number[] = [];
let revoked: string;
/** The credentials the fuzzer signs in with; renewed when a request ends them (logout, revoke). */
const live = { cookie: "", token: "" };

async function renewCookie() {
  // The fuzzer's own failed logins must not lock it out of its account.
  await db.orm.em.fork().getConnection().execute("delete from login_throttles");
  const res = await request(app, "POST", "/api/auth/login", { body: { email: owner.user.email, password: PASSWORD } });
  live.cookie = sessionCookie(res);
}
async function renewToken() {
  live.token = (await createToken(app, { ...owner, auth: { cookie: live.cookie } }, "fuzz")).token;
}

beforeAll(async () => {
  db = await createTestDatabase();
  app = await buildServer({ orm: db.orm });
  const o = await signup(app, "fuzz.owner@example.com", { name: "Fuzz", password: PASSWORD });
  owner = { ...o, orgId: o.user.active_organization.id };
  const b = await signup(app, "fuzz.other@example.com", { password: PASSWORD });
  other = { ...b, orgId: b.user.active_organization.id };
  const invite = (await request(app, "GET", "/api/organizations/0/invite", { auth: owner.auth })).body.token as string;
  for (const [name, role] of [["admin", "AD"], ["annotator", "AN"], ["pending", "NO"]] as const) {
    const m = await signup(app, `fuzz.${name}@example.com`, { invite_token: invite, password: PASSWORD });
    userIds.push(m.user.id);
    if (role !== "NO") await request(app, "POST", "/api/organizations/0/memberships", { auth: owner.auth, body: { user_id: m.user.id, role } });
  }
  userIds.push(owner.user.id, other.user.id);
  live.cookie = owner.cookie;
  const gone = await createToken(app, owner, "revoked");
  await request(app, "DELETE", `/api/tokens/${gone.id}`, { auth: owner.auth });
  revoked = gone.token;
  await renewToken();
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

interface Route {
  method: Method;
  /** `{id}` and `{user_id}` are replaced by fuzzed path segments. */
  path: string;
}

const ROUTES: Route[] = [
  { method: "POST", path: "/api/auth/signup" },
  { method: "POST", path: "/api/auth/login" },
  { method: "POST", path: "/api/auth/logout" },
  { method: "GET", path: "/api/current-user" },
  { method: "GET", path: "/api/tokens" },
  { method: "POST", path: "/api/tokens" },
  { method: "DELETE", path: "/api/tokens/{id}" },
  { method: "GET", path: "/api/organizations/" },
  { method: "POST", path: "/api/organizations/" },
  { method: "GET", path: "/api/organizations/{id}" },
  { method: "PATCH", path: "/api/organizations/{id}" },
  { method: "POST", path: "/api/organizations/{id}/switch" },
  { method: "GET", path: "/api/organizations/{id}/invite" },
  { method: "POST", path: "/api/organizations/{id}/invite/reset-token" },
  { method: "GET", path: "/api/organizations/{id}/memberships" },
  { method: "POST", path: "/api/organizations/{id}/memberships" },
  { method: "PATCH", path: "/api/organizations/{id}/memberships" },
  { method: "GET", path: "/api/organizations/{id}/memberships/{user_id}" },
  { method: "DELETE", path: "/api/organizations/{id}/memberships/{user_id}" },
  { method: "POST", path: "/api/organizations/{id}/transfer-ownership" },
];

/** Safe to put in a URL as is: encoded, or one of the raw oddities below. */
function encode(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return "x"; // a lone surrogate
  }
}

const known = () => fc.constantFrom(...[0, 1, 2, 3, owner.orgId, other.orgId, ...userIds].map(String));
const segment = () =>
  fc.oneof(
    { weight: 8, arbitrary: known() },
    { weight: 2, arbitrary: fc.integer({ min: -5, max: 2 ** 34 }).map(String) },
    { weight: 2, arbitrary: fc.string({ maxLength: 12 }).map(encode) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 6 }).map(encode) },
    {
      weight: 2,
      arbitrary: fc.constantFrom("%00", "%E0", "%ZZ", "%2F", "..", "1e3", "0x1", "%201", "-0", "null", "1.0", "00000000000000000001", "%5B%5D"),
    },
  );

const roleList = () =>
  fc.array(fc.oneof(fc.constantFrom(...ROLE_CODES), fc.constantFrom("an", "XX", "", " RE", "owner", "pending")), { maxLength: 4 }).map((a) => a.join(","));
const queryValue = () =>
  fc.oneof(
    fc.string({ maxLength: 20 }).map(encode),
    fc.integer({ min: -3, max: 300 }).map(String),
    roleList().map(encode),
    fc.constantFrom("", "%", "%E0", "%00", "a%00b", "%ED%A0%80", "a%26b", "x".repeat(250), "active,pending", "deactivated"),
  );
const queryString = () =>
  fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom("page", "page_size", "role", "status", "search", "id", "user_id", "__proto__", "constructor", "foo"), fc.string({ maxLength: 8 }).map(encode)),
        queryValue(),
      ),
      { maxLength: 6 },
    )
    .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join("&"));

/** Any JSON value, or a value that looks like what a procedure wants. */
const fieldValue = () =>
  fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(...ROLE_CODES, "owner", "", " ", "x".repeat(300), "a@b.c", "fuzz.owner@example.com", PASSWORD),
    fc.integer({ min: -2, max: 2 ** 33 }),
    known().map(Number),
    fc.emailAddress(),
    fc.double(),
    fc.string({ unit: "binary", maxLength: 8 }), // NUL, unpaired surrogates, any code point
    fc.constantFrom("a\u0000b", "\ud800", "x\udc00y", "\u202e", "🦄"),
  );
const objectBody = () =>
  fc.record(
    {
      email: fieldValue(),
      password: fieldValue(),
      name: fieldValue(),
      invite_token: fieldValue(),
      title: fieldValue(),
      seat_limit: fieldValue(),
      user_id: fieldValue(),
      role: fieldValue(),
      id: fieldValue(),
      extra: fieldValue(),
    },
    { requiredKeys: [] },
  );
/** Bodies that a procedure may accept, to reach the services and their refusals. */
const plausibleBody = () =>
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ user_id: fc.constantFrom(...userIds), role: fc.constantFrom(...ROLE_CODES) }) },
    fc.record({ title: fc.string({ minLength: 1, maxLength: 30 }), seat_limit: fc.option(fc.integer({ min: 0, max: 6 }), { nil: null }) }, { requiredKeys: [] }),
    fc.record({ name: fc.string({ minLength: 1, maxLength: 20 }) }),
    fc.record({ user_id: fc.constantFrom(...userIds) }),
    fc.record({ email: fc.constantFrom("fuzz.new@example.com", "fuzz.admin@example.com"), password: fc.constantFrom(PASSWORD, "wrong password") }),
  );
const body = () =>
  fc.oneof(
    { weight: 6, arbitrary: plausibleBody().map((b) => JSON.stringify(b)) },
    { weight: 5, arbitrary: objectBody().map((b) => JSON.stringify(b)) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((b) => JSON.stringify(b)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }) }, // mostly not JSON
    { weight: 1, arbitrary: fc.constantFrom("", "{", '{"email":', "[1,", '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', "nul", "\u0000") },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
const contentType = () =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom("application/json", "application/json; charset=utf-8") },
    { weight: 1, arbitrary: fc.constantFrom(undefined, "text/plain", "application/x-www-form-urlencoded", "application/xml") },
  );
const auth = () =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom("cookie", "cookie", "token", "bearer") },
    { weight: 1, arbitrary: fc.constantFrom("none", "garbage", "revoked", "other") },
  );
const method = () => fc.constantFrom<Method>("GET", "POST", "PATCH", "PUT", "DELETE");

const GENERIC = new Set(["Bad request", "Bad Request", "Input validation failed", "Invalid input", ""]);

/** The contract of every REST answer, whatever was asked. */
function check(res: HttpResponse, what: string) {
  expect(res.status, what).toBeLessThan(500);
  expect(res.headers["content-type"], what).toMatch(/^application\/json/);
  expect(res.body, what).toBeDefined();
  if (res.status < 400) return;
  expect(typeof res.body.code, what).toBe("string");
  expect(typeof res.body.message, what).toBe("string");
  for (const key of Object.keys(res.body)) expect(["code", "message", "issues"], what).toContain(key);
  if (res.status !== 400) return;
  expect(res.body.code, what).toBe("BAD_REQUEST");
  expect(GENERIC.has(res.body.message), `${what}: a generic 400 message`).toBe(false);
  if (res.body.issues !== undefined) {
    expect(res.body.issues.length, what).toBeGreaterThan(0);
    for (const issue of res.body.issues) {
      expect(Array.isArray(issue.path), what).toBe(true);
      expect(typeof issue.message, what).toBe("string");
    }
    const named = res.body.issues.filter((i: { path: unknown[] }) => i.path.length > 0);
    // Each field at fault is named in the message (the first five of them).
    for (const issue of named.slice(0, 5)) expect(res.body.message, what).toContain(issue.path.join("."));
  } else {
    // No zod issues (a body that is not JSON, an undecodable URL): the message says what.
    expect(res.body.message, what).toMatch(/JSON|url|URL|Content-Type|id|must/);
  }
}

async function send(m: Method, url: string, raw: string | undefined, type: string | undefined, who: string): Promise<HttpResponse> {
  const headers: Record<string, string> = {};
  if (type !== undefined) headers["content-type"] = type;
  const creds =
    who === "cookie"
      ? { cookie: live.cookie }
      : who === "token"
        ? { token: live.token }
        : who === "bearer"
          ? { token: live.token, scheme: "Bearer" as const }
          : who === "revoked"
            ? { token: revoked }
            : who === "other"
              ? { cookie: other.cookie }
              : undefined;
  if (who === "garbage") headers.authorization = "Token";
  return request(app, m, url, { auth: creds, raw, headers });
}

/** Keep the fuzzer signed in when a request ended its session or token. */
async function afterwards(route: string, m: Method, who: string, res: HttpResponse) {
  if (res.status !== 200) return;
  if (route === "/api/auth/logout" && who === "cookie") await renewCookie();
  if (m === "DELETE" && route.startsWith("/api/tokens/")) {
    if ((await request(app, "GET", "/api/current-user", { auth: { token: live.token } })).status !== 200) await renewToken();
  }
}

/**
 * The fewest cases each property must have tried. fast-check stops a slow run at its time
 * limit without failing it (a loaded CI machine is not a defect); these floors keep such a
 * run from passing after a handful of cases. A working run does all of `numRuns` (700 and
 * 250) in a few seconds on two shared cores, far inside the limits.
 */
const MIN_RUNS = { routes: 200, anyPath: 80 } as const;

describe("REST fuzzing", () => {
  it("never answers 500, and every 400 names a field or says what is wrong", { timeout: 60_000 }, async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        segment(),
        segment(),
        queryString(),
        body(),
        contentType(),
        auth(),
        async (route, id, userId, qs, raw, type, who) => {
          runs++;
          const path = route.path.replace("{id}", id).replace("{user_id}", userId);
          const url = qs ? `${path}?${qs}` : path;
          const res = await send(route.method, url, raw, raw === undefined ? undefined : type, who);
          check(res, `${route.method} ${url} [${who}, ${type}] ${JSON.stringify(raw)} → ${res.status} ${res.text}`);
          await afterwards(route.path, route.method, who, res);
        },
      ),
      { numRuns: 700, interruptAfterTimeLimit: 30_000, markInterruptAsFailure: false },
    );
    expect(runs, "cases tried before the time limit").toBeGreaterThanOrEqual(MIN_RUNS.routes);
  });

  it("never answers 500 for any method on any path under /api", { timeout: 60_000 }, async () => {
    const pathPart = () =>
      fc.oneof(
        fc.constantFrom("organizations", "memberships", "tokens", "invite", "reset-token", "switch", "auth", "login", "current-user", "docs", ""),
        segment(),
      );
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(method(), fc.array(pathPart(), { maxLength: 5 }), fc.boolean(), queryString(), body(), auth(), async (m, parts, slash, qs, raw, who) => {
        runs++;
        const path = `/api/${parts.join("/")}${slash ? "/" : ""}`;
        const url = qs ? `${path}?${qs}` : path;
        const res = await send(m, url, raw, raw === undefined ? undefined : "application/json", who);
        const resolved = new URL(url, "http://localhost").pathname; // `..` segments resolve
        if (!resolved.startsWith("/api/") && resolved !== "/api") return;
        if (resolved.startsWith("/api/docs") && res.status === 200) return; // the reference's HTML and assets
        check(res, `${m} ${url} [${who}] ${JSON.stringify(raw)} → ${res.status} ${res.text}`);
        await afterwards(path.replace(/\/$/, ""), m, who, res);
      }),
      { numRuns: 250, interruptAfterTimeLimit: 15_000, markInterruptAsFailure: false },
    );
    expect(runs, "cases tried before the time limit").toBeGreaterThanOrEqual(MIN_RUNS.anyPath);
    // The owner is still signed in and still owns the organization.
    const me = await request(app, "GET", "/api/organizations/0", { auth: { token: live.token } });
    expect(me.status).toBe(200);
  });
});
