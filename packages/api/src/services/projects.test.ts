// Workspaces and projects, behaviours beyond who-may-call-what (that table is in
// routers/workspace-project.permissions.test.ts): sandbox privacy against the owner and
// administrators, sandboxes without members, moving projects, deleting workspaces, bad input
// over HTTP, and that a refused or failed change writes nothing, activity log included.
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MemoryCookieJar } from "../auth/cookies.js";
import { loadConfig } from "../config.js";
import { createContext } from "../context.js";
import { appRouter } from "../root.js";
import { activityLogs, callerFor, createTestDatabase, refusal, seedOrganization, type Caller, type TestDatabase } from "../testing/index.js";
import { projectsSnapshot, seedProjectsOrganization, type Person, type ProjectsFixture } from "../testing/projects.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.close();
});

const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) => db.orm.em.fork().execute<T[]>(text, params);
const as = (f: ProjectsFixture, p: Person) => callerFor(db.orm, { cookies: f.people[p].cookies });

/** The call is refused with `code`, and the database (activity log included) is as it was. */
async function refusedWithoutChange(call: () => Promise<unknown>, code: string, message?: RegExp) {
  const before = await projectsSnapshot(db.orm);
  const err = await refusal(call());
  expect(err.code).toBe(code);
  if (message) expect(err.message).toMatch(message);
  expect(await projectsSnapshot(db.orm)).toEqual(before);
  return err;
}

/** A request through tRPC's fetch adapter, as the server answers it: HTTP status and JSON body. */
async function http(jar: MemoryCookieJar, path: string, input: unknown, method: "GET" | "POST") {
  const url = new URL(`http://lattice.test/trpc/${path}`);
  if (method === "GET") url.searchParams.set("input", JSON.stringify(input));
  const req = new Request(url, method === "POST" ? { method, body: JSON.stringify(input), headers: { "content-type": "application/json" } } : { method });
  const res = await fetchRequestHandler({
    endpoint: "/trpc",
    req,
    router: appRouter,
    createContext: () =>
      createContext({ orm: db.orm, cookies: jar, config: loadConfig(), request: { method, path: url.pathname, ip: "127.0.0.1", origin: "http://lattice.test" } }),
  });
  return { status: res.status, body: (await res.json()) as { error?: { message: string; data: { code: string; field?: string; zodError?: { fieldErrors: Record<string, string[]> } } } } };
}

