// Every migration, in order. Listed explicitly so that vitest, tsx and the compiled
// server all run the same set without file discovery (TOOLCHAIN.md).
import type { MigrationObject } from "@mikro-orm/core";
import { Migration20261128064328 } from "./Migration20261128064328.js";
import { Migration20261128070042 } from "./Migration20261128070042.js";
import { Migration20261128070857 } from "./Migration20261128070857.js";
import { Migration20261128075810 } from "./Migration20261128075810.js";
import { Migration20261128092846 } from "./Migration20261128092846.js";

export const migrationsList: MigrationObject[] = [
  { name: "Migration20261128064328", class: Migration20261128064328 },
  { name: "Migration20261128070042", class: Migration20261128070042 },
  { name: "Migration20261128070857", class: Migration20261128070857 },
  { name: "Migration20261128075810", class: Migration20261128075810 },
  { name: "Migration20261128092846", class: Migration20261128092846 },
];
