// Sending jobs from the server: one pg-boss client per process and database, created on first
// use from the ORM's connection URL, and jobs queued inside the request's own transaction.
//
// Why inside the transaction (pg-boss's `db` option) rather than after commit: the job exists
// in pg-boss exactly when the request's `jobs` row and activity-log row commit. A rollback
// (a refusal after the send, a lost connection, a failed commit) leaves no job behind, and a
// commit never leaves a `jobs` row without its job, so nothing has to sweep for rows that were
// recorded but never queued. Until the commit, no worker can see the job either, so a worker
// always finds the row it is about.
import type { EntityManager, Knex } from "@mikro-orm/postgresql";
import type PgBoss from "pg-boss";
import { createQueueClient, enqueue, startQueues, type JobPayload, type QueueName } from "./index.js";

const clients = new Map<string, Promise<PgBoss>>();

/**
 * This process's client for sending to the queues of `databaseUrl`: created and started on
 * first use (which installs pg-boss's schema and the queues if needed), then reused.
 */
export function queueClientFor(databaseUrl: string): Promise<PgBoss> {
  let client = clients.get(databaseUrl);
  if (!client) {
    client = (async () => {
      // Sends run on the caller's transaction; this pool only starts pg-boss and creates queues.
      const boss = createQueueClient({ databaseUrl, max: 1, supervise: false });
      boss.on("error", (err) => console.error(`lattice: job queue client error: ${err.message}`));
      await startQueues(boss);
      return boss;
    })();
    clients.set(databaseUrl, client);
    client.catch(() => clients.delete(databaseUrl));
  }
  return client;
}

/** Stop every client `queueClientFor` made in this process (on shutdown, and after tests). */
export async function closeQueueClients(): Promise<void> {
  const all = [...clients.values()];
  clients.clear();
  await Promise.allSettled(all.map(async (c) => (await c).stop({ graceful: false, wait: true })));
}

/**
 * Queue a job on the connection of `em`'s open transaction: it is queued when that transaction
 * commits, and never if it rolls back. Returns the job id.
 */
export async function enqueueInTransaction<Q extends QueueName>(
  em: EntityManager,
  name: Q,
  payload: JobPayload<Q>,
  options: Omit<PgBoss.SendOptions, "db"> = {},
): Promise<string> {
  const trx = em.getTransactionContext<Knex.Transaction>();
  if (!trx) throw new Error("enqueueInTransaction needs an open transaction (em.transactional)");
  const boss = await queueClientFor(em.config.get("clientUrl")!);
  // The transaction's own pg client (knex keeps one connection per transaction).
  const connection = (await trx.client.acquireConnection()) as { query(text: string, values: unknown[]): Promise<{ rows: unknown[] }> };
  const db: PgBoss.Db = { executeSql: (text, values) => connection.query(text, values) };
  return enqueue(boss, name, payload, { ...options, db });
}
