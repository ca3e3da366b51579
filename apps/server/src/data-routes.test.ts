// The streaming data routes over HTTP, mounted on the real server beside /trpc and /api.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { createTestDatabase, seedProject, type ProjectFixture, type TestDatabase } from "@lattice/api/testing";
import { SESSION_COOKIE } from "@lattice/api";
import { buildServer } from "./app.js";

let db: TestDatabase;
let app: FastifyInstance;
let f: ProjectFixture;
const ORIGIN = "http://localhost:80";

beforeAll(async () => {
  db = await createTestDatabase();
  // buildServer mounts the data routes itself, behind the same Origin check as the rest.
  app = await buildServer({ orm: db.orm });
  f = await seedProject(db.orm);
});
afterAll(async () => {
  await app.close();
  await db.close();
});

function cookieOf(who: keyof ProjectFixture["org"]["people"]): string {
  return `${SESSION_COOKIE}=${f.org.people[who].cookies.get(SESSION_COOKIE)}`;
}

async function taskCount(projectId: number): Promise<number> {
  const [row] = await db.orm.em.fork().execute<{ n: string }[]>(`select count(*) as n from tasks where project_id = ?`, [projectId]);
  return Number(row!.n);
}

describe("POST /api/projects/{id}/import", () => {
  it("imports a JSON array with the session cookie from the app's origin, answering 201 with the counts", async () => {
    const before = await taskCount(f.projectId);
    const res = await app.inject({
      method: "POST",
      url: `/api/projects/${f.projectId}/import`,
      headers: { cookie: cookieOf("manager"), origin: ORIGIN, "content-type": "application/json" },
      payload: JSON.stringify([{ data: { text: "x" }, annotations: [{ result: { a: 1 } }] }, { data: { text: "y" } }]),
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ task_count: 2, annotation_count: 1 });
    expect(await taskCount(f.projectId)).toBe(before + 2);
  });

  it("imports CSV, chosen by Content-Type or ?format=csv, with an API token", async () => {
    const before = await taskCount(f.projectId);
    const byType = await app.inject({
      method: "POST",
      url: `/api/projects/${f.projectId}/import`,
      headers: { authorization: `Token ${f.org.people.administrator.token}`, "content-type": "text/csv" },
      payload: "text,url\nhello,http://x\n",
    });
    expect(byType.statusCode).toBe(201);
    const byQuery = await app.inject({
      method: "POST",
      url: `/api/projects/${f.projectId}/import?format=csv`,
      headers: { authorization: `Bearer ${f.org.people.owner.token}`, "content-type": "application/octet-stream" },
      payload: "text\na\nb\n",
    });
    expect(byQuery.statusCode).toBe(201);
    expect(byQuery.json()).toEqual({ task_count: 2, annotation_count: 0 });
    // No Content-Type at all: JSON.
    const untyped = await app.inject({ method: "POST", url: `/api/projects/${f.projectId}/import`, headers: { authorization: `Token ${f.org.people.owner.token}` }, payload: Buffer.from('[{"data":{"text":"z"}}]') });
    expect(untyped.statusCode).toBe(201);
    expect(await taskCount(f.projectId)).toBe(before + 4);
  });

  it("refuses with the REST error shape: 401 signed out, 403 for an annotator, 404 for an unseen project, 400 naming the bad row", async () => {
    const payload = JSON.stringify([{ data: {} }]);
    const url = `/api/projects/${f.projectId}/import`;
    const out = await app.inject({ method: "POST", url, payload, headers: { "content-type": "application/json" } });
    expect(out.statusCode).toBe(401);
    expect(out.json()).toMatchObject({ code: "UNAUTHORIZED" });
    const annotator = await app.inject({ method: "POST", url, payload, headers: { cookie: cookieOf("annotator"), origin: ORIGIN, "content-type": "application/json" } });
    expect(annotator.statusCode).toBe(403);
    expect(annotator.json()).toEqual({ code: "FORBIDDEN", message: "Annotators cannot import data." });
    const outsider = await app.inject({ method: "POST", url, payload, headers: { cookie: cookieOf("outsider"), origin: ORIGIN, "content-type": "application/json" } });
    expect(outsider.statusCode).toBe(403);
    const missing = await app.inject({ method: "POST", url: "/api/projects/999999/import", payload, headers: { cookie: cookieOf("owner"), origin: ORIGIN } });
    expect(missing.statusCode).toBe(404);
    const badId = await app.inject({ method: "POST", url: "/api/projects/abc/import", payload, headers: { cookie: cookieOf("owner"), origin: ORIGIN } });
    expect(badId.statusCode).toBe(400);
    expect(badId.json()).toMatchObject({ code: "BAD_REQUEST", issues: [expect.objectContaining({ path: ["id"] })] });

    const before = await taskCount(f.projectId);
    const bad = await app.inject({
      method: "POST",
      url,
      headers: { cookie: cookieOf("owner"), origin: ORIGIN, "content-type": "application/json" },
      payload: JSON.stringify([{ data: {} }, { data: {} }, { data: [] }]),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("Task 3 (array index 2)"), issues: [{ path: ["2.data"] }] });
    expect(await taskCount(f.projectId)).toBe(before);
  });

  it("refuses a cookie-authenticated import from another origin (the server's CSRF rule applies)", async () => {
    const res = await app.inject({
      method: "POST",
      url: `/api/projects/${f.projectId}/import`,
      headers: { cookie: cookieOf("owner"), origin: "http://evil.example", "content-type": "application/json" },
      payload: "[]",
    });
    expect(res.statusCode).toBe(403);
  });
});