describe("sandbox privacy", () => {
  it.each(["owner", "administrator"] as const)("the %s cannot list, open, change, delete, pin or review another user's sandbox or its project", async (who) => {
    const f = await seedProjectsOrganization(db.orm);
    const c = await as(f, who);
    const pid = f.projects.sandbox;
    const wid = f.workspaces.sandbox;
    const before = await projectsSnapshot(db.orm);

    for (const filter of ["all", "pinned_only", "exclude_pinned"] as const) {
      const all = await c.project.list({ filter, page: 1, page_size: 100 });
      expect(all.results.map((p) => p.id)).not.toContain(pid);
      const inThatSandbox = await c.project.list({ filter, page: 1, page_size: 100, workspace: wid });
      expect(inThatSandbox).toEqual({ count: 0, next: null, previous: null, results: [] });
      expect((await c.project.list({ filter, page: 1, page_size: 100, search: "Private" })).results).toEqual([]);
    }
    expect((await c.workspace.list()).map((w) => w.id)).not.toContain(wid);

    const calls: [string, () => Promise<unknown>][] = [
      ["project.get", () => c.project.get({ id: pid })],
      ["project.update", () => c.project.update({ id: pid, title: "Mine now" })],
      ["project.update (move out)", () => c.project.update({ id: pid, workspace: f.workspaces.in })],
      ["project.delete", () => c.project.delete({ id: pid })],
      ["project.pin", () => c.project.pin({ id: pid })],
      ["project.unpin", () => c.project.unpin({ id: pid })],
      ["project.members", () => c.project.members({ id: pid })],
      ["project.addMember", () => c.project.addMember({ id: pid, user_id: f.people.reviewer.userId })],
      ["project.removeMember", () => c.project.removeMember({ id: pid, user_id: f.people.colleague.userId })],
      ["project.access", () => c.project.access({ id: pid })],
      ["template.save", () => c.template.save({ title: "Stolen", project_id: pid })],
      ["project.create (into it)", () => c.project.create({ title: "Planted", workspace: wid })],
      ["project.update (move into it)", () => c.project.update({ id: f.projects.in, workspace: wid })],
      ["workspace.get", () => c.workspace.get({ id: wid })],
      ["workspace.update", () => c.workspace.update({ id: wid, title: "Mine now" })],
      ["workspace.delete", () => c.workspace.delete({ id: wid })],
      ["workspace.members", () => c.workspace.members({ id: wid })],
      ["workspace.memberCandidates", () => c.workspace.memberCandidates({ id: wid, limit: 20 })],
      ["workspace.addMember", () => c.workspace.addMember({ id: wid, user_id: f.people.reviewer.userId })],
      ["workspace.removeMember", () => c.workspace.removeMember({ id: wid, user_id: f.people.colleague.userId })],
    ];
    for (const [name, call] of calls) {
      const err = await refusal(call());
      // Not found, exactly as for an id that does not exist: nothing about the sandbox leaks.
      expect(`${name}: ${err.code} ${err.message}`).toMatch(new RegExp(`^${name.replace(/[()]/g, "\\$&")}: NOT_FOUND (Project|Workspace) not found\\.$`));
    }
    expect(await projectsSnapshot(db.orm)).toEqual(before);
  });

  it("its owner sees the sandbox and its project, and the access review names them alone", async () => {
    const f = await seedProjectsOrganization(db.orm);
    const c = await as(f, "colleague");
    expect((await c.project.list({ filter: "all", page: 1, page_size: 100 })).results.map((p) => p.id)).toContain(f.projects.sandbox);
    expect(await c.workspace.get({ id: f.workspaces.sandbox })).toMatchObject({ is_sandbox: true, project_count: 1 });
    const access = await c.project.access({ id: f.projects.sandbox });
    expect(access.results).toEqual([
      { user: expect.objectContaining({ id: f.people.colleague.userId }), role: "manager", can_manage: true, reasons: ["own_sandbox", "creator"] },
    ]);
  });

  it("is kept by the list for a member role too: a reviewer never sees a sandbox project, even as its project member", async () => {
    const f = await seedProjectsOrganization(db.orm);
    // Written behind the procedures' back (they refuse it): a membership in a sandbox project grants nothing.
    await sql(`insert into project_members (organization_id, project_id, user_id, direct, assigned, source, created_at) values (?, ?, ?, true, true, 'manual', now())`, [
      f.orgId,
      f.projects.sandbox,
      f.people.reviewer.userId,
    ]);
    const c = await as(f, "reviewer");
    expect((await c.project.list({ filter: "all", page: 1, page_size: 100 })).results.map((p) => p.id)).toEqual([f.projects.in]);
    expect((await refusal(c.project.get({ id: f.projects.sandbox }))).code).toBe("NOT_FOUND");
  });
});

