// The REST face of accounts, organizations, members, invitations and API tokens, over HTTP
// (app.inject) on a real PostgreSQL database: the paths and shapes of API.md.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter, loadConfig, type Orm } from "@lattice/api";
import { createTestDatabase, type TestDatabase } from "@lattice/api/testing";
import { buildServer } from "./app.js";
import { createToken, ORIGIN, request, sessionCookie, setCookies, signup, type Json, type SignedIn } from "./testing/http.js";

let db: TestDatabase;
let app: FastifyInstance;
beforeAll(async () => {
  db = await createTestDatabase();
  app = await buildServer({ orm: db.orm, logger: { level: "error" } });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
let seq = 0;
const email = (who: string) => `${who}.${++seq}@example.com`;

/** An error body of API.md: exactly `code`, `message` and (for bad input) `issues`. */
function expectError(res: { status: number; body: Json; headers: Record<string, unknown> }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers["content-type"]).toMatch(/^application\/json/);
  expect(res.body.code).toBe(code);
  expect(typeof res.body.message).toBe("string");
  expect(res.body.message.length).toBeGreaterThan(0);
  for (const key of Object.keys(res.body)) expect(["code", "message", "issues"]).toContain(key);
}

/** A 400 whose issues name `field`. */
function expectInvalid(res: { status: number; body: Json; headers: Record<string, unknown> }, field: string) {
  expectError(res, 400, "BAD_REQUEST");
  expect(res.body.message).toContain(field);
  expect(res.body.issues.map((i: Json) => i.path[0])).toContain(field);
}

/** An owner with an organization of their own. */
async function owner(name = "owner"): Promise<SignedIn & { orgId: number }> {
  const who = await signup(app, email(name), { name });
  return { ...who, orgId: who.user.active_organization.id };
}

async function inviteToken(who: SignedIn): Promise<string> {
  const res = await request(app, "GET", "/api/organizations/0/invite", { auth: who.auth });
  expect(res.status).toBe(200);
  return res.body.token;
}

/** A member of `admin`'s organization, activated with `role` (or left pending with "NO"). */
async function member(admin: SignedIn, role: string, name = "member"): Promise<SignedIn & { id: number }> {
  const who = await signup(app, email(name), { name, invite_token: await inviteToken(admin) });
  if (role !== "NO") {
    const res = await request(app, "POST", "/api/organizations/0/memberships", { auth: admin.auth, body: { user_id: who.user.id, role } });
    expect(res.status, res.text).toBe(200);
  }
  return { ...who, id: who.user.id };
}

describe("accounts: POST /api/auth/signup, /login, /logout, GET /api/current-user", () => {
  it("signs up a new owner with a session cookie (httpOnly, SameSite=Lax) and answers the current user", async () => {
    const res = await request(app, "POST", "/api/auth/signup", {
      body: { email: "  New.Owner@Example.com ", password: "correct horse battery", name: "Nora" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expect.any(Number),
      email: "new.owner@example.com",
      name: "Nora",
      active_organization: { id: expect.any(Number), title: "Nora's organization", role: "OW", status: "active" },
      organizations: [
        { id: res.body.active_organization.id, title: "Nora's organization", created_at: expect.stringMatching(ISO), role: "OW", status: "active" },
      ],
      edition: "enterprise",
    });
    const cookie = setCookies(res).find((c) => c.startsWith("lattice_session="))!;
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/Secure/);

    const me = await request(app, "GET", "/api/current-user", { auth: { cookie: sessionCookie(res) } });
    expect(me.status).toBe(200);
    expect(me.body).toEqual(res.body);
  });

  it("refuses a second account with the same email (409) and a bad or short password (400)", async () => {
    const addr = email("dup");
    await signup(app, addr);
    const again = await request(app, "POST", "/api/auth/signup", { body: { email: addr.toUpperCase(), password: "another long one" } });
    expectError(again, 409, "CONFLICT");
    expectInvalid(await request(app, "POST", "/api/auth/signup", { body: { email: email("x"), password: "short" } }), "password");
    expectInvalid(await request(app, "POST", "/api/auth/signup", { body: { email: "not-an-email", password: "long enough" } }), "email");
  });

  it("logs in (cookie), logs out (cookie cleared, session over), and answers 401 when not signed in", async () => {
    const addr = email("login");
    await signup(app, addr, { password: "my password 1" });
    const bad = await request(app, "POST", "/api/auth/login", { body: { email: addr, password: "wrong password" } });
    expectError(bad, 401, "UNAUTHORIZED");
    expect(setCookies(bad)).toEqual([]);

    const res = await request(app, "POST", "/api/auth/login", { body: { email: addr, password: "my password 1" } });
    expect(res.status).toBe(200);
    expect(res.body.email).toBe(addr);
    const cookie = sessionCookie(res);
    expect(setCookies(res)[0]).toMatch(/HttpOnly; SameSite=Lax/);
    expect((await request(app, "GET", "/api/current-user", { auth: { cookie } })).status).toBe(200);

    const out = await request(app, "POST", "/api/auth/logout", { auth: { cookie } });
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ ok: true });
    expect(setCookies(out)[0]).toMatch(/^lattice_session=; .*Max-Age=0/);
    expectError(await request(app, "GET", "/api/current-user", { auth: { cookie } }), 401, "UNAUTHORIZED");
    expectError(await request(app, "GET", "/api/current-user"), 401, "UNAUTHORIZED");
    expectError(await request(app, "POST", "/api/auth/logout"), 401, "UNAUTHORIZED");
  });

  it("marks the cookie Secure behind a trusted https proxy (X-Forwarded-Proto), and only then", async () => {
    const addr = email("secure");
    await signup(app, addr, { password: "my password 2" });
    const proxied = await buildServer({ orm: db.orm, trustProxy: true });
    try {
      const https = await request(proxied, "POST", "/api/auth/login", {
        body: { email: addr, password: "my password 2" },
        headers: { "x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.7" },
      });
      expect(https.status).toBe(200);
      expect(setCookies(https)[0]).toMatch(/HttpOnly; SameSite=Lax; Max-Age=\d+; Secure$/);
      const http = await request(proxied, "POST", "/api/auth/login", { body: { email: addr, password: "my password 2" } });
      expect(setCookies(http)[0]).not.toMatch(/Secure/);
    } finally {
      await proxied.close();
    }
    // Not behind a trusted proxy: the header is the client's word and changes nothing.
    const direct = await request(app, "POST", "/api/auth/login", {
      body: { email: addr, password: "my password 2" },
      headers: { "x-forwarded-proto": "https" },
    });
    expect(setCookies(direct)[0]).not.toMatch(/Secure/);
  });

  it("rate-limits failed logins with 429 and Retry-After, even for the right password", async () => {
    const addr = email("throttled");
    await signup(app, addr, { password: "the right one" });
    for (let i = 0; i < 10; i++) {
      expect((await request(app, "POST", "/api/auth/login", { body: { email: addr, password: `wrong ${i}` } })).status).toBe(401);
    }
    for (const password of ["wrong again", "the right one"]) {
      const res = await request(app, "POST", "/api/auth/login", { body: { email: addr, password } });
      expectError(res, 429, "TOO_MANY_REQUESTS");
      const retry = Number(res.headers["retry-after"]);
      expect(Number.isInteger(retry)).toBe(true);
      expect(retry).toBeGreaterThan(0);
      expect(retry).toBeLessThanOrEqual(15 * 60);
      expect(res.body.message).toMatch(/try again/i);
    }
  });
});

