// Sign-up and sign-in: invitation-only instances, duplicates, and login rate limiting.
import { getErrorShape } from "@trpc/server/unstable-core-do-not-import";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MemoryCookieJar, SESSION_COOKIE } from "../auth/cookies.js";
import { LOGIN_LIMITS } from "../auth/throttle.js";
import { DomainError } from "../errors.js";
import { appRouter } from "../root.js";
import { activityLogs, callerFor, createTestDatabase, errorCode, refusal, type TestDatabase } from "../testing/index.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.close();
});

const anon = (opts: Parameters<typeof callerFor>[1] = {}) => callerFor(db.orm, opts);

describe("sign-up", () => {
  it("is refused without an invitation link when LATTICE_DISABLE_SIGNUP_WITHOUT_LINK is set, with a clear message", async () => {
    const closed = { LATTICE_DISABLE_SIGNUP_WITHOUT_LINK: true };
    const logs = (await activityLogs(db.orm)).length;
    const err = await refusal((await anon({ config: closed })).auth.signup({ email: "walkin@example.com", password: "long enough" }));
    expect(err.code).toBe("FORBIDDEN");
    expect(err.message).toBe("Sign-up on this instance needs an invitation link; ask an administrator for one.");
    expect((await activityLogs(db.orm)).length).toBe(logs);
    const [row] = await db.orm.em.fork().execute<{ n: string }[]>(`select count(*) as n from users where email = 'walkin@example.com'`);
    expect(row!.n).toBe("0");

    // With a link it works (the inviter's organization was created while sign-up was open).
    const ownerJar = new MemoryCookieJar();
    await (await anon({ cookies: ownerJar })).auth.signup({ email: "host@example.com", password: "long enough" });
    const { token } = await (await anon({ cookies: ownerJar, config: closed })).invite.get({ id: 0 });
    const joined = await (await anon({ config: closed })).auth.signup({ email: "walkin@example.com", password: "long enough", invite_token: token });
    expect(joined.active_organization).toMatchObject({ status: "pending" });
    // A bad link is refused, not turned into an open sign-up.
    expect(await errorCode((await anon({ config: closed })).auth.signup({ email: "x@example.com", password: "long enough", invite_token: "nope" }))).toBe(
      "UNPROCESSABLE_CONTENT",
    );
  });

  it("refuses a second account with the same email (any case) as CONFLICT", async () => {
    await (await anon()).auth.signup({ email: "twice@example.com", password: "long enough" });
    const err = await refusal((await anon()).auth.signup({ email: " TWICE@example.com ", password: "other password" }));
    expect(err.code).toBe("CONFLICT");
    // Concurrent duplicates: one wins, the others get CONFLICT (not a 500).
    const results = await Promise.allSettled([1, 2, 3].map(async () => (await anon()).auth.signup({ email: "race@example.com", password: "long enough" })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toMatchObject({ code: "CONFLICT" });
  });
});

describe("login rate limiting", () => {
  const saved = { ...LOGIN_LIMITS };
  afterEach(() => Object.assign(LOGIN_LIMITS, saved));

  /** The error as the HTTP faces show it (the formatter's shape). */
  function shape(err: Awaited<ReturnType<typeof refusal>>) {
    return getErrorShape({ config: appRouter._def._config, error: err, type: "mutation", path: "auth.login", input: undefined, ctx: undefined });
  }

  it("per account: after the allowed failures, TOO_MANY_REQUESTS with retryAfterSeconds, even with the right password", async () => {
    await (await anon()).auth.signup({ email: "victim@example.com", password: "right password" });
    for (let i = 0; i < LOGIN_LIMITS.perAccount; i++) {
      // From different addresses: the account's counter alone trips.
      expect(await errorCode((await anon({ ip: `10.0.0.${i}` })).auth.login({ email: "victim@example.com", password: "wrong password" }))).toBe("UNAUTHORIZED");
    }
    const err = await refusal((await anon({ ip: "10.0.1.1" })).auth.login({ email: "Victim@example.com", password: "right password" }));
    expect(err.code).toBe("TOO_MANY_REQUESTS");
    expect(err.cause).toBeInstanceOf(DomainError);
    const retry = (err.cause as DomainError).details?.retryAfterSeconds;
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(LOGIN_LIMITS.windowSeconds);
    expect(err.message).toContain(`${retry} seconds`);
    expect(shape(err).data).toMatchObject({ code: "TOO_MANY_REQUESTS", httpStatus: 429, retryAfterSeconds: retry });
    // Another account from the same addresses is not affected.
    await (await anon()).auth.signup({ email: "bystander@example.com", password: "right password" });
    expect((await (await anon({ ip: "10.0.0.1" })).auth.login({ email: "bystander@example.com", password: "right password" })).email).toBe("bystander@example.com");
    // When the window has passed, the account signs in again.
    await db.orm.em.fork().execute(`update login_throttles set window_start = now() - make_interval(secs => ?) where key = 'account:victim@example.com'`, [LOGIN_LIMITS.windowSeconds + 1]);
    expect((await (await anon()).auth.login({ email: "victim@example.com", password: "right password" })).email).toBe("victim@example.com");
  });

  it("per account: a successful sign-in clears the account's failures", async () => {
    await (await anon()).auth.signup({ email: "forgetful@example.com", password: "right password" });
    LOGIN_LIMITS.perAccount = 3;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2; i++) {
        expect(await errorCode((await anon({ ip: "10.2.0.1" })).auth.login({ email: "forgetful@example.com", password: "wrong" }))).toBe("UNAUTHORIZED");
      }
      await (await anon({ ip: "10.2.0.1" })).auth.login({ email: "forgetful@example.com", password: "right password" });
    }
  });

  it("per address: after the allowed failures from one address, every account is refused from it, not from elsewhere", async () => {
    await (await anon()).auth.signup({ email: "alice@example.com", password: "right password" });
    LOGIN_LIMITS.perAddress = 4;
    for (let i = 0; i < 4; i++) {
      // Spraying different accounts (some of which do not exist).
      expect(await errorCode((await anon({ ip: "192.0.2.7" })).auth.login({ email: `spray${i}@example.com`, password: "guess" }))).toBe("UNAUTHORIZED");
    }
    const err = await refusal((await anon({ ip: "192.0.2.7" })).auth.login({ email: "alice@example.com", password: "right password" }));
    expect(err.code).toBe("TOO_MANY_REQUESTS");
    expect((err.cause as DomainError).details?.retryAfterSeconds).toBeGreaterThan(0);
    expect(shape(err).data.retryAfterSeconds).toBeGreaterThan(0);
    expect((await (await anon({ ip: "192.0.2.8" })).auth.login({ email: "alice@example.com", password: "right password" })).email).toBe("alice@example.com");
  });

  it("a failed or throttled sign-in writes no activity-log row and starts no session", async () => {
    const logs = (await activityLogs(db.orm)).length;
    const jar = new MemoryCookieJar();
    expect(await errorCode((await anon({ cookies: jar })).auth.login({ email: "alice@example.com", password: "wrong" }))).toBe("UNAUTHORIZED");
    expect(jar.values.size).toBe(0);
    expect((await activityLogs(db.orm)).length).toBe(logs);
  });
});

