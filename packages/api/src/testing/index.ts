// Test helpers: a private database per test file, cloned from the migrated template.
import { inject } from "vitest";
import { cloneDatabase } from "@lattice/devdb";
import { openOrm, type Orm } from "../db/orm.js";

declare module "vitest" {
  export interface ProvidedContext {
    latticeDatabaseUrl: string;
    latticeTemplate: string;
  }
}

export interface TestDatabase {
  url: string;
  orm: Orm;
  close(): Promise<void>;
}

/** A fresh, migrated database of this test file's own. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const base = inject("latticeDatabaseUrl");
  const template = inject("latticeTemplate");
  const url = await cloneDatabase(base, template, template.replace(/_tpl$/, ""));
  const orm = await openOrm({ databaseUrl: url, poolMax: 5 });
  return {
    url,
    orm,
    close: () => orm.close(true),
  };
}