describe("API tokens: GET|POST /api/tokens, DELETE /api/tokens/{id}", () => {
  it("shows the token once, accepts `Token` and `Bearer`, and stops it when revoked", async () => {
    const o = await owner();
    const created = await createToken(app, o, "ci");
    expect(created).toEqual({
      id: expect.any(Number),
      name: "ci",
      prefix: created.token.slice(0, 12),
      created_at: expect.stringMatching(ISO),
      last_used_at: null,
      token: expect.stringMatching(/^lat_[A-Za-z0-9_-]{43}$/),
    });
    for (const scheme of ["Token", "Bearer"] as const) {
      const me = await request(app, "GET", "/api/current-user", { auth: { token: created.token, scheme } });
      expect(me.status).toBe(200);
      expect(me.body.id).toBe(o.user.id);
    }
    const list = await request(app, "GET", "/api/tokens", { auth: { token: created.token, scheme: "Bearer" } });
    expect(list.status).toBe(200);
    expect(list.body).toEqual([{ id: created.id, name: "ci", prefix: created.prefix, created_at: created.created_at, last_used_at: expect.stringMatching(ISO) }]);
    expect(list.text).not.toContain(created.token);

    const other = await createToken(app, o, "other");
    const del = await request(app, "DELETE", `/api/tokens/${created.id}`, { auth: { token: other.token } });
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ ok: true });
    expectError(await request(app, "GET", "/api/current-user", { auth: { token: created.token } }), 401, "UNAUTHORIZED");
    expectError(await request(app, "DELETE", `/api/tokens/${created.id}`, { auth: { token: other.token } }), 404, "NOT_FOUND");
    expect((await request(app, "GET", "/api/tokens", { auth: o.auth })).body.map((t: Json) => t.id)).toEqual([other.id]);
  });

  it("refuses unknown tokens, malformed Authorization headers, other people's token ids, and annotators", async () => {
    const o = await owner();
    const mine = await createToken(app, o);
    const b = await owner("bob");
    const bobs = await createToken(app, b);
    expectError(await request(app, "GET", "/api/tokens", { auth: { token: "lat_nope" } }), 401, "UNAUTHORIZED");
    const malformed = await request(app, "GET", "/api/tokens", { headers: { authorization: "Basic dXNlcjpwdw==" } });
    expectError(malformed, 401, "UNAUTHORIZED");
    expect(malformed.body.message).toMatch(/Token <token>/);
    expectError(await request(app, "DELETE", `/api/tokens/${bobs.id}`, { auth: { token: mine.token } }), 404, "NOT_FOUND");
    expect((await request(app, "GET", "/api/tokens", { auth: { token: bobs.token } })).body).toHaveLength(1);
    expectInvalid(await request(app, "DELETE", "/api/tokens/abc", { auth: { token: mine.token } }), "id");
    expectInvalid(await request(app, "POST", "/api/tokens", { auth: o.auth, body: { name: "" } }), "name");

    const ann = await member(o, "AN", "ann");
    expectError(await request(app, "POST", "/api/tokens", { auth: ann.auth, body: { name: "x" } }), 403, "FORBIDDEN");
  });
});

