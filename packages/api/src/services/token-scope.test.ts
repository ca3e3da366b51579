// Table 3: managers have API access "for own or workspace projects" only; in the browser the
// same manager sees every project of the organization.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, createTestDatabase, errorCode, seedOrganization, type TestDatabase } from "../testing/index.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.close();
});

describe("a manager's API token", () => {
  it("reaches only the manager's own and workspace projects, while the browser session sees them all", async () => {
    const org = await seedOrganization(db.orm, { owner: "owner", man: "manager" });
    const owner = await callerFor(db.orm, { cookies: org.people.owner.cookies });
    const theirs = await owner.workspace.create({ title: "Theirs" });
    const mine = await owner.workspace.create({ title: "Mine" });
    await owner.workspace.addMember({ id: mine.id, user_id: org.people.man.userId });
    const other = await owner.project.create({ title: "Other", workspace: theirs.id });
    const inMine = await owner.project.create({ title: "In my workspace", workspace: mine.id });
    const browser = await callerFor(db.orm, { cookies: org.people.man.cookies });
    // Created while a member of "Theirs", then removed from it: still their own project.
    await owner.workspace.addMember({ id: theirs.id, user_id: org.people.man.userId });
    const created = await browser.project.create({ title: "Created by me", workspace: theirs.id });
    await owner.workspace.removeMember({ id: theirs.id, user_id: org.people.man.userId });

    // The workspace list says where the caller belongs (what a manager's rights depend on).
    const listed = await browser.workspace.list();
    expect(listed.filter((w) => !w.is_sandbox).map((w) => [w.title, w.is_member])).toEqual([["Mine", true], ["Theirs", false]]);
    expect((await browser.workspace.get({ id: mine.id })).is_member).toBe(true);

    const all = await browser.project.list({ filter: "all", page: 1, page_size: 30 });
    expect(all.results.map((p) => p.title).sort()).toEqual(["Created by me", "In my workspace", "Other"]);

    const api = await callerFor(db.orm, { token: org.people.man.token });
    const viaToken = await api.project.list({ filter: "all", page: 1, page_size: 30 });
    expect(viaToken.results.map((p) => p.id).sort()).toEqual([inMine.id, created.id].sort());
    expect(viaToken.count).toBe(2);
    expect((await api.project.get({ id: inMine.id })).title).toBe("In my workspace");
    expect(await errorCode(api.project.get({ id: other.id }))).toBe("FORBIDDEN");
    expect(await errorCode(api.project.pin({ id: other.id }))).toBe("FORBIDDEN");
    // The owner's token reaches everything.
    const ownerApi = await callerFor(db.orm, { token: org.people.owner.token });
    expect((await ownerApi.project.list({ filter: "all", page: 1, page_size: 30 })).count).toBe(3);
  });
});

