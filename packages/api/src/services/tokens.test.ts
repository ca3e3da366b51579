// Personal API tokens: shown once, stored as SHA-256, last use recorded, revocable, and only for
// the roles with API access.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256 } from "../auth/crypto.js";
import { createContext } from "../context.js";
import { createCaller } from "../root.js";
import { activityLogs, callerFor, createTestDatabase, errorCode, refusal, seedOrganization, type SeededPerson, type TestDatabase } from "../testing/index.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.close();
});

const as = (p: SeededPerson) => callerFor(db.orm, { cookies: p.cookies });
const withToken = (token: string) => callerFor(db.orm, { token });

async function tokenRow(id: number) {
  const [row] = await db.orm.em.fork().execute<Record<string, unknown>[]>(`select * from api_tokens where id = ?`, [id]);
  return row!;
}

describe("API tokens", () => {
  it("show the token once, store only its SHA-256, record the last use, and stop when revoked", async () => {
    const f = await seedOrganization(db.orm, { owner: "owner", man: "manager" });
    const manager = await as(f.people.man);
    const logs = (await activityLogs(db.orm)).length;
    const created = await manager.token.create({ name: "nightly export" });
    expect(created).toMatchObject({ name: "nightly export", last_used_at: null, token: expect.stringMatching(/^lat_[A-Za-z0-9_-]{43}$/) });
    expect(created.prefix).toBe(created.token.slice(0, 12));

    // The list never shows it, nor anything longer than the prefix.
    const listed = await manager.token.list();
    expect(listed.map((t) => t.id)).toEqual([f.people.man.tokenId, created.id]);
    for (const t of listed) expect(Object.keys(t).sort()).toEqual(["created_at", "id", "last_used_at", "name", "prefix"]);
    expect(JSON.stringify(listed)).not.toContain(created.token.slice(0, 16));

    // Only the hash is stored; the log row names the token, never its text.
    const row = await tokenRow(created.id);
    expect(row.token_hash).toBe(sha256(created.token));
    expect(JSON.stringify(row)).not.toContain(created.token);
    const [log] = (await activityLogs(db.orm)).slice(logs);
    expect(log).toMatchObject({ action: "apiToken.create", target_id: String(created.id), changes: { name: { before: null, after: "nightly export" } } });
    expect(JSON.stringify(log)).not.toContain(created.token);

    // Using it records the time of use.
    const started = Date.now() - 1000;
    expect((await (await withToken(created.token)).organization.get({ id: 0 })).id).toBe(f.orgId);
    const used = await tokenRow(created.id);
    expect(Date.parse(String(used.last_used_at))).toBeGreaterThanOrEqual(started);
    const again = (await manager.token.list()).find((t) => t.id === created.id)!;
    expect(Date.parse(again.last_used_at!)).toBeGreaterThanOrEqual(started);

    // `Bearer` works as well as `Token`; anything else is refused.
    const bearer = createCaller(await createContext({ orm: db.orm, headers: { authorization: `Bearer ${created.token}` }, request: { method: "GET", path: "/trpc", ip: "127.0.0.1" } }));
    expect((await bearer.auth.me()).id).toBe(f.people.man.userId);
    const basic = createCaller(await createContext({ orm: db.orm, headers: { authorization: `Basic abc` }, request: { method: "GET", path: "/trpc", ip: "127.0.0.1" } }));
    expect(await errorCode(basic.auth.me())).toBe("UNAUTHORIZED");
    expect(await errorCode((await withToken(`${created.token}x`)).auth.me())).toBe("UNAUTHORIZED");

    // Revoked: the next request with it is refused, and it leaves the list.
    expect(await manager.token.revoke({ id: created.id })).toEqual({ ok: true });
    expect((await tokenRow(created.id)).revoked_at).not.toBeNull();
    const err = await refusal((await withToken(created.token)).organization.get({ id: 0 }));
    expect(err.code).toBe("UNAUTHORIZED");
    expect(err.message).toMatch(/revoked/);
    expect((await manager.token.list()).map((t) => t.id)).toEqual([f.people.man.tokenId]);
    expect(await errorCode(manager.token.revoke({ id: created.id }))).toBe("NOT_FOUND");
  });

  it("cannot be created, used or revoked by reviewers and annotators, nor revoked for someone else", async () => {
    // Each seeded person holds a token, as a manager demoted to reviewer or annotator would.
    const f = await seedOrganization(db.orm, { owner: "owner", admin: "administrator", rev: "reviewer", ann: "annotator", pend: "pending" });
    for (const p of [f.people.rev, f.people.ann, f.people.pend]) {
      const session = await as(p);
      expect(await errorCode(session.token.create({ name: "x" }))).toBe("FORBIDDEN");
      expect(await errorCode(session.token.list())).toBe("FORBIDDEN");
      expect(await errorCode(session.token.revoke({ id: p.tokenId }))).toBe("FORBIDDEN");
      const token = await withToken(p.token);
      for (const call of [() => token.organization.get({ id: 0 }), () => token.auth.me(), () => token.organization.list(), () => token.token.list(), () => token.auth.logout()]) {
        expect(await errorCode(call())).toBe("FORBIDDEN");
      }
      expect((await tokenRow(p.tokenId)).last_used_at).toBeNull();
    }
    // An administrator cannot revoke the owner's token (only one's own).
    expect(await errorCode((await as(f.people.admin)).token.revoke({ id: f.people.owner.tokenId }))).toBe("NOT_FOUND");
    expect((await tokenRow(f.people.owner.tokenId)).revoked_at).toBeNull();
  });

  it("stops working when its holder is removed from the organization", async () => {
    const f = await seedOrganization(db.orm, { owner: "owner", man: "manager" });
    expect((await (await withToken(f.people.man.token)).auth.me()).id).toBe(f.people.man.userId);
    await (await as(f.people.owner)).member.remove({ id: 0, user_id: f.people.man.userId });
    expect(await errorCode((await withToken(f.people.man.token)).auth.me())).toBe("UNAUTHORIZED");
    expect(await errorCode((await withToken(f.people.man.token)).organization.get({ id: f.orgId }))).toBe("UNAUTHORIZED");
  });
});