describe("organizations: GET /api/organizations/, GET|PATCH /api/organizations/{id}, POST …/switch", () => {
  it("lists the caller's organizations as an unpaginated array, with and without the trailing slash", async () => {
    const o = await owner("lister");
    for (const url of ["/api/organizations/", "/api/organizations"]) {
      const res = await request(app, "GET", url, { auth: o.auth });
      expect(res.status).toBe(200);
      expect(res.body).toEqual([{ id: o.orgId, title: "lister's organization", created_at: expect.stringMatching(ISO) }]);
    }
    expectError(await request(app, "GET", "/api/organizations/"), 401, "UNAUTHORIZED");
  });

  it("reads and renames one organization, by its id or 0 for the active one", async () => {
    const o = await owner("acme");
    const byId = await request(app, "GET", `/api/organizations/${o.orgId}`, { auth: o.auth });
    expect(byId.status).toBe(200);
    expect(byId.body).toEqual({ id: o.orgId, title: "acme's organization", created_at: expect.stringMatching(ISO), seat_limit: null, seats_used: 1 });
    expect((await request(app, "GET", "/api/organizations/0", { auth: o.auth })).body).toEqual(byId.body);
    expect((await request(app, "GET", "/api/organizations/0/", { auth: o.auth })).body).toEqual(byId.body);

    const renamed = await request(app, "PATCH", "/api/organizations/0", { auth: o.auth, body: { title: "  Acme Labs " } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: o.orgId, title: "Acme Labs" });
    const seats = await request(app, "PATCH", `/api/organizations/${o.orgId}/`, { auth: o.auth, body: { seat_limit: 5 } });
    expect(seats.body).toMatchObject({ title: "Acme Labs", seat_limit: 5, seats_used: 1 });
    expect((await request(app, "PATCH", "/api/organizations/0", { auth: o.auth, body: { seat_limit: null } })).body.seat_limit).toBeNull();

    expectError(await request(app, "PATCH", "/api/organizations/0", { auth: o.auth, body: { seat_limit: 0 } }), 422, "UNPROCESSABLE_CONTENT");
    expectInvalid(await request(app, "PATCH", "/api/organizations/0", { auth: o.auth, body: { title: "" } }), "title");
    expectInvalid(await request(app, "PATCH", "/api/organizations/0", { auth: o.auth, body: { seat_limit: "lots" } }), "seat_limit");
    const ann = await member(o, "AN");
    expectError(await request(app, "PATCH", "/api/organizations/0", { auth: ann.auth, body: { title: "Mine" } }), 403, "FORBIDDEN");
    expect((await request(app, "GET", "/api/organizations/0", { auth: ann.auth })).body.title).toBe("Acme Labs");
    // One organization per instance unless LATTICE_MULTI_ORG.
    expectError(await request(app, "POST", "/api/organizations/", { auth: o.auth, body: { title: "Second" } }), 403, "FORBIDDEN");
  });

  it("answers 404 with no data for another organization's ids, existing or not", async () => {
    const a = await owner("alice");
    const b = await owner("bob");
    const bTokenUser = await member(b, "AD", "bertha");
    const missing = 987654;
    const refusals = [
      await request(app, "GET", `/api/organizations/${b.orgId}`, { auth: a.auth }),
      await request(app, "GET", `/api/organizations/${missing}`, { auth: a.auth }),
      await request(app, "PATCH", `/api/organizations/${b.orgId}`, { auth: a.auth, body: { title: "Mine now" } }),
      await request(app, "POST", `/api/organizations/${b.orgId}/switch`, { auth: a.auth }),
      await request(app, "GET", `/api/organizations/${b.orgId}/invite`, { auth: a.auth }),
      await request(app, "POST", `/api/organizations/${b.orgId}/invite/reset-token`, { auth: a.auth }),
      await request(app, "GET", `/api/organizations/${b.orgId}/memberships`, { auth: a.auth }),
      await request(app, "GET", `/api/organizations/${b.orgId}/memberships/${b.user.id}`, { auth: a.auth }),
      await request(app, "POST", `/api/organizations/${b.orgId}/memberships`, { auth: a.auth, body: { user_id: bTokenUser.id, role: "DI" } }),
      await request(app, "DELETE", `/api/organizations/${b.orgId}/memberships/${bTokenUser.id}`, { auth: a.auth }),
      // Someone of another organization, through the caller's own one.
      await request(app, "GET", `/api/organizations/0/memberships/${b.user.id}`, { auth: a.auth }),
      await request(app, "PATCH", `/api/organizations/0/memberships`, { auth: a.auth, body: { user_id: bTokenUser.id, role: "AN" } }),
      await request(app, "DELETE", `/api/organizations/${a.orgId}/memberships/${b.user.id}`, { auth: a.auth }),
    ];
    for (const res of refusals) {
      expectError(res, 404, "NOT_FOUND");
      expect(res.text).not.toContain("bob");
      expect(res.text).not.toContain("bertha");
    }
    // A token works for its own organization only, even where its user is also a member.
    const token = await createToken(app, bTokenUser);
    await request(app, "POST", "/api/auth/login", {
      body: { email: bTokenUser.user.email, password: "correct horse battery", invite_token: await inviteToken(a) },
    });
    expectError(await request(app, "GET", `/api/organizations/${a.orgId}`, { auth: { token: token.token } }), 404, "NOT_FOUND");
    expect((await request(app, "GET", `/api/organizations/${b.orgId}`, { auth: { token: token.token } })).status).toBe(200);
    // Nothing changed.
    expect((await request(app, "GET", "/api/organizations/0", { auth: b.auth })).body.title).toBe("bob's organization");
    expect((await request(app, "GET", `/api/organizations/0/memberships/${bTokenUser.id}`, { auth: b.auth })).body.role).toBe("AD");
  });

  it("switches the active organization with POST /api/organizations/{id}/switch", async () => {
    const a = await owner("ann-org");
    const b = await owner("ben");
    // Ben joins Ann's organization through its invitation link: pending, and active there.
    const joined = await request(app, "POST", "/api/auth/login", {
      body: { email: b.user.email, password: "correct horse battery", invite_token: await inviteToken(a) },
    });
    expect(joined.body.active_organization).toMatchObject({ id: a.orgId, role: "NO", status: "pending" });
    const ben = { cookie: sessionCookie(joined) };
    expect((await request(app, "GET", "/api/organizations/", { auth: ben })).body.map((o: Json) => o.id)).toEqual([a.orgId, b.orgId]);

    const back = await request(app, "POST", `/api/organizations/${b.orgId}/switch`, { auth: ben });
    expect(back.status).toBe(200);
    expect(back.body).toEqual({ id: b.orgId, title: "ben's organization", created_at: expect.stringMatching(ISO) });
    expect((await request(app, "GET", "/api/current-user", { auth: ben })).body.active_organization.id).toBe(b.orgId);
    expect((await request(app, "GET", "/api/organizations/0", { auth: ben })).body.id).toBe(b.orgId);

    // Pending in Ann's organization: switching there shows the waiting state.
    expect((await request(app, "POST", `/api/organizations/${a.orgId}/switch`, { auth: ben })).status).toBe(200);
    expect((await request(app, "GET", "/api/current-user", { auth: ben })).body.active_organization).toMatchObject({ id: a.orgId, role: "NO", status: "pending" });
    expectError(await request(app, "GET", "/api/organizations/0", { auth: ben }), 403, "FORBIDDEN");
    await request(app, "POST", "/api/organizations/0/memberships", { auth: a.auth, body: { user_id: b.user.id, role: "MA" } });
    expect((await request(app, "POST", `/api/organizations/${a.orgId}/switch/`, { auth: ben })).status).toBe(200);
    expect((await request(app, "GET", "/api/current-user", { auth: ben })).body.active_organization).toMatchObject({ id: a.orgId, role: "MA" });
  });
});

