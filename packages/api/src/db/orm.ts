import { MikroORM } from "@mikro-orm/postgresql";
import { ormConfig, type OrmConfigOptions } from "./config.js";

export type Orm = MikroORM;

/** Connect to PostgreSQL. Fails with the driver's error if the server is unreachable. */
export async function openOrm(opts: OrmConfigOptions): Promise<Orm> {
  return MikroORM.init(ormConfig(opts));
}

/** Apply every pending migration (idempotent; safe with several processes starting at once). */
export async function migrate(orm: Orm): Promise<string[]> {
  const conn = orm.em.getConnection();
  // Serialise concurrent starts of several servers/workers on one database.
  await conn.execute("select pg_advisory_lock(7242001)");
  try {
    const applied = await orm.getMigrator().up();
    return applied.map((m) => m.name);
  } finally {
    await conn.execute("select pg_advisory_unlock(7242001)");
  }
}

/** True when the database answers and no migration is pending. */
export async function isReady(orm: Orm): Promise<boolean> {
  try {
    await orm.em.getConnection().execute("select 1");
    const pending = await orm.getMigrator().getPendingMigrations();
    return pending.length === 0;
  } catch {
    return false;
  }
}