describe("sessions", () => {
  it("end at sign-out and at expiry", async () => {
    const jar = new MemoryCookieJar();
    const me = await (await anon({ cookies: jar })).auth.signup({ email: "leaver@example.com", password: "long enough" });
    const sid = jar.get(SESSION_COOKIE)!;
    expect((await (await anon({ cookies: jar })).auth.me()).email).toBe("leaver@example.com");
    expect(await (await anon({ cookies: jar })).auth.logout()).toEqual({ ok: true });
    expect((await activityLogs(db.orm)).at(-1)).toMatchObject({ action: "account.logout", actor_id: me.id, organization_id: me.active_organization!.id });
    expect(jar.get(SESSION_COOKIE)).toBeUndefined();
    // The old cookie, replayed, no longer works.
    expect(await errorCode((await anon({ cookies: new MemoryCookieJar({ [SESSION_COOKIE]: sid }) })).auth.me())).toBe("UNAUTHORIZED");

    const again = new MemoryCookieJar();
    await (await anon({ cookies: again })).auth.login({ email: "leaver@example.com", password: "long enough" });
    expect((await (await anon({ cookies: again })).organization.get({ id: 0 })).title).toBe("My organization");
    await db.orm.em.fork().execute(`update sessions set expires_at = now() - interval '1 second' where user_id = (select id from users where email = 'leaver@example.com')`);
    expect(await errorCode((await anon({ cookies: again })).organization.get({ id: 0 }))).toBe("UNAUTHORIZED");
  });
});