describe("invitations: GET /api/organizations/{id}/invite, POST …/invite/reset-token", () => {
  it("answers {invite_url, token}; a reset voids the old token for signup", async () => {
    const o = await owner("inviter");
    const first = await request(app, "GET", "/api/organizations/0/invite", { auth: o.auth });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ invite_url: expect.any(String), token: expect.any(String) });
    expect(first.body.invite_url).toBe(`${ORIGIN}/signup?invite=${encodeURIComponent(first.body.token)}`);
    expect((await request(app, "GET", `/api/organizations/${o.orgId}/invite`, { auth: o.auth })).body).toEqual(first.body);

    const reset = await request(app, "POST", `/api/organizations/${o.orgId}/invite/reset-token`, { auth: o.auth });
    expect(reset.status).toBe(200);
    expect(reset.body.token).not.toBe(first.body.token);
    expect(reset.body.invite_url).toContain(encodeURIComponent(reset.body.token));
    expect((await request(app, "GET", "/api/organizations/0/invite", { auth: o.auth })).body).toEqual(reset.body);

    const stale = await request(app, "POST", "/api/auth/signup", {
      body: { email: email("late"), password: "correct horse battery", invite_token: first.body.token },
    });
    expectError(stale, 422, "UNPROCESSABLE_CONTENT");
    expect(stale.body.message).toMatch(/invitation link/);
    expect(setCookies(stale)).toEqual([]);
    const fresh = await signup(app, email("early"), { invite_token: reset.body.token });
    expect(fresh.user.active_organization).toMatchObject({ id: o.orgId, role: "NO", status: "pending" });
  });

  it("is for administrators and owners only", async () => {
    const o = await owner();
    const admin = await member(o, "AD", "adam");
    expect((await request(app, "GET", "/api/organizations/0/invite", { auth: admin.auth })).status).toBe(200);
    for (const role of ["MA", "RE", "AN", "NO"]) {
      const m = await member(o, role);
      expectError(await request(app, "GET", "/api/organizations/0/invite", { auth: m.auth }), 403, "FORBIDDEN");
      expectError(await request(app, "POST", "/api/organizations/0/invite/reset-token", { auth: m.auth }), 403, "FORBIDDEN");
    }
  });
});

describe("memberships: GET|POST|PATCH /api/organizations/{id}/memberships, GET|DELETE …/{user_id}", () => {
  /** `n` members inserted straight into the database (fast), with roles cycling through `roles`. */
  async function seedMembers(orm: Orm, orgId: number, n: number, roles: (string | null)[]) {
    const conn = orm.em.fork().getConnection();
    const tag = `seed${++seq}`;
    await conn.execute(
      `with u as (
         insert into users (email, name, created_at, updated_at)
         select '${tag}.' || i || '@example.com', 'Seed ' || i, now(), now() from generate_series(1, ?) as i
         returning id, email)
       insert into memberships (organization_id, user_id, role, status, source, created_at, updated_at)
       select ?, u.id, r.role, case when r.role is null then 'pending' else 'active' end, 'manual', now() + (u.id || ' ms')::interval, now()
         from u join lateral (select (?::text[])[1 + (u.id % ?)] as role) r on true`,
      [n, orgId, `{${roles.map((r) => r ?? "NULL").join(",")}}`, roles.length],
    );
    return tag;
  }

  it("pages the People list: {count, next, previous, results}, 20 by default", async () => {
    const o = await owner("people");
    await seedMembers(db.orm, o.orgId, 44, ["annotator", "reviewer", "manager", null]);
    const first = await request(app, "GET", "/api/organizations/0/memberships", { auth: o.auth });
    expect(first.status).toBe(200);
    expect(Object.keys(first.body).sort()).toEqual(["count", "next", "previous", "results"]);
    expect(first.body.count).toBe(45);
    expect(first.body.results).toHaveLength(20);
    expect(first.body.previous).toBeNull();
    expect(first.body.next).toBe("/api/organizations/0/memberships?page=2&page_size=20");
    expect(first.body.results[0]).toEqual({
      id: expect.any(Number),
      user: { id: o.user.id, email: o.user.email, name: "people" },
      role: "OW",
      status: "active",
      source: "manual",
      managed_by_directory: false,
      created_at: expect.stringMatching(ISO),
    });
    for (const m of first.body.results) expect(Object.keys(m).sort()).toEqual(["created_at", "id", "managed_by_directory", "role", "source", "status", "user"]);

    const last = await request(app, "GET", `/api/organizations/${o.orgId}/memberships/?page=3`, { auth: o.auth });
    expect(last.body.results).toHaveLength(5);
    expect(last.body.next).toBeNull();
    expect(last.body.previous).toBe(`/api/organizations/${o.orgId}/memberships?page=2&page_size=20`);
    const seen = new Set<number>();
    for (let page = 1; page <= 5; page++) {
      const res = await request(app, "GET", `/api/organizations/0/memberships?page=${page}&page_size=10`, { auth: o.auth });
      for (const m of res.body.results) seen.add(m.id);
    }
    expect(seen.size).toBe(45);
    // Past the end: an empty page that still counts.
    const beyond = await request(app, "GET", "/api/organizations/0/memberships?page=9", { auth: o.auth });
    expect(beyond.body).toMatchObject({ count: 45, next: null, results: [] });
  });

  it("filters by role codes (`role=AN,RE` or repeated), status and search; ignores unknown and empty params", async () => {
    const o = await owner("filters");
    const tag = await seedMembers(db.orm, o.orgId, 12, ["annotator", "reviewer", "manager", null]);
    const get = (qs: string) => request(app, "GET", `/api/organizations/0/memberships?${qs}`, { auth: o.auth });

    const anRe = await get("role=AN,RE&page_size=100");
    expect(anRe.status).toBe(200);
    expect(anRe.body.count).toBe(6);
    expect(new Set(anRe.body.results.map((m: Json) => m.role))).toEqual(new Set(["AN", "RE"]));
    expect((await get("role=AN&role=RE&page_size=100")).body.count).toBe(6);
    expect((await get("role=an, re")).status).toBe(400);
    const pending = await get("role=NO");
    expect(pending.body.count).toBe(3);
    expect(pending.body.results.every((m: Json) => m.role === "NO" && m.status === "pending")).toBe(true);
    expect((await get("status=pending")).body.count).toBe(3);
    expect((await get("status=active,pending")).body.count).toBe(13);
    expect((await get("role=OW")).body.results.map((m: Json) => m.user.id)).toEqual([o.user.id]);
    expect((await get(`search=${tag}.1`)).body.count).toBe(4); // 1, 10, 11, 12
    expect((await get(`search=${tag.toUpperCase()}.12`)).body.results.map((m: Json) => m.user.email)).toEqual([`${tag}.12@example.com`]);
    expect((await get("search=%25")).body.count).toBe(0); // a literal %, not a wildcard
    // `next` keeps the filters.
    const paged = await get("role=AN,RE&page_size=2&search=seed");
    expect(paged.body.next).toBe("/api/organizations/0/memberships?page=2&page_size=2&role=AN%2CRE&search=seed");
    // Unknown and empty parameters change nothing.
    const all = await get("");
    expect((await get("foo=bar&status=&role=&search=&ordering=-id")).body).toEqual(all.body);

    expectInvalid(await get("role=XX"), "role");
    expectInvalid(await get("status=sleeping"), "status");
    expectInvalid(await get("page=0"), "page");
    expectInvalid(await get("page=abc"), "page");
    expectInvalid(await get("page_size=101"), "page_size");
    expectInvalid(await get("page_size=1.5"), "page_size");
    expectInvalid(await get(`search=${"x".repeat(201)}`), "search");
    expectInvalid(await get("page=1&page=2"), "page");
  });

  it("is for managers and above; annotators, reviewers and pending members get 403", async () => {
    const o = await owner();
    const mgr = await member(o, "MA");
    expect((await request(app, "GET", "/api/organizations/0/memberships", { auth: mgr.auth })).status).toBe(200);
    for (const role of ["RE", "AN", "NO"]) {
      const m = await member(o, role);
      expectError(await request(app, "GET", "/api/organizations/0/memberships", { auth: m.auth }), 403, "FORBIDDEN");
      expectError(await request(app, "GET", `/api/organizations/0/memberships/${o.user.id}`, { auth: m.auth }), 403, "FORBIDDEN");
    }
    // A manager sees the list but changes no role.
    const ann = await member(o, "AN");
    expectError(
      await request(app, "PATCH", "/api/organizations/0/memberships", { auth: mgr.auth, body: { user_id: ann.id, role: "RE" } }),
      403,
      "FORBIDDEN",
    );
  });

  it("reads one member, changes roles with POST or PATCH, refuses what the rules refuse, and removes", async () => {
    const o = await owner("rules");
    const pat = await member(o, "NO", "pat");
    const one = await request(app, "GET", `/api/organizations/0/memberships/${pat.id}`, { auth: o.auth });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ user: { id: pat.id, email: pat.user.email, name: "pat" }, role: "NO", status: "pending", source: "manual" });
    expect((await request(app, "GET", `/api/organizations/${o.orgId}/memberships/${pat.id}/`, { auth: o.auth })).body).toEqual(one.body);

    const viaPost = await request(app, "POST", `/api/organizations/${o.orgId}/memberships`, { auth: o.auth, body: { user_id: pat.id, role: "AN" } });
    expect(viaPost.body).toMatchObject({ id: one.body.id, role: "AN", status: "active" });
    const viaPatch = await request(app, "PATCH", "/api/organizations/0/memberships/", { auth: o.auth, body: { user_id: String(pat.id), role: "MA" } });
    expect(viaPatch.status).toBe(200);
    expect(viaPatch.body).toMatchObject({ role: "MA", status: "active" });

    // Nobody assigns OW, nobody sets a member back to NO, nobody changes their own role.
    expectError(await request(app, "POST", "/api/organizations/0/memberships", { auth: o.auth, body: { user_id: pat.id, role: "OW" } }), 422, "UNPROCESSABLE_CONTENT");
    expectError(await request(app, "POST", "/api/organizations/0/memberships", { auth: o.auth, body: { user_id: pat.id, role: "NO" } }), 422, "UNPROCESSABLE_CONTENT");
    const self = await request(app, "POST", "/api/organizations/0/memberships", { auth: o.auth, body: { user_id: o.user.id, role: "AD" } });
    expect([403, 422]).toContain(self.status);
    expectError(await request(app, "POST", "/api/organizations/0/memberships", { auth: o.auth, body: { user_id: 999999, role: "AN" } }), 404, "NOT_FOUND");
    expectInvalid(await request(app, "POST", "/api/organizations/0/memberships", { auth: o.auth, body: { user_id: pat.id, role: "XX" } }), "role");
    expectInvalid(await request(app, "POST", "/api/organizations/0/memberships", { auth: o.auth, body: { user_id: true, role: "AN" } }), "user_id");
    expectInvalid(await request(app, "POST", "/api/organizations/0/memberships", { auth: o.auth, body: { role: "AN" } }), "user_id");
    expectInvalid(await request(app, "GET", "/api/organizations/0/memberships/0", { auth: o.auth }), "user_id");
    expectInvalid(await request(app, "GET", "/api/organizations/0/memberships/me", { auth: o.auth }), "user_id");

    // Seats: activation needs a free one.
    await request(app, "PATCH", "/api/organizations/0", { auth: o.auth, body: { seat_limit: 2 } });
    const quinn = await member(o, "NO", "quinn");
    const full = await request(app, "POST", "/api/organizations/0/memberships", { auth: o.auth, body: { user_id: quinn.id, role: "AN" } });
    expectError(full, 422, "UNPROCESSABLE_CONTENT");
    expect(full.body.message).toMatch(/seat limit is 2/);

    const removed = await request(app, "DELETE", `/api/organizations/0/memberships/${pat.id}`, { auth: o.auth });
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ ok: true });
    expectError(await request(app, "GET", `/api/organizations/0/memberships/${pat.id}`, { auth: o.auth }), 404, "NOT_FOUND");
    expectError(await request(app, "DELETE", `/api/organizations/0/memberships/${pat.id}`, { auth: o.auth }), 404, "NOT_FOUND");
    expectError(await request(app, "GET", "/api/organizations/0", { auth: pat.auth }), 404, "NOT_FOUND");
    // Now a seat is free.
    expect((await request(app, "POST", "/api/organizations/0/memberships", { auth: o.auth, body: { user_id: quinn.id, role: "AN" } })).status).toBe(200);
  });
});