describe("a manager's API token on dashboards", () => {
  it("counts only the projects the token reaches: not projects the manager was merely invited to", async () => {
    const org = await seedOrganization(db.orm, { owner: "owner", man: "manager" });
    const owner = await callerFor(db.orm, { cookies: org.people.owner.cookies });
    const mine = await owner.workspace.create({ title: "Mine" });
    const theirs = await owner.workspace.create({ title: "Theirs" });
    await owner.workspace.addMember({ id: mine.id, user_id: org.people.man.userId });
    const inMine = await owner.project.create({ title: "In my workspace", workspace: mine.id });
    const invited = await owner.project.create({ title: "Invited", workspace: theirs.id });
    await owner.project.create({ title: "Other", workspace: theirs.id });
    await owner.project.addMember({ id: invited.id, user_id: org.people.man.userId });
    // A task and an annotation in each of the two projects, so that both have per-project stats.
    const em = db.orm.em.fork();
    for (const [projectId, tasks] of [[inMine.id, 2], [invited.id, 5]] as const) {
      await em.execute(`update projects set task_count = ? where id = ?`, [tasks, projectId]);
      await em.execute(
        `with t as (insert into tasks (organization_id, project_id, data, created_at) values (?, ?, '{}'::jsonb, now()) returning id, project_id)
         insert into annotations (organization_id, project_id, task_id, completed_by_id, result, ground_truth, review_state, created_at, updated_at)
         select ?, t.project_id, t.id, ?, '1'::jsonb, false, 'pending', now(), now() from t`,
        [org.orgId, projectId, org.orgId, org.people.man.userId],
      );
    }
    const perProject = (s: { per_project: { project: { id: number } }[] }) => s.per_project.map((p) => p.project.id).sort((a, b) => a - b);

    // In the browser, the manager's workspace dashboard covers their workspace and the invitation.
    const browser = await callerFor(db.orm, { cookies: org.people.man.cookies });
    const seen = await browser.dashboard.summary({ scope: "workspace" });
    expect(seen).toMatchObject({ projects: 2, tasks: 7, annotations: 2 });
    expect(perProject(seen)).toEqual([inMine.id, invited.id].sort((a, b) => a - b));
    expect((await browser.dashboard.summary({ scope: "project", id: invited.id })).projects).toBe(1);

    // Through the token, only their own workspace's project: no counts or stats of the invited one.
    const api = await callerFor(db.orm, { token: org.people.man.token });
    for (const scope of ["workspace", "project"] as const) {
      const viaToken = await api.dashboard.summary({ scope });
      expect(viaToken, scope).toMatchObject({ projects: 1, tasks: 2, annotations: 1 });
      expect(perProject(viaToken), scope).toEqual([inMine.id]);
    }
    const own = await api.dashboard.summary({ scope: "own" });
    expect(own).toMatchObject({ annotations: 1 });
    expect(perProject(own)).toEqual([inMine.id]);
    expect(await errorCode(api.dashboard.summary({ scope: "project", id: invited.id }))).toBe("FORBIDDEN");
    expect((await api.dashboard.summary({ scope: "workspace", id: mine.id })).projects).toBe(1);
    // Managers have no organization dashboard, by token or not.
    expect(await errorCode(api.dashboard.summary({ scope: "organization" }))).toBe("FORBIDDEN");

    // The owner's token sees the organization as the owner does in the browser.
    const ownerApi = await callerFor(db.orm, { token: org.people.owner.token });
    expect(await ownerApi.dashboard.summary({ scope: "organization" })).toMatchObject({ projects: 3, tasks: 7, annotations: 2 });
  });
});

describe("access review for a user", () => {
  it("lists the projects a member reaches, with reasons, limited to what the caller may review", async () => {
    const org = await seedOrganization(db.orm, { owner: "owner", man: "manager", ann: "annotator" });
    const owner = await callerFor(db.orm, { cookies: org.people.owner.cookies });
    const ws = await owner.workspace.create({ title: "W" });
    const other = await owner.workspace.create({ title: "Other" });
    const a = await owner.project.create({ title: "A", workspace: ws.id });
    const b = await owner.project.create({ title: "B", workspace: other.id });
    await owner.project.create({ title: "C", workspace: other.id });
    await owner.project.addMember({ id: a.id, user_id: org.people.ann.userId });
    await owner.workspace.addMember({ id: other.id, user_id: org.people.ann.userId });
    const review = await owner.access.forUser({ user_id: org.people.ann.userId });
    expect(review.count).toBe(3);
    expect(review.results.find((r) => r.project.id === a.id)?.reasons).toEqual(["project_member"]);
    expect(review.results.find((r) => r.project.id === b.id)?.reasons).toEqual(["workspace_member"]);
    // A manager reviews only the projects they manage: none here until added to "W".
    const man = await callerFor(db.orm, { cookies: org.people.man.cookies });
    expect((await man.access.forUser({ user_id: org.people.ann.userId })).count).toBe(0);
    await owner.workspace.addMember({ id: ws.id, user_id: org.people.man.userId });
    expect((await man.access.forUser({ user_id: org.people.ann.userId })).results.map((r) => r.project.id)).toEqual([a.id]);
    // Annotators may not review access; strangers' ids are NOT_FOUND.
    const ann = await callerFor(db.orm, { cookies: org.people.ann.cookies });
    expect(await errorCode(ann.access.forUser({ user_id: org.people.owner.userId }))).toBe("FORBIDDEN");
    expect(await errorCode(owner.access.forUser({ user_id: 999_999 }))).toBe("NOT_FOUND");
  });
});
