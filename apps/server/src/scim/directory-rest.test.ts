// The REST face of directory sync administration (API.md, "Directory sync").
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeQueueClients } from "@lattice/api";
import { createTestDatabase, seedOrganization, type TestDatabase } from "@lattice/api/testing";
import { buildServer } from "../app.js";
import { request } from "../testing/http.js";

let db: TestDatabase;
let app: FastifyInstance;
beforeAll(async () => {
  db = await createTestDatabase();
  app = await buildServer({ orm: db.orm, logger: { level: "error" } });
});
afterAll(async () => {
  await app?.close();
  await closeQueueClients();
  await db?.close();
});

describe("directory sync over REST", () => {
  it("SCIM token, settings, LDAP settings (password write-only), a dry-run sync and its run", async () => {
    const org = await seedOrganization(db.orm, { owner: "owner", manager: "manager" });
    const auth = { token: org.people.owner.token };
    const base = `/api/organizations/${org.orgId}`;
    const tok = await request(app, "POST", `${base}/scim/token`, { auth });
    expect(tok.status, tok.text).toBe(200);
    expect(tok.body.token).toMatch(/^scim_/);
    const settings = await request(app, "GET", `${base}/directory/settings`, { auth });
    expect(settings.body).toMatchObject({ authoritative_roles: false, guard_threshold: 0.1, mappings: { roles: [], workspaces: [], projects: [] } });
    const put = await request(app, "PUT", `${base}/directory/settings`, { auth, body: { authoritative_roles: true, mappings: { roles: [{ group: "Admins", role: "administrator" }], workspaces: [], projects: [] } } });
    expect(put.status, put.text).toBe(200);
    expect(put.body.authoritative_roles).toBe(true);
    const owner = await request(app, "PUT", `${base}/directory/settings`, { auth, body: { mappings: { roles: [{ group: "Admins", role: "owner" }], workspaces: [], projects: [] } } });
    expect(owner.status).toBe(400);
    const ldap = await request(app, "PUT", `${base}/ldap`, {
      auth,
      body: { url: "ldap://127.0.0.1:1", bind_dn: "cn=admin,dc=example,dc=com", bind_password: "s3cret-bind", user_base: "ou=people,dc=example,dc=com", group_base: "ou=groups,dc=example,dc=com" },
    });
    expect(ldap.status, ldap.text).toBe(200);
    expect(ldap.body).toMatchObject({ has_bind_password: true, membership_attr: "member", page_size: 500 });
    expect(ldap.text).not.toContain("s3cret-bind");
    const got = await request(app, "GET", `${base}/ldap`, { auth });
    expect(got.text).not.toContain("s3cret-bind");
    const test = await request(app, "POST", `${base}/ldap/test`, { auth });
    expect(test.status).toBe(200);
    expect(test.body.ok).toBe(false);
    expect(test.body.error).toMatch(/ECONNREFUSED|connect/i);
    // API.md's form: the option in the query string of the POST.
    const sync = await request(app, "POST", `${base}/ldap/sync?dry_run=true`, { auth });
    expect(sync.status, sync.text).toBe(200);
    const run = await request(app, "GET", `${base}/sync-runs/${sync.body.run_id}`, { auth });
    expect(run.body).toMatchObject({ id: sync.body.run_id, dry_run: true, source: "ldap", status: "running", trigger: "manual" });
    const runs = await request(app, "GET", `${base}/sync-runs`, { auth });
    expect(runs.body.count).toBe(1);
    // Managers may not.
    const forbidden = await request(app, "GET", `${base}/directory/settings`, { auth: { token: org.people.manager.token } });
    expect(forbidden.status).toBe(403);
  });

  it("SCIM changes queue one debounced reconcile job per organization", async () => {
    const org = await seedOrganization(db.orm, { owner: "owner" });
    const tok = await request(app, "POST", `/api/organizations/${org.orgId}/scim/token`, { auth: { token: org.people.owner.token } });
    const scim = { authorization: `Bearer ${tok.body.token}`, "content-type": "application/scim+json" };
    for (let i = 0; i < 5; i++) {
      const res = await app.inject({ method: "POST", url: "/scim/v2/Users", headers: scim, payload: JSON.stringify({ userName: `q${i}@queue.test` }) });
      expect(res.statusCode).toBe(201);
    }
    const jobs = await db.orm.em.fork().execute<{ data: { organizationId: number; source: string } }[]>(
      `select data from pgboss.job where name = 'directory.reconcile' and (data->>'organizationId')::int = ?`,
      [org.orgId],
    );
    // One per 5-second slot: five requests in a burst queue one job (two if the burst straddles a slot).
    expect(jobs.length).toBeGreaterThanOrEqual(1);
    expect(jobs.length).toBeLessThanOrEqual(2);
    expect(jobs[0]!.data).toMatchObject({ organizationId: org.orgId, source: "scim" });
  });
});
