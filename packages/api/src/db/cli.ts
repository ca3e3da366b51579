// Developer commands for migrations:
//   pnpm --filter @lattice/api migration:create   diff entities against the snapshot, write a migration
//   pnpm --filter @lattice/api migration:check    fail if the entities and the migrations differ
import { fileURLToPath } from "node:url";
import path from "node:path";
import { startEmbeddedPostgres, freePort } from "@lattice/devdb";
import { openOrm, migrate } from "./orm.js";

const cmd = process.argv[2];
const here = path.dirname(fileURLToPath(import.meta.url));
const pgServer = process.env.DATABASE_URL
  ? null
  : await startEmbeddedPostgres({
      dataDir: path.join(here, "../../../../.lattice/pg-migrations"),
      port: await freePort(),
      database: "lattice_migrations",
      ephemeral: true,
      fast: true,
    });
const url = process.env.DATABASE_URL ?? pgServer!.url;
const orm = await openOrm({ databaseUrl: url });
try {
  await migrate(orm);
  const migrator = orm.getMigrator();
  if (cmd === "create") {
    const res = await migrator.createMigration(undefined, false, false);
    console.log(res.fileName ? `wrote ${res.fileName}; add it to migrations/index.ts` : "no changes");
  } else if (cmd === "check") {
    const needed = await migrator.checkMigrationNeeded();
    if (needed) {
      console.error("entities differ from the migrations: run migration:create");
      process.exitCode = 1;
    } else console.log("migrations match the entities");
  } else {
    console.error("usage: cli.ts create|check");
    process.exitCode = 2;
  }
} finally {
  await orm.close();
  await pgServer?.stop();
}
