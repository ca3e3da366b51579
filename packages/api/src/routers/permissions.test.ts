// Who may call what: every procedure of the accounts/organizations/members/tokens routers, for
// every kind of caller, on a fresh organization each time. One row per (procedure, caller).
// Each row also checks the activity log (exactly one row per change, none for a refusal or a
// read) and that a refusal leaves the database as it was.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Orm } from "../db/orm.js";
import {
  callerFor,
  procedureAt,
  procedures,
  refusal,
  seedOrganization,
  SEED_PASSWORD,
  type Caller,
  type SeededOrganization,
  type SeededPerson,
  type TestDatabase,
  createTestDatabase,
} from "../testing/index.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.close();
});

const CALLERS = ["owner", "administrator", "manager", "reviewer", "annotator", "pending", "deactivated", "signedOut"] as const;
type Outcome = "ok" | "FORBIDDEN" | "UNAUTHORIZED" | "NOT_FOUND";
const SHORT: Record<string, Outcome> = { ok: "ok", F: "FORBIDDEN", U: "UNAUTHORIZED", NF: "NOT_FOUND" };

/**
 * The table. Columns: owner, administrator, manager, reviewer, annotator, pending member,
 * deactivated member, signed out. `ok` allowed, `F` FORBIDDEN, `U` UNAUTHORIZED.
 * (Callers from another organization get NOT_FOUND: organizations.test.ts.)
 */
const TABLE: Record<string, string> = {
  //                            OW  AD  MA  RE  AN  NO  DI  out
  health: /*                 */ "ok ok  ok  ok  ok  ok  ok  ok",
  "auth.signup": /*          */ "ok ok  ok  ok  ok  ok  ok  ok",
  "auth.login": /*           */ "ok ok  ok  ok  ok  ok  ok  ok",
  "auth.logout": /*          */ "ok ok  ok  ok  ok  ok  ok  U",
  "auth.me": /*              */ "ok ok  ok  ok  ok  ok  ok  U",
  "auth.session": /*         */ "ok ok  ok  ok  ok  ok  ok  ok",
  "organization.list": /*    */ "ok ok  ok  ok  ok  ok  ok  U",
  "organization.create": /*  */ "ok ok  ok  ok  ok  ok  ok  U",
  "organization.get": /*     */ "ok ok  ok  ok  ok  F   F   U",
  "organization.update": /*  */ "ok ok  F   F   F   F   F   U",
  "organization.switch": /*  */ "ok ok  ok  ok  ok  ok  NF  U",
  "invite.get": /*           */ "ok ok  F   F   F   F   F   U",
  "invite.reset": /*         */ "ok ok  F   F   F   F   F   U",
  "member.list": /*          */ "ok ok  ok  F   F   F   F   U",
  "member.get": /*           */ "ok ok  ok  F   F   F   F   U",
  "member.update": /*        */ "ok ok  F   F   F   F   F   U",
  "member.patch": /*         */ "ok ok  F   F   F   F   F   U",
  "member.remove": /*        */ "ok ok  F   F   F   F   F   U",
  "member.transferOwnership": "ok F   F   F   F   F   F   U",
  "token.list": /*           */ "ok ok  ok  F   F   F   F   U",
  "token.create": /*         */ "ok ok  ok  F   F   F   F   U",
  "token.revoke": /*         */ "ok ok  ok  F   F   F   F   U",
};

/** The members of every test organization: one per caller kind, plus the targets of changes. */
const MEMBERS = {
  owner: "owner",
  administrator: "administrator",
  manager: "manager",
  reviewer: "reviewer",
  annotator: "annotator",
  pending: "pending",
  deactivated: "deactivated",
  /** Receives ownership. */
  admin2: "administrator",
  /** Activated by member.update / member.patch. */
  target: "pending",
  /** Removed by member.remove, read by member.get, signed in as by auth.login. */
  victim: "annotator",
} as const;
type Fixture = SeededOrganization<keyof typeof MEMBERS>;

interface Case {
  /** Activity-log rows that one allowed call writes (and whether it changes the database). */
  logs: 0 | 1;
  prepare?(f: Fixture, me: SeededPerson | null): Promise<void>;
  run(c: Caller, f: Fixture, me: SeededPerson | null): Promise<unknown>;
  /** What an allowed call returns. */
  check?(result: unknown, f: Fixture, me: SeededPerson | null): void;
}

