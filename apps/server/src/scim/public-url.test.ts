// SCIM resource locations name the app's public URL (LATTICE_PUBLIC_URL) behind a proxy, not
// whatever Host header reached the server.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "@lattice/api";
import { callerFor, createTestDatabase, seedOrganization, type TestDatabase } from "@lattice/api/testing";
import { buildServer } from "../app.js";

let db: TestDatabase;
let app: FastifyInstance;
beforeAll(async () => {
  db = await createTestDatabase();
  app = await buildServer({
    orm: db.orm,
    logger: { level: "error" },
    config: { ...loadConfig(), LATTICE_PUBLIC_URL: "https://lattice.example.com/" },
    scimOnChange: async () => undefined,
  });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

it("answers a created user's Location under LATTICE_PUBLIC_URL, whatever the Host header", async () => {
  const org = await seedOrganization(db.orm, { owner: "owner" });
  const caller = await callerFor(db.orm, { cookies: org.people.owner.cookies });
  const { token } = await caller.directory.scimToken({ id: org.orgId });
  const res = await app.inject({
    method: "POST",
    url: "/scim/v2/Users",
    headers: { authorization: `Bearer ${token}`, host: "internal-node-7:3000", "content-type": "application/scim+json" },
    payload: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "pat@example.com", emails: [{ value: "pat@example.com", primary: true }] }),
  });
  expect(res.statusCode).toBe(201);
  const body = res.json() as { id: string };
  expect(res.headers.location).toBe(`https://lattice.example.com/scim/v2/Users/${body.id}`);
});