describe("the invite → pending → activate → role change → deactivate → refused flow over HTTP", () => {
  it("walks it with cookies and a token, as the web app and a script would", async () => {
    const o = await owner("flow");
    const invite = await request(app, "GET", "/api/organizations/0/invite", { auth: o.auth });
    const url = new URL(invite.body.invite_url);
    const token = url.searchParams.get("invite")!;

    // Sign up through the link: pending, waiting for activation, refused everywhere else.
    const kim = await signup(app, email("kim"), { name: "Kim", invite_token: token });
    expect(kim.user.active_organization).toEqual({ id: o.orgId, title: "flow's organization", role: "NO", status: "pending" });
    const me = await request(app, "GET", "/api/current-user", { auth: kim.auth });
    expect(me.body.active_organization).toMatchObject({ role: "NO", status: "pending" });
    expectError(await request(app, "GET", "/api/organizations/0", { auth: kim.auth }), 403, "FORBIDDEN");
    expectError(await request(app, "GET", "/api/tokens", { auth: kim.auth }), 403, "FORBIDDEN");

    const waiting = await request(app, "GET", "/api/organizations/0/memberships?role=NO", { auth: o.auth });
    expect(waiting.body.count).toBe(1);
    expect(waiting.body.results[0]).toMatchObject({ user: { id: kim.user.id, email: kim.user.email, name: "Kim" }, role: "NO", status: "pending" });

    // Activate as annotator, then administrator: she can now use the API with a token.
    expect((await request(app, "POST", "/api/organizations/0/memberships", { auth: o.auth, body: { user_id: kim.user.id, role: "AN" } })).body).toMatchObject({ role: "AN", status: "active" });
    expect((await request(app, "GET", "/api/organizations/0", { auth: kim.auth })).body.id).toBe(o.orgId);
    expect((await request(app, "GET", "/api/organizations/0", { auth: o.auth })).body.seats_used).toBe(2);
    expect((await request(app, "PATCH", "/api/organizations/0/memberships", { auth: o.auth, body: { user_id: kim.user.id, role: "AD" } })).body.role).toBe("AD");
    const kimToken = await createToken(app, kim, "kim's script");
    expect((await request(app, "GET", "/api/organizations/0/memberships", { auth: { token: kimToken.token } })).body.count).toBe(2);

    // Reviewer: tokens no longer work for her (the policy refuses API access), the cookie does.
    expect((await request(app, "POST", "/api/organizations/0/memberships", { auth: o.auth, body: { user_id: kim.user.id, role: "RE" } })).body.role).toBe("RE");
    expectError(await request(app, "GET", "/api/organizations/0", { auth: { token: kimToken.token } }), 403, "FORBIDDEN");
    expect((await request(app, "GET", "/api/organizations/0", { auth: kim.auth })).status).toBe(200);

    // Deactivate: refused at once, on every face; the seat is free again.
    const off = await request(app, "POST", "/api/organizations/0/memberships", { auth: o.auth, body: { user_id: kim.user.id, role: "DI" } });
    expect(off.body).toMatchObject({ role: "DI", status: "deactivated" });
    expectError(await request(app, "GET", "/api/organizations/0", { auth: kim.auth }), 403, "FORBIDDEN");
    expectError(await request(app, "GET", "/api/organizations/0/memberships", { auth: kim.auth }), 403, "FORBIDDEN");
    expectError(await request(app, "GET", "/api/organizations/0", { auth: { token: kimToken.token } }), 401, "UNAUTHORIZED");
    expect((await request(app, "GET", "/api/current-user", { auth: kim.auth })).body.active_organization).toBeNull();
    expect((await request(app, "GET", "/api/organizations/0", { auth: o.auth })).body.seats_used).toBe(1);
    const listed = await request(app, "GET", "/api/organizations/0/memberships?role=DI", { auth: o.auth });
    expect(listed.body.results.map((m: Json) => [m.user.id, m.status])).toEqual([[kim.user.id, "deactivated"]]);

    // The activity log saw it all, with the REST paths.
    const logs = await db.orm.em
      .fork()
      .getConnection()
      .execute<{ action: string; path: string; method: string }[]>(
        `select action, path, method from activity_logs where organization_id = ? order by id`,
        [o.orgId],
      );
    expect(logs.map((l) => l.action)).toEqual(expect.arrayContaining(["member.changeRole", "apiToken.create"]));
    expect(logs.find((l) => l.action === "member.changeRole")).toMatchObject({ method: "POST", path: "/api/organizations/0/memberships" });
  });
});