let n = 0;
const CASES: Record<string, Case> = {
  health: { logs: 0, run: (c) => c.health(), check: (r) => expect(r).toMatchObject({ status: "ok" }) },
  "auth.signup": {
    logs: 1,
    run: (c) => c.auth.signup({ email: `new.${++n}@example.com`, password: "a long password" }),
    check: (r) => expect(r).toMatchObject({ active_organization: { role: "OW", status: "active" } }),
  },
  "auth.login": {
    logs: 1,
    run: (c, f) => c.auth.login({ email: f.people.victim.email, password: SEED_PASSWORD }),
    check: (r, f) => expect(r).toMatchObject({ email: f.people.victim.email, active_organization: { id: f.orgId, role: "AN" } }),
  },
  "auth.logout": { logs: 1, run: (c) => c.auth.logout(), check: (r) => expect(r).toEqual({ ok: true }) },
  "auth.me": { logs: 0, run: (c) => c.auth.me(), check: (r, _f, me) => expect(r).toMatchObject({ id: me!.userId }) },
  "auth.session": { logs: 0, run: (c) => c.auth.session(), check: (r, _f, me) => expect(r).toEqual(me ? expect.objectContaining({ id: me.userId }) : null) },
  "organization.list": {
    logs: 0,
    run: (c) => c.organization.list(),
    check: (r, f, me) => expect(r).toEqual(me === f.people.deactivated ? [] : [expect.objectContaining({ id: f.orgId })]),
  },
  "organization.create": {
    logs: 1,
    run: (c) => c.organization.create({ title: "Another one" }),
    check: (r) => expect(r).toMatchObject({ title: "Another one" }),
  },
  "organization.get": {
    logs: 0,
    run: (c, f) => c.organization.get({ id: f.orgId }),
    check: (r, f) => expect(r).toMatchObject({ id: f.orgId, title: f.title, seats_used: 7 }),
  },
  "organization.update": {
    logs: 1,
    run: (c, f) => c.organization.update({ id: f.orgId, title: "Renamed" }),
    check: (r) => expect(r).toMatchObject({ title: "Renamed" }),
  },
  "organization.switch": {
    logs: 1,
    // Nobody's active organization, so that switching to it is a change.
    prepare: (_f, me) => setActiveOrganization(db.orm, me, null),
    run: (c, f) => c.organization.switch({ id: f.orgId }),
    check: (r, f) => expect(r).toMatchObject({ id: f.orgId }),
  },
  "invite.get": {
    logs: 1, // the first call issues the link
    run: (c, f) => c.invite.get({ id: f.orgId }),
    check: (r) => expect(r).toMatchObject({ token: expect.any(String), invite_url: expect.stringContaining("/signup?invite=") }),
  },
  "invite.reset": { logs: 1, run: (c, f) => c.invite.reset({ id: f.orgId }), check: (r) => expect(r).toMatchObject({ token: expect.any(String) }) },
  "member.list": {
    logs: 0,
    run: (c, f) => c.member.list({ id: f.orgId }),
    check: (r) => expect(r).toMatchObject({ count: Object.keys(MEMBERS).length }),
  },
  "member.get": {
    logs: 0,
    run: (c, f) => c.member.get({ id: f.orgId, user_id: f.people.victim.userId }),
    check: (r, f) => expect(r).toMatchObject({ user: { id: f.people.victim.userId }, role: "AN", status: "active" }),
  },
  "member.update": {
    logs: 1,
    run: (c, f) => c.member.update({ id: f.orgId, user_id: f.people.target.userId, role: "AN" }),
    check: (r) => expect(r).toMatchObject({ role: "AN", status: "active" }),
  },
  "member.patch": {
    logs: 1,
    run: (c, f) => c.member.patch({ id: f.orgId, user_id: f.people.target.userId, role: "MA" }),
    check: (r) => expect(r).toMatchObject({ role: "MA", status: "active" }),
  },
  "member.remove": {
    logs: 1,
    run: (c, f) => c.member.remove({ id: f.orgId, user_id: f.people.victim.userId }),
    check: (r) => expect(r).toEqual({ ok: true }),
  },
  "member.transferOwnership": {
    logs: 1,
    run: (c, f) => c.member.transferOwnership({ id: f.orgId, user_id: f.people.admin2.userId }),
    check: (r) => expect(r).toMatchObject({ role: "OW", status: "active" }),
  },
  "token.list": {
    logs: 0,
    run: (c) => c.token.list(),
    check: (r, _f, me) => {
      expect(r).toEqual([expect.objectContaining({ id: me!.tokenId, name: "seeded" })]);
      expect(JSON.stringify(r)).not.toContain(me!.token);
    },
  },
  "token.create": {
    logs: 1,
    run: (c) => c.token.create({ name: "ci" }),
    check: (r) => expect(r).toMatchObject({ name: "ci", token: expect.stringMatching(/^lat_/) }),
  },
  "token.revoke": {
    logs: 1,
    run: (c, f, me) => c.token.revoke({ id: (me ?? f.people.owner).tokenId }),
    check: (r) => expect(r).toEqual({ ok: true }),
  },
};

async function setActiveOrganization(orm: Orm, me: SeededPerson | null, orgId: number | null) {
  if (me) await orm.em.fork().execute(`update users set active_organization_id = ? where id = ?`, [orgId, me.userId]);
}

