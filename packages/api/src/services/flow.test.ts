import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryCookieJar } from "../auth/cookies.js";
import { activityLogs, callerFor, createTestDatabase, errorCode, refusal, type TestDatabase } from "../testing/index.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.close();
});

/** A person with a browser: every `call()` is a new request with their cookies. */
function person() {
  const jar = new MemoryCookieJar();
  return { jar, call: () => callerFor(db.orm, { cookies: jar }) };
}

describe("invite → pending → activate → change role → deactivate → refused", () => {
  it("walks the seed's flow", async () => {
    const olive = person();
    const me = await (await olive.call()).auth.signup({ email: "Owner@Example.com", password: "correct horse", name: "Olive" });
    expect(me.email).toBe("owner@example.com");
    expect(me.active_organization).toMatchObject({ role: "OW", status: "active" });
    const orgId = me.active_organization!.id;
    const owner = await olive.call();
    const invite = await owner.invite.get({ id: 0 });
    expect(invite.invite_url).toContain(encodeURIComponent(invite.token));
    // Showing the link again gives the same link.
    expect((await owner.invite.get({ id: 0 })).token).toBe(invite.token);

    // Sign-up through the link: pending, sees only "waiting for activation".
    const ann = person();
    const annMe = await (await ann.call()).auth.signup({ email: "ann@example.com", password: "another pass", invite_token: invite.token });
    expect(annMe.active_organization).toEqual({ id: orgId, title: me.active_organization!.title, role: "NO", status: "pending" });
    expect((await (await ann.call()).auth.me()).active_organization).toMatchObject({ status: "pending" });
    expect(await errorCode((await ann.call()).organization.get({ id: 0 }))).toBe("FORBIDDEN");
    expect(await errorCode((await ann.call()).member.list({ id: 0 }))).toBe("FORBIDDEN");
    expect(await errorCode((await ann.call()).token.create({ name: "x" }))).toBe("FORBIDDEN");

    const list = await owner.member.list({ id: 0, page: 1, page_size: 20, role: ["NO"] });
    expect(list.count).toBe(1);
    expect(list.results[0]?.user.email).toBe("ann@example.com");

    // Activated as annotator: she reaches the organization, not the People page.
    const activated = await owner.member.update({ id: 0, user_id: annMe.id, role: "AN" });
    expect(activated).toMatchObject({ role: "AN", status: "active" });
    expect((await (await ann.call()).organization.get({ id: 0 })).id).toBe(orgId);
    expect(await errorCode((await ann.call()).member.list({ id: 0 }))).toBe("FORBIDDEN");

    // Promoted to manager: the People page and an API token.
    expect((await owner.member.update({ id: 0, user_id: annMe.id, role: "MA" })).role).toBe("MA");
    expect((await (await ann.call()).member.list({ id: 0 })).count).toBe(2);
    const { token } = await (await ann.call()).token.create({ name: "script" });
    expect((await (await callerFor(db.orm, { token })).organization.get({ id: 0 })).id).toBe(orgId);

    // Down to reviewer: the token stops working at once (reviewers have no API access).
    expect((await owner.member.update({ id: 0, user_id: annMe.id, role: "RE" })).role).toBe("RE");
    expect(await errorCode((await callerFor(db.orm, { token })).organization.get({ id: 0 }))).toBe("FORBIDDEN");
    expect(await errorCode((await callerFor(db.orm, { token })).auth.me())).toBe("FORBIDDEN");
    expect((await owner.member.update({ id: 0, user_id: annMe.id, role: "MA" })).role).toBe("MA");
    expect((await (await callerFor(db.orm, { token })).organization.get({ id: 0 })).id).toBe(orgId);

    // Deactivated: the very next request is refused, on the session and on the token, including
    // on a request whose context was built before the deactivation.
    const early = await ann.call();
    expect((await owner.member.update({ id: 0, user_id: annMe.id, role: "DI" })).status).toBe("deactivated");
    expect(await errorCode((await ann.call()).organization.get({ id: 0 }))).toBe("FORBIDDEN");
    expect(await errorCode(early.member.list({ id: 0 }))).toBe("FORBIDDEN");
    expect(await errorCode((await ann.call()).token.list())).toBe("FORBIDDEN");
    expect(await errorCode((await callerFor(db.orm, { token })).organization.get({ id: 0 }))).toBe("UNAUTHORIZED");
    expect(await errorCode((await callerFor(db.orm, { token })).auth.me())).toBe("UNAUTHORIZED");
    // She still signs in and sees that she has no active organization.
    expect((await (await ann.call()).auth.me()).active_organization).toBeNull();
    expect(await (await ann.call()).organization.list()).toEqual([]);

    // Reactivated: back in, the old token stays revoked.
    expect((await owner.member.update({ id: 0, user_id: annMe.id, role: "AN" })).status).toBe("active");
    expect((await (await ann.call()).organization.get({ id: 0 })).id).toBe(orgId);
    expect(await errorCode((await callerFor(db.orm, { token })).organization.get({ id: 0 }))).toBe("UNAUTHORIZED");

    const logs = await activityLogs(db.orm);
    expect(logs.map((l) => l.action)).toEqual([
      "account.signup",
      "invite.manage",
      "account.signup",
      "member.changeRole", // AN
      "member.changeRole", // MA
      "apiToken.create",
      "member.changeRole", // RE
      "member.changeRole", // MA
      "member.changeRole", // DI
      "member.changeRole", // AN
    ]);
    expect(logs.every((l) => l.organization_id === orgId)).toBe(true);
    expect(logs.filter((l) => l.action === "member.changeRole").map((l) => l.changes)).toEqual([
      { role: { before: "NO", after: "AN" }, status: { before: "pending", after: "active" } },
      { role: { before: "AN", after: "MA" } },
      { role: { before: "MA", after: "RE" } },
      { role: { before: "RE", after: "MA" } },
      { role: { before: "MA", after: "DI" }, status: { before: "active", after: "deactivated" } },
      { role: { before: "DI", after: "AN" }, status: { before: "deactivated", after: "active" } },
    ]);
  });

  it("voids the old invitation link when it is reset", async () => {
    const owner = person();
    await (await owner.call()).auth.signup({ email: "reset.owner@example.com", password: "long enough" });
    const old = await (await owner.call()).invite.get({ id: 0 });
    const fresh = await (await owner.call()).invite.reset({ id: 0 });
    expect(fresh.token).not.toBe(old.token);
    expect((await (await owner.call()).invite.get({ id: 0 })).token).toBe(fresh.token);

    const late = person();
    const err = await refusal((await late.call()).auth.signup({ email: "late@example.com", password: "long enough", invite_token: old.token }));
    expect(err.code).toBe("UNPROCESSABLE_CONTENT");
    expect(err.message).toMatch(/invitation link is not valid/);
    // Nothing was created by the refused sign-up.
    expect(await errorCode((await late.call()).auth.me())).toBe("UNAUTHORIZED");
    const [row] = await db.orm.em.fork().execute<{ n: string }[]>(`select count(*) as n from users where email = 'late@example.com'`);
    expect(row!.n).toBe("0");
    // Signing in through the old link is refused too, and joins nothing.
    await (await person().call()).auth.signup({ email: "other@example.com", password: "long enough" });
    expect(await errorCode((await person().call()).auth.login({ email: "other@example.com", password: "long enough", invite_token: old.token }))).toBe(
      "UNPROCESSABLE_CONTENT",
    );

    const joined = await (await late.call()).auth.signup({ email: "late@example.com", password: "long enough", invite_token: fresh.token });
    expect(joined.active_organization).toMatchObject({ role: "NO", status: "pending" });
  });

  it("joins an existing account as pending when it signs in through an invitation link", async () => {
    const owner = person();
    const ownerMe = await (await owner.call()).auth.signup({ email: "inviter@example.com", password: "long enough" });
    const { token } = await (await owner.call()).invite.get({ id: 0 });

    // Bob already has an account (and his own organization).
    const bob = person();
    const bobMe = await (await bob.call()).auth.signup({ email: "bob@example.com", password: "bob's password" });
    const before = (await activityLogs(db.orm)).length;

    const other = person();
    const res = await (await other.call()).auth.login({ email: "BOB@example.com", password: "bob's password", invite_token: token });
    expect(res.active_organization).toMatchObject({ id: ownerMe.active_organization!.id, role: "NO", status: "pending" });
    expect(res.organizations.map((o) => o.id).sort()).toEqual([bobMe.active_organization!.id, ownerMe.active_organization!.id].sort());
    // One log row for the sign-in, in the organization joined.
    const logs = (await activityLogs(db.orm)).slice(before);
    expect(logs).toEqual([
      expect.objectContaining({ action: "account.login", organization_id: ownerMe.active_organization!.id, changes: { status: { before: null, after: "pending" } } }),
    ]);
    expect(await errorCode((await other.call()).organization.get({ id: 0 }))).toBe("FORBIDDEN");
    // His own organization is still his.
    expect((await (await other.call()).organization.get({ id: bobMe.active_organization!.id })).id).toBe(bobMe.active_organization!.id);

    // Signing in through the link again changes nothing.
    await (await other.call()).auth.login({ email: "bob@example.com", password: "bob's password", invite_token: token });
    const members = await (await owner.call()).member.list({ id: 0 });
    expect(members.results.map((m) => [m.user.email, m.role])).toEqual([
      ["inviter@example.com", "OW"],
      ["bob@example.com", "NO"],
    ]);
  });
});
