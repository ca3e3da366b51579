// The job queue: pg-boss in its own schema of the Lattice database. The server enqueues,
// apps/worker processes; every queue name and payload is declared here, once.
import PgBoss from "pg-boss";
import { z } from "zod";

export const JOB_SCHEMA = "pgboss";

/** Queue name → payload schema. The worker registers a handler for each. */
export const queues = {
  /** Diagnostic round trip: proves a worker is attached to this database and processing. */
  "system.ping": z.object({ message: z.string().max(200) }),
} as const;

export type QueueName = keyof typeof queues;
export type JobPayload<Q extends QueueName> = z.infer<(typeof queues)[Q]>;

export interface QueueOptions {
  databaseUrl: string;
  /** Connections for this process's queue client. */
  max?: number;
  /** Run pg-boss maintenance (expiry, archiving); leave on in workers, off in servers. */
  supervise?: boolean;
}

export function createQueueClient(opts: QueueOptions): PgBoss {
  return new PgBoss({
    connectionString: opts.databaseUrl,
    schema: JOB_SCHEMA,
    max: opts.max ?? 4,
    supervise: opts.supervise ?? false,
    schedule: opts.supervise ?? false,
    application_name: "lattice",
  });
}

/** Start the client and make sure every declared queue exists. */
export async function startQueues(boss: PgBoss): Promise<void> {
  await boss.start();
  for (const name of Object.keys(queues)) {
    await boss.createQueue(name);
  }
}

/** Enqueue a job after validating its payload; returns the job id. */
export async function enqueue<Q extends QueueName>(
  boss: PgBoss,
  name: Q,
  payload: JobPayload<Q>,
  options: PgBoss.SendOptions = {},
): Promise<string> {
  const data = queues[name].parse(payload);
  const id = await boss.send(name, data, options);
  if (!id) throw new Error(`queue ${name} refused the job`);
  return id;
}

export { PgBoss };