describe("a sandbox cannot have members", () => {
  it.each(["owner", "administrator", "manager"] as const)("the %s cannot add members to their own sandbox or to a project in it", async (who) => {
    const f = await seedProjectsOrganization(db.orm);
    const c = await as(f, who);
    const own = f.sandboxOf[who];
    const p = await c.project.create({ title: "Draft" });
    expect(p.workspace).toBe(own);
    await refusedWithoutChange(() => c.workspace.addMember({ id: own, user_id: f.people.reviewer.userId }), "FORBIDDEN", /^A sandbox cannot have members\.$/);
    await refusedWithoutChange(() => c.workspace.memberCandidates({ id: own, limit: 20 }), "FORBIDDEN", /sandbox cannot have members/);
    await refusedWithoutChange(() => c.workspace.removeMember({ id: own, user_id: f.people.reviewer.userId }), "FORBIDDEN", /sandbox cannot have members/);
    await refusedWithoutChange(() => c.project.addMember({ id: p.id, user_id: f.people.reviewer.userId }), "FORBIDDEN", /sandbox cannot have members; move it to a workspace first/);
    await refusedWithoutChange(() => c.workspace.delete({ id: own }), "FORBIDDEN", /sandbox cannot be deleted/);
    expect(await c.workspace.members({ id: own })).toEqual([]);
    expect(await c.project.members({ id: p.id })).toEqual([]);
  });

  it("a project with members cannot move into a sandbox (422 naming the field), and stays where it was", async () => {
    const f = await seedProjectsOrganization(db.orm);
    const c = await as(f, "owner");
    const err = await refusedWithoutChange(
      () => c.project.update({ id: f.projects.in, workspace: f.sandboxOf.owner, title: "Moved" }),
      "UNPROCESSABLE_CONTENT",
      /has 3 members and a sandbox cannot have members/,
    );
    expect(err.cause).toMatchObject({ details: { field: "workspace" } });
    // Without members it may.
    const lonely = await c.project.create({ title: "Lonely", workspace: f.workspaces.in });
    expect(await c.project.update({ id: lonely.id, workspace: f.sandboxOf.owner })).toMatchObject({ workspace: f.sandboxOf.owner });
  });
});

describe("moving projects", () => {
  it("moves a project out of a sandbox to a real workspace, where the others then see it, with one activity-log row", async () => {
    const f = await seedProjectsOrganization(db.orm);
    const manager = await as(f, "manager");
    const draft = await manager.project.create({ title: "Draft", label_config: "<View/>" });
    expect(draft).toMatchObject({ workspace: f.sandboxOf.manager, workspace_title: "Sandbox" });
    const owner = await as(f, "owner");
    expect((await refusal(owner.project.get({ id: draft.id }))).code).toBe("NOT_FOUND");

    const logsBefore = (await activityLogs(db.orm)).length;
    const moved = await manager.project.update({ id: draft.id, workspace: f.workspaces.in });
    expect(moved).toMatchObject({ id: draft.id, workspace: f.workspaces.in, workspace_title: "In scope", workspace_color: "#2f9e44" });
    const logs = (await activityLogs(db.orm)).slice(logsBefore);
    expect(logs).toEqual([
      expect.objectContaining({ action: "project.move", target_id: String(draft.id), changes: { workspace: { before: f.sandboxOf.manager, after: f.workspaces.in } } }),
    ]);

    expect(await owner.project.get({ id: draft.id })).toMatchObject({ workspace: f.workspaces.in });
    expect((await owner.project.list({ filter: "all", page: 1, page_size: 10 })).results[0]).toMatchObject({ id: draft.id });
    // Now it can have members, and they see it.
    await manager.project.addMember({ id: draft.id, user_id: f.people.annotator.userId });
    const annotator = await as(f, "annotator");
    expect((await annotator.project.list({ filter: "all", page: 1, page_size: 10 })).results.map((p) => p.id)).toEqual([draft.id, f.projects.in]);
  });

  it("a failed move leaves the project where it was, unchanged, and writes no activity-log row", async () => {
    const f = await seedProjectsOrganization(db.orm);
    const other = await seedProjectsOrganization(db.orm);
    const manager = await as(f, "manager");
    const owner = await as(f, "owner");
    const reviewer = await as(f, "reviewer");
    const id = f.projects.in;
    // Out of the manager's scope: FORBIDDEN, the title change with it is not kept either.
    await refusedWithoutChange(() => manager.project.update({ id, workspace: f.workspaces.out, title: "Half" }), "FORBIDDEN", /manager/i);
    // Unknown, another organization's, another user's sandbox: NOT_FOUND.
    await refusedWithoutChange(() => owner.project.update({ id, workspace: 2_147_483_000, title: "Half" }), "NOT_FOUND", /^Workspace not found\.$/);
    await refusedWithoutChange(() => owner.project.update({ id, workspace: other.workspaces.in, title: "Half" }), "NOT_FOUND", /^Workspace not found\.$/);
    await refusedWithoutChange(() => owner.project.update({ id, workspace: f.sandboxOf.colleague, title: "Half" }), "NOT_FOUND");
    // No right to change projects at all, and bad input.
    await refusedWithoutChange(() => reviewer.project.update({ id, workspace: f.workspaces.out }), "FORBIDDEN");
    await refusedWithoutChange(() => owner.project.update({ id, workspace: f.workspaces.out, title: "x".repeat(51) }), "BAD_REQUEST");
    expect(await owner.project.get({ id })).toMatchObject({ workspace: f.workspaces.in, title: "Project in scope" });
  });

  it("a manager keeps the projects they created after leaving the workspace, and loses the others", async () => {
    const f = await seedProjectsOrganization(db.orm);
    const manager = await as(f, "manager");
    const mine = await manager.project.create({ title: "Mine", workspace: f.workspaces.in });
    await manager.workspace.removeMember({ id: f.workspaces.in, user_id: f.people.manager.userId });
    expect(await manager.project.update({ id: mine.id, title: "Still mine" })).toMatchObject({ title: "Still mine" });
    await refusedWithoutChange(() => manager.project.update({ id: f.projects.in, title: "Not mine" }), "FORBIDDEN");
    await refusedWithoutChange(() => manager.workspace.update({ id: f.workspaces.in, title: "Not mine" }), "FORBIDDEN");
    // Still sees everything outside others' sandboxes ("can view any project").
    expect(await manager.project.get({ id: f.projects.in })).toMatchObject({ id: f.projects.in });
  });
});