describe("the Origin check on cookie-authenticated writes", () => {
  it("refuses a cookie POST from another origin (403), accepts the app's own, and exempts API tokens", async () => {
    const o = await owner("origin");
    const token = await createToken(app, o);
    const url = "/api/organizations/0/invite/reset-token";
    const evil = await request(app, "POST", url, { auth: o.auth, headers: { origin: "https://evil.example" } });
    expectError(evil, 403, "FORBIDDEN");
    expect(evil.body.message).toMatch(/Cross-origin/);
    expectError(await request(app, "POST", url, { auth: o.auth, headers: { origin: "null" } }), 403, "FORBIDDEN");
    expectError(await request(app, "PATCH", "/api/organizations/0", { auth: o.auth, headers: { origin: "http://localhost:8080" }, body: { title: "x" } }), 403, "FORBIDDEN");
    expectError(await request(app, "DELETE", `/api/tokens/${token.id}`, { auth: o.auth, headers: { origin: "http://evil.example" } }), 403, "FORBIDDEN");
    // No Origin at all: the Referer decides; neither: refused.
    expectError(await request(app, "POST", url, { auth: o.auth, headers: { origin: "" } }), 403, "FORBIDDEN");
    expect((await request(app, "POST", url, { auth: o.auth, headers: { origin: "", referer: `${ORIGIN}/settings/people` } })).status).toBe(200);

    expect((await request(app, "POST", url, { auth: o.auth })).status).toBe(200);
    expect((await request(app, "POST", url, { auth: o.auth, headers: { origin: "http://localhost:80" } })).status).toBe(200);
    expect((await request(app, "POST", url, { auth: { token: token.token }, headers: { origin: "https://evil.example" } })).status).toBe(200);
    // Reads are not writes; sign-up and login carry no session yet.
    expect((await request(app, "GET", "/api/organizations/0", { auth: o.auth, headers: { origin: "https://evil.example" } })).status).toBe(200);
    expect((await request(app, "POST", "/api/auth/login", { body: { email: o.user.email, password: "correct horse battery" }, headers: { origin: "https://evil.example" } })).status).toBe(200);
  });

  it("compares against LATTICE_PUBLIC_URL when it is set", async () => {
    const o = await owner("public-url");
    const behind = await buildServer({ orm: db.orm, config: { ...loadConfig(), LATTICE_PUBLIC_URL: "https://lattice.example.com/" } });
    try {
      const url = "/api/organizations/0/switch";
      expectError(await request(behind, "POST", url, { auth: o.auth }), 403, "FORBIDDEN");
      expect((await request(behind, "POST", url, { auth: o.auth, headers: { origin: "https://lattice.example.com" } })).status).toBe(200);
      const invite = await request(behind, "GET", "/api/organizations/0/invite", { auth: o.auth });
      expect(invite.body.invite_url).toMatch(/^https:\/\/lattice\.example\.com\/signup\?invite=/);
    } finally {
      await behind.close();
    }
  });
});