describe("GET /api/projects/{id}/export", () => {
  it("streams JSON and CSV as attachments that import back", async () => {
    const json = await app.inject({ url: `/api/projects/${f.projectId}/export?format=JSON`, headers: { cookie: cookieOf("manager") } });
    expect(json.statusCode).toBe(200);
    expect(json.headers["content-type"]).toMatch(/^application\/json/);
    expect(json.headers["content-disposition"]).toMatch(/^attachment; filename="project-\d+-tasks-.*\.json"$/);
    const tasks = json.json() as { data: unknown }[];
    expect(tasks).toHaveLength(await taskCount(f.projectId));

    const csv = await app.inject({ url: `/api/projects/${f.projectId}/export?format=csv`, headers: { authorization: `Token ${f.org.people.owner.token}` } });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["content-type"]).toMatch(/^text\/csv/);
    expect(csv.body.split("\r\n")[0]).toBe("id,text,url,annotations");

    const [p2] = await db.orm.em.fork().execute<{ id: number }[]>(
      `insert into projects (organization_id, workspace_id, title, settings, created_by_id, task_count, created_at, updated_at)
       values (?, ?, 'Copy', '{}'::jsonb, ?, 0, now(), now()) returning id`,
      [f.org.orgId, f.workspaceId, f.org.people.owner.userId],
    );
    const back = await app.inject({
      method: "POST",
      url: `/api/projects/${p2!.id}/import`,
      headers: { authorization: `Token ${f.org.people.owner.token}`, "content-type": "application/json" },
      payload: json.body,
    });
    expect(back.statusCode).toBe(201);
    expect(back.json()).toMatchObject({ task_count: tasks.length });
  });

  it("refuses those who may not export, and an unknown format", async () => {
    const reviewer = await app.inject({ url: `/api/projects/${f.projectId}/export`, headers: { cookie: cookieOf("reviewer") } });
    expect(reviewer.statusCode).toBe(403);
    const stranger = await app.inject({ url: `/api/projects/${f.projectId}/export`, headers: { authorization: `Token ${f.org.people.stranger.token}` } });
    expect(stranger.statusCode).toBe(403);
    const xml = await app.inject({ url: `/api/projects/${f.projectId}/export?format=XML`, headers: { cookie: cookieOf("owner") } });
    expect(xml.statusCode).toBe(400);
    expect(xml.json()).toMatchObject({ code: "BAD_REQUEST", issues: [expect.objectContaining({ path: ["format"] })] });
  });
});