describe("deleting workspaces", () => {
  it("refuses a workspace that still holds projects with 409 and a clear message, and changes nothing", async () => {
    const f = await seedProjectsOrganization(db.orm);
    const c = await as(f, "owner");
    await refusedWithoutChange(
      () => c.workspace.delete({ id: f.workspaces.in }),
      "CONFLICT",
      /^The workspace still holds 1 project; delete them or move them to another workspace first\.$/,
    );
    const res = await http(f.people.owner.cookies, "workspace.delete", { id: f.workspaces.in }, "POST");
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ message: expect.stringContaining("still holds 1 project"), data: { code: "CONFLICT" } });
    expect(await c.workspace.members({ id: f.workspaces.in })).toHaveLength(2);

    // Once the project has moved out, it goes, with its memberships.
    await c.project.update({ id: f.projects.in, workspace: f.workspaces.out });
    expect(await c.workspace.delete({ id: f.workspaces.in })).toEqual({ ok: true });
    expect(await sql(`select 1 from workspace_members where workspace_id = ?`, [f.workspaces.in])).toEqual([]);
    expect((await refusal(c.workspace.get({ id: f.workspaces.in }))).code).toBe("NOT_FOUND");
  });
});

describe("bad input", () => {
  const id = 1;
  const CASES: { path: string; method: "GET" | "POST"; input: (f: ProjectsFixture) => unknown; field: string }[] = [
    { path: "workspace.create", method: "POST", input: () => ({ title: "" }), field: "title" },
    { path: "workspace.create", method: "POST", input: () => ({ title: "   " }), field: "title" },
    { path: "workspace.create", method: "POST", input: () => ({ title: "x".repeat(101) }), field: "title" },
    { path: "workspace.create", method: "POST", input: () => ({ title: "Ok", color: "blue" }), field: "color" },
    { path: "workspace.create", method: "POST", input: () => ({ title: "Ok", description: "d".repeat(5001) }), field: "description" },
    { path: "workspace.get", method: "GET", input: () => ({ id: "abc" }), field: "id" },
    { path: "workspace.get", method: "GET", input: () => ({ id: 0 }), field: "id" },
    { path: "workspace.update", method: "POST", input: (f) => ({ id: f.workspaces.in, color: "#12345" }), field: "color" },
    { path: "workspace.memberCandidates", method: "GET", input: (f) => ({ id: f.workspaces.in, limit: 0 }), field: "limit" },
    { path: "workspace.addMember", method: "POST", input: (f) => ({ id: f.workspaces.in, user_id: -1 }), field: "user_id" },
    { path: "workspace.removeMember", method: "POST", input: (f) => ({ id: f.workspaces.in }), field: "user_id" },
    { path: "project.list", method: "GET", input: () => ({ filter: "pinned" }), field: "filter" },
    { path: "project.list", method: "GET", input: () => ({ page: 0 }), field: "page" },
    { path: "project.list", method: "GET", input: () => ({ page_size: 101 }), field: "page_size" },
    { path: "project.list", method: "GET", input: () => ({ workspace: "x" }), field: "workspace" },
    { path: "project.list", method: "GET", input: () => ({ search: "s".repeat(201) }), field: "search" },
    { path: "project.create", method: "POST", input: () => ({ title: "" }), field: "title" },
    { path: "project.create", method: "POST", input: () => ({ title: "t".repeat(51) }), field: "title" },
    { path: "project.create", method: "POST", input: () => ({ title: "Ok", workspace: true }), field: "workspace" },
    { path: "project.create", method: "POST", input: () => ({ title: "Ok", settings: { colour: "red" } }), field: "settings" },
    { path: "project.create", method: "POST", input: () => ({ title: "Ok", settings: { annotators_may_view_own_data: "yes" } }), field: "settings.annotators_may_view_own_data" },
    { path: "project.create", method: "POST", input: () => ({ title: "Ok", template_id: 1.5 }), field: "template_id" },
    { path: "project.update", method: "POST", input: (f) => ({ id: f.projects.in, title: "" }), field: "title" },
    { path: "project.update", method: "POST", input: (f) => ({ id: f.projects.in, workspace: "1e3" }), field: "workspace" },
    { path: "project.delete", method: "POST", input: () => ({}), field: "id" },
    { path: "project.pin", method: "POST", input: () => ({ id: "1e3" }), field: "id" },
    { path: "project.addMember", method: "POST", input: (f) => ({ id: f.projects.in, user_id: "me" }), field: "user_id" },
    { path: "project.access", method: "GET", input: () => ({ id: [id] }), field: "id" },
    { path: "template.save", method: "POST", input: (f) => ({ title: "", project_id: f.projects.in }), field: "title" },
    { path: "template.save", method: "POST", input: () => ({ title: "Ok" }), field: "project_id" },
  ];

  it.each(CASES)("$path with bad $field: 400 naming the field, nothing written", async ({ path, method, input, field }) => {
    const f = await seedProjectsOrganization(db.orm);
    const before = await projectsSnapshot(db.orm);
    const res = await http(f.people.owner.cookies, path, input(f), method);
    expect(res.status).toBe(400);
    expect(res.body.error?.data).toMatchObject({ code: "BAD_REQUEST", field });
    const top = field.split(".")[0]!;
    expect(Object.keys(res.body.error?.data.zodError?.fieldErrors ?? {})).toContain(top);
    expect(res.body.error?.message).toContain(field);
    expect(await projectsSnapshot(db.orm)).toEqual(before);
  });

  it("names the field of a refusal about a person or a template, too", async () => {
    const f = await seedProjectsOrganization(db.orm);
    const stranger = await seedOrganization(db.orm, { someone: "annotator" });
    const c = await as(f, "owner");
    const notHere = await refusedWithoutChange(() => c.project.addMember({ id: f.projects.in, user_id: stranger.people.someone.userId }), "NOT_FOUND");
    expect(notHere.cause).toMatchObject({ details: { field: "user_id" } });
    const pending = await refusedWithoutChange(() => c.workspace.addMember({ id: f.workspaces.in, user_id: f.people.pending.userId }), "UNPROCESSABLE_CONTENT", /activate them first/);
    expect(pending.cause).toMatchObject({ details: { field: "user_id" } });
    const noTemplate = await refusedWithoutChange(() => c.project.create({ title: "From nothing", template_id: 2_147_483_000 }), "NOT_FOUND", /^Template not found\.$/);
    expect(noTemplate.cause).toMatchObject({ details: { field: "template_id" } });
    const res = await http(f.people.owner.cookies, "project.addMember", { id: f.projects.in, user_id: stranger.people.someone.userId }, "POST");
    expect(res).toMatchObject({ status: 404, body: { error: { data: { field: "user_id" } } } });
    const taken = await refusedWithoutChange(() => c.template.save({ title: "Seeded template", project_id: f.projects.in }), "CONFLICT", /already exists/);
    expect(taken.cause).toMatchObject({ details: { field: "title" } });
  });
});