describe("REST errors: {code, message, issues?}, never a 500 for bad input", () => {
  it("answers malformed JSON, wrong content types and odd bodies with 400/415, naming what is wrong", async () => {
    const o = await owner("errors");
    const json = { "content-type": "application/json" };
    const malformed = await request(app, "POST", "/api/auth/login", { raw: '{"email": "a@b.c", ', headers: json });
    expectError(malformed, 400, "BAD_REQUEST");
    expect(malformed.body.message).toMatch(/JSON/);
    expectError(await request(app, "POST", "/api/tokens", { auth: o.auth, raw: "{'name': 'x'}", headers: json }), 400, "BAD_REQUEST");
    expectError(await request(app, "POST", "/api/auth/login", { raw: '{"__proto__": {"admin": true}}', headers: json }), 400, "BAD_REQUEST");
    expectError(await request(app, "POST", "/api/auth/login", { raw: '{"constructor": {"prototype": {"x": 1}}}', headers: json }), 400, "BAD_REQUEST");
    const text = await request(app, "POST", "/api/auth/login", { raw: "email=a@b.c", headers: { "content-type": "text/plain" } });
    expectError(text, 415, "UNSUPPORTED_MEDIA_TYPE");
    expectError(await request(app, "POST", "/api/auth/login", { raw: "email=a", headers: { "content-type": "application/x-www-form-urlencoded" } }), 415, "UNSUPPORTED_MEDIA_TYPE");
    expectError(await request(app, "POST", "/api/auth/login", { raw: '{"email":"a@b.c"}' }), 415, "UNSUPPORTED_MEDIA_TYPE");

    // JSON that is not an object, or an object without the fields: every missing field named.
    for (const raw of ["[]", '"text"', "null", "42", "{}", '[{"email":"a@b.c"}]']) {
      const res = await request(app, "POST", "/api/auth/signup", { raw, headers: json });
      expectInvalid(res, "email");
      expect(res.body.issues.map((i: Json) => i.path.join("."))).toEqual(expect.arrayContaining(["email", "password"]));
    }
    // A write without a body needs no Content-Type, and an empty JSON body is no body.
    expect((await request(app, "POST", "/api/organizations/0/switch", { auth: o.auth })).status).toBe(200);
    expect((await request(app, "POST", "/api/organizations/0/switch", { auth: o.auth, raw: "", headers: json })).status).toBe(200);
    expect((await request(app, "POST", "/api/organizations/0/switch", { auth: o.auth, raw: "  \n", headers: json })).status).toBe(200);
  });

  it("answers wrong types, overlong strings, unknown role codes and malformed ids with 400 and zod issues", async () => {
    const o = await owner("types");
    const typed = await request(app, "POST", "/api/auth/signup", { body: { email: 5, password: ["x"], name: { first: "A" } } });
    expectInvalid(typed, "email");
    expect(typed.body.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: ["email"], code: "invalid_type", message: expect.stringMatching(/expected string/) }),
        expect.objectContaining({ path: ["password"], code: "invalid_type" }),
        expect.objectContaining({ path: ["name"], code: "invalid_type" }),
      ]),
    );
    expect(typed.body.message).toMatch(/^Invalid input: email: expected string, received number; password: expected string, received array; .*name: expected string, received object/);
    expectInvalid(await request(app, "POST", "/api/auth/signup", { body: { email: `${"a".repeat(300)}@example.com`, password: "long enough" } }), "email");
    expectInvalid(await request(app, "POST", "/api/auth/signup", { body: { email: email("n"), password: "x".repeat(257) } }), "password");
    expectInvalid(await request(app, "POST", "/api/auth/signup", { body: { email: email("n"), password: "long enough", name: "n".repeat(201) } }), "name");
    expectInvalid(await request(app, "POST", "/api/tokens", { auth: o.auth, body: { name: "t".repeat(101) } }), "name");
    expectInvalid(await request(app, "PATCH", "/api/organizations/0", { auth: o.auth, body: { title: "t".repeat(201) } }), "title");
    // JSON carries what PostgreSQL cannot store: NUL and unpaired surrogates are bad input, not a 500.
    expectInvalid(await request(app, "PATCH", "/api/organizations/0", { auth: o.auth, body: { title: "a\u0000b" } }), "title");
    expectInvalid(await request(app, "POST", "/api/tokens", { auth: o.auth, body: { name: "\ud800" } }), "name");
    expectInvalid(await request(app, "POST", "/api/auth/signup", { body: { email: email("nul"), password: "long enough", name: "x\udc00" } }), "name");
    expectInvalid(await request(app, "GET", "/api/organizations/0/memberships?search=a%00b", { auth: o.auth }), "search");
    expect((await request(app, "PATCH", "/api/organizations/0", { auth: o.auth, body: { title: "Ünïcödé 🦄 ok" } })).body.title).toBe("Ünïcödé 🦄 ok");
    const role = await request(app, "POST", "/api/organizations/0/memberships", { auth: o.auth, body: { user_id: o.user.id, role: "owner" } });
    expectInvalid(role, "role");
    expect(role.body.issues[0]).toMatchObject({ code: "invalid_value", values: ["OW", "AD", "MA", "RE", "AN", "NO", "DI"] });

    for (const id of ["abc", "-1", "1.5", "1e3", "0x10", "99999999999", "%20", "NaN", "Infinity", "１"]) {
      const res = await request(app, "GET", `/api/organizations/${id}`, { auth: o.auth });
      expectInvalid(res, "id");
      expectInvalid(await request(app, "DELETE", `/api/tokens/${id}`, { auth: o.auth }), "id");
      expectInvalid(await request(app, "GET", `/api/organizations/0/memberships/${id}`, { auth: o.auth }), "user_id");
    }
    expectInvalid(await request(app, "PATCH", "/api/organizations/0", { auth: o.auth, body: { seat_limit: -1 } }), "seat_limit");
    expectInvalid(await request(app, "PATCH", "/api/organizations/0", { auth: o.auth, body: { seat_limit: 2.5 } }), "seat_limit");
    expectInvalid(await request(app, "PATCH", "/api/organizations/0", { auth: o.auth, body: { seat_limit: "" } }), "seat_limit");
    // An undecodable path is the client's mistake too.
    expectError(await request(app, "GET", "/api/organizations/%E0%A4%A", { auth: o.auth }), 400, "BAD_REQUEST");
  });

  it("answers unknown routes and methods with 404 in the same shape", async () => {
    for (const [method, url] of [
      ["GET", "/api/nothing-here"],
      ["GET", "/api/"],
      ["GET", "/api"],
      ["PUT", "/api/organizations/0"],
      ["DELETE", "/api/organizations/0"],
      ["GET", "/api/organizations/0/memberships/1/extra"],
      ["POST", "/api/current-user"],
    ] as const) {
      const res = await request(app, method, url);
      expectError(res, 404, "NOT_FOUND");
    }
  });

  it("keeps unexpected errors a 500 with a generic message and no stack", async () => {
    const broken = new Proxy(db.orm, {
      get(target, key, receiver) {
        if (key === "em") {
          return {
            fork() {
              throw new Error("connection to 10.0.0.5 refused: secret detail");
            },
          };
        }
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const failing = await buildServer({ orm: broken });
    try {
      for (const [method, url] of [
        ["GET", "/api/current-user"],
        ["POST", "/api/auth/login"],
      ] as const) {
        const res = await request(failing, method, url, { body: method === "POST" ? { email: "a@b.c", password: "x" } : undefined });
        expectError(res, 500, "INTERNAL_SERVER_ERROR");
        expect(res.text).not.toMatch(/secret|10\.0\.0\.5|stack|at .*\.ts/);
      }
    } finally {
      await failing.close();
    }
  });
});

describe("over a real socket", () => {
  it("serves the REST face to fetch() on a listening server, HEAD and OPTIONS included", async () => {
    const server = await buildServer({ orm: db.orm });
    try {
      const base = await server.listen({ port: 0, host: "127.0.0.1" });
      const signedUp = await fetch(`${base}/api/auth/signup`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: email("socket"), password: "correct horse battery" }),
      });
      expect(signedUp.status).toBe(200);
      const cookie = signedUp.headers.getSetCookie()[0]!.split(";")[0]!;
      const orgs = await fetch(`${base}/api/organizations/`, { headers: { cookie } });
      expect(orgs.status).toBe(200);
      expect(await orgs.json()).toHaveLength(1);
      const created = await fetch(`${base}/api/tokens`, {
        method: "POST",
        headers: { cookie, origin: base, "content-type": "application/json" },
        body: JSON.stringify({ name: "socket" }),
      });
      const { token, id } = (await created.json()) as { token: string; id: number };
      const me = await fetch(`${base}/api/current-user`, { headers: { authorization: `Bearer ${token}` } });
      expect(me.status).toBe(200);
      const bad = await fetch(`${base}/api/tokens`, {
        method: "POST",
        headers: { authorization: `Token ${token}`, "content-type": "application/json" },
        body: "{nope",
      });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ code: "BAD_REQUEST" });
      const revoked = await fetch(`${base}/api/tokens/${id}`, { method: "DELETE", headers: { authorization: `Token ${token}` } });
      expect(await revoked.json()).toEqual({ ok: true });
      expect((await fetch(`${base}/api/current-user`, { method: "HEAD", headers: { cookie } })).status).toBeLessThan(500);
      expect((await fetch(`${base}/api/current-user`, { method: "OPTIONS" })).status).toBeLessThan(500);
    } finally {
      await server.close();
    }
  });
});

