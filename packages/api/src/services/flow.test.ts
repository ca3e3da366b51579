import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryCookieJar } from "../auth/cookies.js";
import { callerFor, createTestDatabase, type TestDatabase } from "../testing/index.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.close();
});

describe("invite → pending → activate → change role → deactivate → refused", () => {
  it("walks the seed's flow", async () => {
    const ownerJar = new MemoryCookieJar();
    const anon = await callerFor(db.orm, { cookies: ownerJar });
    const me = await anon.auth.signup({ email: "Owner@Example.com", password: "correct horse", name: "Olive" });
    expect(me.email).toBe("owner@example.com");
    expect(me.active_organization).toMatchObject({ role: "OW", status: "active" });
    const owner = await callerFor(db.orm, { cookies: ownerJar });
    const invite = await owner.invite.get({ id: 0 });
    expect(invite.invite_url).toContain(encodeURIComponent(invite.token));

    const annJar = new MemoryCookieJar();
    const ann0 = await callerFor(db.orm, { cookies: annJar });
    const ann = await ann0.auth.signup({ email: "ann@example.com", password: "another pass", invite_token: invite.token });
    expect(ann.active_organization).toMatchObject({ role: "NO", status: "pending" });
    const annCaller = await callerFor(db.orm, { cookies: annJar });
    await expect(annCaller.organization.get({ id: 0 })).rejects.toMatchObject({ code: "FORBIDDEN" });

    const list = await owner.member.list({ id: 0, page: 1, page_size: 20, role: ["NO"] });
    expect(list.count).toBe(1);
    expect(list.results[0]?.user.email).toBe("ann@example.com");

    const activated = await owner.member.update({ id: 0, user_id: ann.id, role: "AN" });
    expect(activated).toMatchObject({ role: "AN", status: "active" });
    expect((await (await callerFor(db.orm, { cookies: annJar })).organization.get({ id: 0 })).id).toBe(me.active_organization!.id);

    expect((await owner.member.update({ id: 0, user_id: ann.id, role: "RE" })).role).toBe("RE");
    expect((await owner.member.update({ id: 0, user_id: ann.id, role: "DI" })).status).toBe("deactivated");
    await expect((await callerFor(db.orm, { cookies: annJar })).organization.get({ id: 0 })).rejects.toMatchObject({ code: "FORBIDDEN" });

    const logs = await db.orm.em.fork().getConnection().execute<{ action: string }[]>("select action from activity_logs order by id");
    expect(logs.map((l) => l.action)).toEqual(
      expect.arrayContaining(["account.signup", "organization.create", "invite.manage", "member.join", "member.changeRole"]),
    );
  });
});