describe("members of workspaces and projects", () => {
  it("adding twice is harmless: one membership, one activity-log row", async () => {
    const f = await seedProjectsOrganization(db.orm);
    const c = await as(f, "owner");
    const before = (await activityLogs(db.orm)).length;
    for (let i = 0; i < 2; i++) {
      await c.workspace.addMember({ id: f.workspaces.out, user_id: f.people.reviewer.userId });
      await c.project.addMember({ id: f.projects.out, user_id: f.people.annotator.userId });
    }
    expect((await activityLogs(db.orm)).length - before).toBe(2);
    expect((await c.workspace.members({ id: f.workspaces.out })).map((p) => p.id)).toContain(f.people.reviewer.userId);
    expect((await c.project.members({ id: f.projects.out })).filter((p) => p.id === f.people.annotator.userId)).toHaveLength(1);
    // Candidates exclude those already in.
    expect((await c.workspace.memberCandidates({ id: f.workspaces.out, limit: 100 })).map((p) => p.id)).not.toContain(f.people.reviewer.userId);
    expect((await c.workspace.memberCandidates({ id: f.workspaces.out, search: "colleag", limit: 100 })).map((p) => p.id)).toEqual([f.people.colleague.userId]);
  });

  it("a workspace member sees its projects (and their workspace's name and colour) but not the workspace itself", async () => {
    const f = await seedProjectsOrganization(db.orm);
    await (await as(f, "owner")).workspace.addMember({ id: f.workspaces.out, user_id: f.people.annotator.userId });
    const c = await as(f, "annotator");
    const list = await c.project.list({ filter: "all", page: 1, page_size: 10 });
    expect(list.results.map((p) => [p.id, p.workspace_title, p.workspace_color])).toEqual([
      [f.projects.out, "Out of scope", "#e8590c"],
      [f.projects.in, "In scope", "#2f9e44"],
    ]);
    expect((await refusal(c.workspace.get({ id: f.workspaces.out }))).code).toBe("NOT_FOUND");
    expect((await c.workspace.list()).map((w) => w.id)).toEqual([f.sandboxOf.annotator]);
  });

  it("anyone who manages a workspace may leave it; removing someone not in it is NOT_FOUND", async () => {
    const f = await seedProjectsOrganization(db.orm);
    const manager = await as(f, "manager");
    await refusedWithoutChange(() => manager.workspace.removeMember({ id: f.workspaces.out, user_id: f.people.manager.userId }), "NOT_FOUND", /not a member/);
    await refusedWithoutChange(() => manager.workspace.removeMember({ id: f.workspaces.in, user_id: f.people.colleague.userId }), "NOT_FOUND", /not a member/);
    expect(await manager.workspace.removeMember({ id: f.workspaces.in, user_id: f.people.manager.userId })).toEqual({ ok: true });
    expect((await manager.workspace.members({ id: f.workspaces.in })).map((p) => p.id)).toEqual([f.people.target.userId]);
  });

  it("removing a project member who also has task assignments keeps the membership through them", async () => {
    const f = await seedProjectsOrganization(db.orm);
    await sql(`update project_members set assigned = true where project_id = ? and user_id = ?`, [f.projects.in, f.people.annotator.userId]);
    const c = await as(f, "owner");
    await c.project.removeMember({ id: f.projects.in, user_id: f.people.annotator.userId });
    expect((await c.project.members({ id: f.projects.in })).find((m) => m.id === f.people.annotator.userId)).toMatchObject({ direct: false, assigned: true });
    const annotator = await as(f, "annotator");
    expect(await annotator.project.get({ id: f.projects.in })).toMatchObject({ id: f.projects.in });
    // A second removal finds no direct membership.
    await refusedWithoutChange(() => c.project.removeMember({ id: f.projects.in, user_id: f.people.annotator.userId }), "NOT_FOUND", /not a direct member/);
    const access = await c.project.access({ id: f.projects.in });
    expect(access.results.find((r) => r.user.id === f.people.annotator.userId)?.reasons).toEqual(["task_assignment"]);
  });
});

