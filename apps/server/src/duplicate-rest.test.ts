// POST /api/projects/{id}/duplicate answers 202 with the job id; GET /api/jobs/{id} follows it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { closeQueueClients } from "@lattice/api";
import { createTestDatabase, type TestDatabase } from "@lattice/api/testing";
import { buildServer } from "./app.js";
import { request, signup } from "./testing/http.js";

let db: TestDatabase;
let app: FastifyInstance;
beforeAll(async () => {
  db = await createTestDatabase();
  app = await buildServer({ orm: db.orm });
});
afterAll(async () => {
  await app.close();
  await closeQueueClients();
  await db.close();
});

describe("duplication over REST", () => {
  it("accepts the request with 202 {job_id} and shows the queued job to its requester", async () => {
    const owner = await signup(app, "dup.owner@example.com");
    const project = await request(app, "POST", "/api/projects/", { auth: owner.auth, body: { title: "Source" } });
    expect(project.status).toBe(200);
    const res = await request(app, "POST", `/api/projects/${project.body.id}/duplicate`, {
      auth: owner.auth,
      body: { mode: "settings", title: "Copy of source" },
    });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ job_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const job = await request(app, "GET", `/api/jobs/${res.body.job_id}`, { auth: owner.auth });
    expect(job.status).toBe(200);
    expect(job.body.status).toBe("queued");
    const bad = await request(app, "POST", `/api/projects/${project.body.id}/duplicate`, { auth: owner.auth, body: { mode: "everything", title: "x" } });
    expect(bad.status).toBe(400);
  });
});