describe("the REST face of the task, dashboard and activity procedures", () => {
  it("serves them at the paths of API.md, with snake_case fields", async () => {
    const auth = { authorization: `Token ${f.org.people.owner.token}` };
    const tasks = await app.inject({ url: `/api/projects/${f.projectId}/tasks?page=1&page_size=2`, headers: auth });
    expect(tasks.statusCode).toBe(200);
    expect(tasks.json()).toMatchObject({ next: expect.stringContaining("page=2"), results: [{ id: f.taskIds[0], assigned_to_me: { annotate: true } }, {}] });

    const assign = await app.inject({
      method: "POST",
      url: `/api/projects/${f.projectId}/assignments`,
      headers: auth,
      payload: { task_ids: [f.taskIds[1]], user_ids: [f.org.people.annotator.userId], kind: "annotate" },
    });
    expect(assign.statusCode).toBe(200);
    expect(assign.json()).toEqual({ created: 1, project_members_added: 0 });

    const annotator = { authorization: `Token ${f.org.people.manager.token}` };
    const ann = await app.inject({ method: "POST", url: `/api/tasks/${f.taskIds[0]}/annotations`, headers: annotator, payload: { result: [{ value: 1 }] } });
    expect(ann.statusCode).toBe(200);
    const noResult = await app.inject({ method: "POST", url: `/api/tasks/${f.taskIds[0]}/annotations`, headers: annotator, payload: {} });
    expect(noResult.statusCode).toBe(400);
    expect(noResult.json()).toMatchObject({ code: "BAD_REQUEST", issues: [expect.objectContaining({ path: ["result"] })] });

    const review = await app.inject({ method: "POST", url: `/api/annotations/${ann.json().id}/review`, headers: auth, payload: { accepted: true } });
    expect(review.statusCode).toBe(200);
    expect(review.json()).toMatchObject({ review_state: "accepted", reviewed_by: f.org.people.owner.userId });

    const summary = await app.inject({ url: `/api/dashboards/summary?scope=project&id=${f.projectId}`, headers: auth });
    expect(summary.statusCode).toBe(200);
    expect(summary.json()).toMatchObject({ scope: "project", id: f.projectId, accepted: 1 });
    const badScope = await app.inject({ url: `/api/dashboards/summary?scope=galaxy`, headers: auth });
    expect(badScope.statusCode).toBe(400);

    const logs = await app.inject({ url: `/api/activity-logs/?project=${f.projectId}&method=POST&page_size=5`, headers: auth });
    expect(logs.statusCode).toBe(200);
    expect(logs.json().results[0]).toMatchObject({ action: "annotation.verify", user: { id: f.org.people.owner.userId } });
    const forbidden = await app.inject({ url: `/api/activity-logs/`, headers: { authorization: `Token ${f.org.people.manager.token}` } });
    expect(forbidden.statusCode).toBe(403);

    const del = await app.inject({ method: "DELETE", url: `/api/projects/${f.projectId}/tasks?task_ids=${f.taskIds[2]}`, headers: auth });
    expect(del.statusCode).toBe(200);
    expect(del.json()).toEqual({ deleted: 1 });

    const doc = await app.inject({ url: "/api/openapi.json" });
    const paths = Object.keys(doc.json().paths as Record<string, unknown>);
    expect(paths).toEqual(expect.arrayContaining(["/projects/{id}/tasks", "/projects/{id}/assignments", "/tasks/{id}/annotations", "/annotations/{id}/review", "/dashboards/summary", "/activity-logs"]));
  });
});
