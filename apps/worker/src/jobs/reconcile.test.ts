// The "directory.reconcile" handler: a SCIM sync requested through the API (dry run, then for
// real) is queued in pg-boss and run by the handler, which records the run's plan and counts.
import { randomUUID } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeQueueClients, queues } from "@lattice/api";
import { callerFor, createTestDatabase, seedOrganization, type TestDatabase } from "@lattice/api/testing";
import { reconcileDirectory } from "./reconcile.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await closeQueueClients();
  await db?.close();
});

describe("directory.reconcile", () => {
  it("runs a queued SCIM dry run, then a real run", async () => {
    const org = await seedOrganization(db.orm, { owner: "owner" });
    const caller = await callerFor(db.orm, { cookies: org.people.owner.cookies });
    await caller.directory.updateSettings({ id: org.orgId, mappings: { roles: [{ group: "team", role: "reviewer" }], workspaces: [], projects: [] } });
    const em = db.orm.em.fork();
    const uid = randomUUID();
    const gid = randomUUID();
    await em.execute(`insert into directory_users (id, organization_id, source, user_name, user_name_key, email, active, created_at, updated_at) values (?, ?, 'scim', 'r@w.test', 'r@w.test', 'r@w.test', true, now(), now())`, [uid, org.orgId]);
    await em.execute(`insert into directory_groups (id, organization_id, source, display_name, created_at, updated_at) values (?, ?, 'scim', 'team', now(), now())`, [gid, org.orgId]);
    await em.execute(`insert into directory_group_members (organization_id, group_id, user_id) values (?, ?, ?)`, [org.orgId, gid, uid]);
    const log = pino({ level: "silent" });
    for (const dry of [true, false]) {
      const { run_id } = await caller.directory.syncScim({ id: org.orgId, dry_run: dry });
      const [job] = await em.execute<{ id: string; data: unknown }[]>(`select id, data from pgboss.job where name = 'directory.reconcile' and data->>'runId' = ?`, [run_id]);
      expect(job).toBeDefined();
      const out = await reconcileDirectory(queues["directory.reconcile"].parse(job!.data), { jobId: job!.id, orm: db.orm, log });
      expect(out.status).toBe(dry ? "planned" : "applied");
      const run = await caller.directory.run({ id: org.orgId, run_id });
      // The administrator who asked is recorded, though the worker ran it.
      expect(run).toMatchObject({ status: dry ? "planned" : "applied", dry_run: dry, source: "scim", requested_by: { id: org.people.owner.userId, email: org.people.owner.email } });
      expect(run.counts).toMatchObject({ create: 1, activate: 1 });
      const [m] = await em.execute<{ role: string }[]>(`select m.role from memberships m join users u on u.id = m.user_id where m.organization_id = ? and u.email = 'r@w.test'`, [org.orgId]);
      expect(m?.role).toBe(dry ? undefined : "reviewer");
    }
  });
});
