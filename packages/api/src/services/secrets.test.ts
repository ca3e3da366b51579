// No secret is ever stored in clear: after a flow that handles every kind of secret, dump every
// text and JSON column of every table and look for them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryCookieJar, SESSION_COOKIE } from "../auth/cookies.js";
import { callerFor, createTestDatabase, type TestDatabase } from "../testing/index.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.close();
});

/** Every text-like value of every table outside PostgreSQL's own schemas, with where it came from. */
async function dumpDatabase(): Promise<{ where: string; value: string }[]> {
  const em = db.orm.em.fork();
  const columns = await em.execute<{ table_schema: string; table_name: string; column_name: string }[]>(
    `select c.table_schema, c.table_name, c.column_name
       from information_schema.columns c join information_schema.tables t using (table_schema, table_name)
      where t.table_type = 'BASE TABLE' and c.table_schema not in ('pg_catalog', 'information_schema')
        and c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'USER-DEFINED', 'bytea')`,
  );
  expect(columns.length).toBeGreaterThan(20);
  const out: { where: string; value: string }[] = [];
  for (const c of columns) {
    const id = (s: string) => `"${s.replace(/"/g, '""')}"`;
    const rows = await em.execute<{ v: string | null }[]>(
      `select ${id(c.column_name)}::text as v from ${id(c.table_schema)}.${id(c.table_name)} where ${id(c.column_name)} is not null`,
    );
    for (const r of rows) if (r.v) out.push({ where: `${c.table_schema}.${c.table_name}.${c.column_name}`, value: r.v });
  }
  return out;
}

describe("secrets", () => {
  it("no password, session id, API token or invitation token is stored in clear, in any table or the activity log", async () => {
    const secrets: { kind: string; value: string }[] = [];
    const remember = (kind: string, value: string | undefined) => {
      expect(value).toBeTruthy();
      secrets.push({ kind, value: value! });
    };
    const sessionOf = (jar: MemoryCookieJar) => jar.get(SESSION_COOKIE);

    const ownerPassword = "owner's long passphrase 1";
    const ownerJar = new MemoryCookieJar();
    await (await callerFor(db.orm, { cookies: ownerJar })).auth.signup({ email: "owner@example.com", password: ownerPassword, name: "Owner" });
    remember("password", ownerPassword);
    remember("session", sessionOf(ownerJar));
    const owner = () => callerFor(db.orm, { cookies: ownerJar });

    // Invitation links: issued, reset, and used.
    const first = await (await owner()).invite.get({ id: 0 });
    remember("invite", first.token);
    const second = await (await owner()).invite.reset({ id: 0 });
    remember("invite", second.token);

    const annPassword = "annotator's secret phrase";
    const annJar = new MemoryCookieJar();
    const ann = await (await callerFor(db.orm, { cookies: annJar })).auth.signup({ email: "ann@example.com", password: annPassword, invite_token: second.token });
    remember("password", annPassword);
    remember("session", sessionOf(annJar));
    await (await owner()).member.update({ id: 0, user_id: ann.id, role: "MA" });

    // Signing in again (a second session), a failed sign-in, and a sign-in through the link.
    const againJar = new MemoryCookieJar();
    await (await callerFor(db.orm, { cookies: againJar })).auth.login({ email: "ann@example.com", password: annPassword, invite_token: second.token });
    remember("session", sessionOf(againJar));
    const wrongPassword = "a wrong guess at the password";
    await expect((await callerFor(db.orm)).auth.login({ email: "ann@example.com", password: wrongPassword })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    remember("password", wrongPassword);

    // API tokens: created, used, one revoked.
    for (const jar of [ownerJar, annJar]) {
      const { token, id } = await (await callerFor(db.orm, { cookies: jar })).token.create({ name: "script" });
      remember("api token", token);
      await (await callerFor(db.orm, { token })).organization.get({ id: 0 });
      if (jar === annJar) await (await callerFor(db.orm, { cookies: jar })).token.revoke({ id });
    }
    // Signing out keeps nothing of the session either.
    const outJar = new MemoryCookieJar();
    await (await callerFor(db.orm, { cookies: outJar })).auth.login({ email: "owner@example.com", password: ownerPassword });
    remember("session", sessionOf(outJar));
    await (await callerFor(db.orm, { cookies: outJar })).auth.logout();

    const dump = await dumpDatabase();
    expect(dump.some((d) => d.where === "public.activity_logs.action")).toBe(true);
    expect(dump.some((d) => d.where === "public.sessions.token_hash")).toBe(true);
    const leaks = secrets.flatMap((s) => {
      // The API token's visible prefix is not secret; what follows it is.
      const needles = s.kind === "api token" ? [s.value, s.value.slice(12)] : [s.value];
      return dump.filter((d) => needles.some((n) => d.value.includes(n))).map((d) => `${s.kind} in ${d.where}`);
    });
    expect(leaks).toEqual([]);
    // Nor, for the activity log, any of their case or encoding variants.
    const logText = dump.filter((d) => d.where.startsWith("public.activity_logs.")).map((d) => d.value.toLowerCase());
    for (const s of secrets) {
      for (const form of [s.value.toLowerCase(), encodeURIComponent(s.value).toLowerCase(), Buffer.from(s.value).toString("base64").toLowerCase()]) {
        expect(logText.filter((v) => v.includes(form))).toEqual([]);
      }
    }
  });
});