/**
 * Everything these procedures can change, from the test organization on (ids grow, so what a
 * call creates is included), and the number of activity-log rows.
 */
async function snapshot(orm: Orm, f: Fixture): Promise<{ state: string; logs: number }> {
  const users = Math.min(...Object.values<SeededPerson>(f.people).map((p) => p.userId));
  const [row] = await orm.em.fork().execute<{ state: unknown; logs: string }[]>(
    `select json_build_array(
        (select json_agg(json_build_array(id, organization_id, user_id, role, status) order by id) from memberships where user_id >= ?),
        (select json_agg(json_build_array(id, title, seat_limit, invite_token_hash) order by id) from organizations where id >= ?),
        (select json_agg(json_build_array(id, revoked_at is null) order by id) from api_tokens where user_id >= ?),
        (select json_agg(id order by id) from sessions where user_id >= ?),
        (select json_agg(json_build_array(id, email, active_organization_id) order by id) from users where id >= ?)) as state,
       (select count(*) from activity_logs) as logs`,
    [users, f.orgId, users, users, users],
  );
  return { state: JSON.stringify(row!.state), logs: Number(row!.logs) };
}

const ROWS = Object.entries(TABLE).flatMap(([path, cells]) => {
  const outcomes = cells.trim().split(/\s+/).map((c) => SHORT[c]!);
  return CALLERS.map((who, i) => ({ path, who, expected: outcomes[i]! }));
});

const CONFIG = { LATTICE_MULTI_ORG: true };
const ORG_SCOPED = new Set(procedures().flatMap((p) => (p.meta?.action !== "public" && p.meta?.action !== "authenticated" ? [p.path] : [])));

describe("the permission table of the accounts, organization, member and token procedures", () => {
  it("has a row for every procedure of those routers, and a call for every row", () => {
    const ours = procedures()
      .map((p) => p.path)
      .filter((p) => /^(health|auth|organization|invite|member|token)(\.|$)/.test(p));
    expect(Object.keys(TABLE).sort()).toEqual(ours.sort());
    expect(Object.keys(CASES).sort()).toEqual(ours.sort());
    for (const cells of Object.values(TABLE)) expect(cells.trim().split(/\s+/).every((c) => c in SHORT)).toBe(true);
  });

  it.each(ROWS)("$path as $who: $expected", async ({ path, who, expected }) => {
    const c = CASES[path]!;
    const f: Fixture = await seedOrganization(db.orm, MEMBERS);
    const me = who === "signedOut" ? null : f.people[who];
    await c.prepare?.(f, me);
    const caller = await callerFor(db.orm, { cookies: me?.cookies, config: CONFIG });
    procedureAt(caller, path); // exists
    const before = await snapshot(db.orm, f);
    const call = c.run(caller, f, me);
    if (expected === "ok") {
      const result = await call;
      c.check?.(result, f, me);
      const after = await snapshot(db.orm, f);
      expect(after.logs - before.logs).toBe(c.logs);
      if (c.logs) expect(after.state).not.toBe(before.state);
      else expect(after.state).toBe(before.state);
      // An organization's change is logged in that organization, under the caller's name.
      if (c.logs && ORG_SCOPED.has(path)) {
        const [last] = await db.orm.em.fork().execute(`select organization_id, actor_id from activity_logs order by id desc limit 1`);
        expect(last).toEqual({ organization_id: f.orgId, actor_id: me!.userId });
      }
    } else {
      const err = await refusal(call);
      expect({ code: err.code, message: err.message }).toEqual({ code: expected, message: expect.stringMatching(/\w/) });
      expect(await snapshot(db.orm, f)).toEqual(before);
    }
  });
});

describe("activity log", () => {
  // A trigger that refuses every activity-log row: a change whose log row is written in the
  // same transaction must then not happen at all.
  beforeAll(async () => {
    await db.orm.em.fork().execute(`create function test_refuse_log() returns trigger language plpgsql as $$
      begin raise exception 'activity log refused by the test'; end $$`);
  });

  const CHANGES = Object.entries(CASES)
    .filter(([, c]) => c.logs > 0)
    .map(([path]) => path);

  it.each(CHANGES)("%s writes its log row in the transaction of the change", async (path) => {
    const c = CASES[path]!;
    const f: Fixture = await seedOrganization(db.orm, MEMBERS);
    const me = f.people.owner;
    await c.prepare?.(f, me);
    const caller = await callerFor(db.orm, { cookies: me.cookies, config: CONFIG });
    const conn = db.orm.em.fork();
    await conn.execute(`create trigger test_refuse_log before insert on activity_logs for each row execute function test_refuse_log()`);
    try {
      const before = await snapshot(db.orm, f);
      await expect(c.run(caller, f, me)).rejects.toThrow(/activity log refused by the test/);
      expect(await snapshot(db.orm, f)).toEqual(before);
    } finally {
      await conn.execute(`drop trigger test_refuse_log on activity_logs`);
    }
  });
});
