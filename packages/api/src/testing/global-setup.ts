// Vitest global setup shared by every package whose tests touch PostgreSQL.
// Uses DATABASE_URL when set (CI's real server, or the cluster `pnpm test` starts);
// otherwise starts a throwaway embedded PostgreSQL. Either way it builds one migrated
// template database per run, and each test file clones it (see createTestDatabase).
import path from "node:path";
import { dropDatabases, ensureDatabase, freePort, removeStaleDataDirs, startEmbeddedPostgres, withDatabase } from "@lattice/devdb";
import type { TestProject } from "vitest/node";
import { openOrm, migrate } from "../db/orm.js";
import type {} from "./index.js";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let server: Awaited<ReturnType<typeof startEmbeddedPostgres>> | null = null;
  let baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) {
    const root = path.resolve(import.meta.dirname, "../../../..");
    await removeStaleDataDirs(path.join(root, ".lattice"), "test");
    server = await startEmbeddedPostgres({
      dataDir: path.join(root, ".lattice", `test-${process.pid}-${Date.now()}`),
      port: await freePort(),
      ephemeral: true,
      fast: true,
    });
    baseUrl = server.url;
  }
  const prefix = `lt_${process.pid}_${Math.random().toString(36).slice(2, 7)}`;
  const template = `${prefix}_tpl`;
  await ensureDatabase(withDatabase(baseUrl, "postgres"), template);
  const orm = await openOrm({ databaseUrl: withDatabase(baseUrl, template), poolMax: 2 });
  try {
    await migrate(orm);
  } finally {
    await orm.close(true);
  }
  project.provide("latticeDatabaseUrl", baseUrl);
  project.provide("latticeTemplate", template);
  return async () => {
    await dropDatabases(baseUrl, prefix);
    await server?.stop();
  };
}
