import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "./root.js";
import { createContext } from "./context.js";
import { createTestDatabase, type TestDatabase } from "./testing/index.js";
import { isReady } from "./db/orm.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.close();
});

const request = { method: "GET", path: "/trpc/health", ip: "127.0.0.1" };

describe("health", () => {
  it("reports the database up and every migration applied", async () => {
    const caller = createCaller(await createContext({ orm: db.orm, request }));
    const res = await caller.health();
    expect(res).toMatchObject({ status: "ok", database: "up", migrations: "applied" });
    expect(Number.isNaN(Date.parse(res.time))).toBe(false);
  });

  it("reports pending migrations as not ready", async () => {
    const removed = await db.orm.em.getConnection().execute<{ name: string }[]>("delete from mikro_orm_migrations returning name");
    try {
      expect(await isReady(db.orm)).toBe(false);
      const caller = createCaller(await createContext({ orm: db.orm, request }));
      expect(await caller.health()).toMatchObject({ status: "degraded", migrations: "pending" });
    } finally {
      for (const { name } of removed) {
        await db.orm.em.getConnection().execute("insert into mikro_orm_migrations (name, executed_at) values (?, now())", [name]);
      }
    }
    expect(await isReady(db.orm)).toBe(true);
  });
});

describe("migrations", () => {
  it("match the entities (no schema change is missing a migration)", async () => {
    expect(await db.orm.getMigrator().checkMigrationNeeded()).toBe(false);
  });
});

describe("schema invariants", () => {
  async function seedOrg() {
    const conn = db.orm.em.getConnection();
    const [u1] = await conn.execute<{ id: number }[]>(
      `insert into users (email, created_at, updated_at) values (?, now(), now()) returning id`,
      [`a${Math.random()}@example.com`],
    );
    const [u2] = await conn.execute<{ id: number }[]>(
      `insert into users (email, created_at, updated_at) values (?, now(), now()) returning id`,
      [`b${Math.random()}@example.com`],
    );
    const [org] = await conn.execute<{ id: number }[]>(
      `insert into organizations (title, created_at, updated_at) values ('Acme', now(), now()) returning id`,
    );
    return { conn, u1: u1!.id, u2: u2!.id, org: org!.id };
  }

  it("refuses a second owner in one organization", async () => {
    const { conn, u1, u2, org } = await seedOrg();
    await conn.execute(
      `insert into memberships (organization_id, user_id, role, status, created_at, updated_at) values (?, ?, 'owner', 'active', now(), now())`,
      [org, u1],
    );
    await expect(
      conn.execute(
        `insert into memberships (organization_id, user_id, role, status, created_at, updated_at) values (?, ?, 'owner', 'active', now(), now())`,
        [org, u2],
      ),
    ).rejects.toThrow(/memberships_one_owner_per_organization/);
  });

  it("refuses an active member without a role and a pending member with one", async () => {
    const { conn, u1, u2, org } = await seedOrg();
    await expect(
      conn.execute(
        `insert into memberships (organization_id, user_id, role, status, created_at, updated_at) values (?, ?, null, 'active', now(), now())`,
        [org, u1],
      ),
    ).rejects.toThrow(/memberships_active_has_role/);
    await expect(
      conn.execute(
        `insert into memberships (organization_id, user_id, role, status, created_at, updated_at) values (?, ?, 'manager', 'pending', now(), now())`,
        [org, u2],
      ),
    ).rejects.toThrow(/memberships_pending_has_no_role/);
  });
});
