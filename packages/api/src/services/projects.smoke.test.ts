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

describe("workspaces and projects, end to end through the procedures", () => {
  it("creates, pins, lists pinned first, and hides what an annotator may not see", async () => {
    const ownerJar = new MemoryCookieJar();
    await (await callerFor(db.orm, { cookies: ownerJar })).auth.signup({ email: "o@x.io", password: "password1", name: "O" });
    const owner = await callerFor(db.orm, { cookies: ownerJar });
    const ws = await owner.workspace.create({ title: "Support", color: "#ff0000" });
    const p1 = await owner.project.create({ title: "First", workspace: ws.id });
    const p2 = await owner.project.create({ title: "Second", workspace: ws.id });
    const p3 = await owner.project.create({ title: "Mine" });
    expect(p3.workspace_title).toBe("Sandbox");
    await owner.project.pin({ id: p1.id });
    await owner.project.pin({ id: p1.id });
    const list = await owner.project.list({ filter: "all", page: 1, page_size: 30 });
    expect(list.results.map((p) => p.title)).toEqual(["First", "Mine", "Second"]);
    expect((await owner.project.list({ filter: "pinned_only", page: 1, page_size: 30 })).results.map((p) => p.id)).toEqual([p1.id]);

    const invite = await owner.invite.get({ id: 0 });
    const annJar = new MemoryCookieJar();
    const ann = await (await callerFor(db.orm, { cookies: annJar })).auth.signup({ email: "a@x.io", password: "password1", invite_token: invite.token });
    await owner.member.update({ id: 0, user_id: ann.id, role: "AN" });
    await owner.project.addMember({ id: p2.id, user_id: ann.id });
    const annCaller = await callerFor(db.orm, { cookies: annJar });
    const seen = await annCaller.project.list({ filter: "all", page: 1, page_size: 30 });
    expect(seen.results.map((p) => p.title)).toEqual(["Second"]);
    expect((await annCaller.workspace.list()).map((w) => w.is_sandbox)).toEqual([true]);
    await expect(annCaller.project.get({ id: p1.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(annCaller.project.pin({ id: p2.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(annCaller.project.get({ id: p3.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // The owner does not see the annotator's sandbox either.
    const annSandbox = (await annCaller.workspace.list())[0]!;
    await expect(owner.workspace.get({ id: annSandbox.id })).rejects.toMatchObject({ code: "NOT_FOUND" });

    await expect(owner.workspace.delete({ id: ws.id })).rejects.toMatchObject({ code: "CONFLICT" });
    const access = await owner.project.access({ id: p2.id });
    expect(access.results.find((r) => r.user.id === ann.id)?.reasons).toEqual(["project_member"]);
    await owner.project.update({ id: p3.id, workspace: ws.id });
    expect((await owner.project.get({ id: p3.id })).workspace).toBe(ws.id);
  });
});
