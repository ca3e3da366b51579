import { defineConfig, type Options } from "@mikro-orm/postgresql";
import { Migrator } from "@mikro-orm/migrations";
import { entities } from "./entities.js";
import { migrationsList } from "./migrations/index.js";

export interface OrmConfigOptions {
  databaseUrl: string;
  /** Connection pool size per process. */
  poolMax?: number;
  debug?: boolean;
}

/** MikroORM configuration for one process. Migrations are listed, not discovered, so the
 * same config works from TS sources (tsx, vitest) and from the compiled dist. */
export function ormConfig(opts: OrmConfigOptions): Options {
  return defineConfig({
    clientUrl: opts.databaseUrl,
    entities,
    extensions: [Migrator],
    debug: opts.debug ?? false,
    pool: { min: 0, max: opts.poolMax ?? 10 },
    forceUtcTimezone: true,
    allowGlobalContext: false,
    discovery: { warnWhenNoEntities: true },
    migrations: {
      tableName: "mikro_orm_migrations",
      path: new URL("./migrations", import.meta.url).pathname,
      pathTs: new URL("./migrations", import.meta.url).pathname,
      snapshotName: ".snapshot-lattice",
      emit: "ts",
      transactional: true,
      silent: true,
      allOrNothing: true,
      migrationsList,
    },
  });
}