describe("templates", () => {
  it("saves a project's configuration as a template and creates a project from it", async () => {
    const f = await seedProjectsOrganization(db.orm);
    const c = await as(f, "manager");
    const source = await c.project.create({
      title: "Source",
      workspace: f.workspaces.in,
      label_config: "<View><Image name='i'/></View>",
      settings: { annotators_may_view_own_data: true },
    });
    const tpl = await c.template.save({ title: "Images", project_id: source.id, description: "for images" });
    expect(tpl).toMatchObject({
      title: "Images",
      description: "for images",
      label_config: "<View><Image name='i'/></View>",
      settings: { annotators_may_view_own_data: true, labeling_restricted_to_assigned: true },
    });
    expect((await c.template.list()).map((t) => t.title)).toEqual(["Images", "Seeded template"]);
    const copy = await c.project.create({ title: "Copy", template_id: tpl.id });
    expect(copy).toMatchObject({ label_config: "<View><Image name='i'/></View>", settings: { annotators_may_view_own_data: true }, workspace: f.sandboxOf.manager });
    const overridden = await c.project.create({ title: "Copy 2", template_id: tpl.id, label_config: "<View/>", settings: { annotators_may_view_own_data: false } });
    expect(overridden).toMatchObject({ label_config: "<View/>", settings: { annotators_may_view_own_data: false, labeling_restricted_to_assigned: true } });
  });
});