describe("the OpenAPI document and the reference", () => {
  interface ProcedureWithMeta {
    _def: { meta?: { openapi?: { method: string; path: string } } };
  }

  it("lists every procedure that has openapi meta at /api/openapi.json", async () => {
    const res = await request(app, "GET", "/api/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    const doc = res.body;
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.servers).toEqual([{ url: "/api" }]);
    const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, ProcedureWithMeta>).filter(([, p]) => p._def.meta?.openapi);
    expect(procedures.length).toBeGreaterThanOrEqual(20);
    let operations = 0;
    for (const [name, p] of procedures) {
      const { method, path } = p._def.meta!.openapi!;
      const op = doc.paths[`/${path.replace(/^\/|\/$/g, "")}`]?.[method.toLowerCase()];
      expect(op, `${name}: ${method} ${path}`).toBeDefined();
      expect(op.operationId).toBe(name.replace(/\./g, "-"));
      operations++;
    }
    expect(Object.values(doc.paths as Record<string, object>).reduce((n, ops) => n + Object.keys(ops).length, 0)).toBe(operations);

    // The paths of API.md for accounts, organizations, members, invitations and tokens.
    for (const [method, path] of [
      ["post", "/auth/signup"],
      ["post", "/auth/login"],
      ["post", "/auth/logout"],
      ["get", "/current-user"],
      ["get", "/tokens"],
      ["post", "/tokens"],
      ["delete", "/tokens/{id}"],
      ["get", "/organizations"],
      ["get", "/organizations/{id}"],
      ["patch", "/organizations/{id}"],
      ["post", "/organizations/{id}/switch"],
      ["get", "/organizations/{id}/invite"],
      ["post", "/organizations/{id}/invite/reset-token"],
      ["get", "/organizations/{id}/memberships"],
      ["post", "/organizations/{id}/memberships"],
      ["patch", "/organizations/{id}/memberships"],
      ["get", "/organizations/{id}/memberships/{user_id}"],
      ["delete", "/organizations/{id}/memberships/{user_id}"],
    ]) {
      expect(doc.paths[path!]?.[method!], `${method} ${path}`).toBeDefined();
    }
    const list = doc.paths["/organizations/{id}/memberships"].get;
    expect(list.parameters.map((p: Json) => p.name).sort()).toEqual(["id", "page", "page_size", "role", "search", "status"]);
    expect(list.parameters.find((p: Json) => p.name === "role")).toMatchObject({ in: "query", explode: false, schema: { type: "array" } });
    expect(doc.components.securitySchemes.token).toMatchObject({ type: "apiKey", in: "header", name: "Authorization" });
    expect(doc.paths["/auth/login"].post.security).toBeUndefined();
    expect(doc.paths["/tokens"].get.security).toEqual([{ token: [] }, { session: [] }]);
  });

  it("serves a browsable reference at /api/docs with its assets from this server", async () => {
    for (const url of ["/api/docs", "/api/docs/"]) {
      const res = await request(app, "GET", url);
      expect(res.status).toBe(200);
      expect(res.headers["content-type"]).toMatch(/^text\/html/);
      expect(res.text).toContain('<div id="swagger-ui">');
      expect(res.text).not.toMatch(/https?:\/\//); // nothing from the internet
      const assets = [...res.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
      expect(assets.length).toBeGreaterThanOrEqual(3);
      for (const asset of assets) {
        const a = await app.inject({ url: asset });
        expect(a.statusCode, asset).toBe(200);
        expect(a.rawPayload.length, asset).toBeGreaterThan(20);
      }
    }
    const bundle = await app.inject({ url: "/api/docs/swagger-ui-bundle.js" });
    expect(bundle.headers["content-type"]).toMatch(/javascript/);
    expect(bundle.rawPayload.length).toBeGreaterThan(100_000);
    const init = await app.inject({ url: "/api/docs/init.js" });
    expect(init.body).toContain('"/api/openapi.json"');
  });
});