describe("other organizations", () => {
  it("their workspaces and projects are NOT_FOUND, for reading and for changing", async () => {
    const f = await seedProjectsOrganization(db.orm);
    const other = await seedProjectsOrganization(db.orm);
    const c: Caller = await as(other, "owner");
    for (const call of [
      () => c.project.get({ id: f.projects.in }),
      () => c.project.update({ id: f.projects.in, title: "Mine" }),
      () => c.project.pin({ id: f.projects.in }),
      () => c.project.members({ id: f.projects.in }),
      () => c.project.access({ id: f.projects.in }),
      () => c.project.delete({ id: f.projects.in }),
      () => c.template.save({ title: "Theirs", project_id: f.projects.in }),
      () => c.project.create({ title: "Planted", workspace: f.workspaces.in }),
      () => c.workspace.get({ id: f.workspaces.in }),
      () => c.workspace.delete({ id: f.workspaces.out }),
      () => c.workspace.addMember({ id: f.workspaces.in, user_id: other.people.reviewer.userId }),
    ]) {
      await refusedWithoutChange(call, "NOT_FOUND");
    }
    expect((await c.project.list({ filter: "all", page: 1, page_size: 100, workspace: f.workspaces.in })).count).toBe(0);
    expect((await c.template.list()).map((t) => t.id)).toEqual([other.templateId]);
  });
});
