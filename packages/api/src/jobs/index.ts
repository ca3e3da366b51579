// The job queue: pg-boss in its own schema of the Lattice database. The server enqueues,
// apps/worker processes; every queue name and payload is declared here, once.
import pg from "pg";
import PgBoss from "pg-boss";
import { z } from "zod";
import { sweepDeadAttempts } from "./attempts.js";

export const JOB_SCHEMA = "pgboss";

/**
 * pg-boss 10 only polls. Whoever queues a job also NOTIFYs this channel with the queue's name
 * (in the same transaction, so at commit); supervising clients LISTEN and wake that queue's
 * workers at once, instead of at their next poll.
 */
export const JOB_CHANNEL = "lattice_jobs";

/**
 * Queue name → payload schema. The worker registers a handler for each. A queue whose jobs have
 * a `jobs` row uses the row's id as the pg-boss job id and its queue name as the row's `kind`.
 */
export const queues = {
  /** Diagnostic round trip: proves a worker is attached to this database and processing. */
  "system.ping": z.object({ message: z.string().max(200) }),
  /** Copy a project (services/duplication.ts); everything else is in the `jobs` row `jobId`. */
  "project.duplicate": z.object({ jobId: z.uuid() }),
  /** Directory sync (services/directory): reconcile one organization with one source, e.g. after SCIM changes. */
  "directory.reconcile": z.object({ organizationId: z.number().int().positive(), source: z.enum(["scim", "ldap"]), dryRun: z.boolean().default(false), runId: z.uuid().optional(), approvedRunId: z.uuid().optional() }),
  /** Read an organization's LDAP directory and reconcile (or preview: dryRun); `runId` is the recorded sync run. */
  "directory.ldapSync": z.object({ organizationId: z.number().int().positive(), runId: z.uuid(), dryRun: z.boolean().default(false), approvedRunId: z.uuid().optional() }),
  /** Periodic: queue the LDAP syncs that are due. */
  "directory.ldapSchedule": z.object({}),
} as const;

export type QueueName = keyof typeof queues;
export type JobPayload<Q extends QueueName> = z.infer<(typeof queues)[Q]>;

/**
 * Queues whose jobs run through runJobAttempt (jobs/attempts.ts: a `jobs` row, its lock held
 * for the whole attempt). Only their rows are swept for dead attempts: a row of any other kind
 * holds no lock and would look dead.
 */
export const ATTEMPT_QUEUES: readonly QueueName[] = ["project.duplicate"];

export interface QueueOptions {
  databaseUrl: string;
  /** Connections for this process's queue client. */
  max?: number;
  /**
   * Run pg-boss maintenance (expiry, archiving) and the sweep of dead attempts (jobs whose
   * worker died mid-run are retried at once); leave on in workers, off in servers.
   */
  supervise?: boolean;
  /** Seconds between two sweeps of dead attempts (supervising clients only). */
  sweepIntervalSeconds?: number;
}

/**
 * A supervising client (the worker's): pg-boss's own maintenance, the sweep of dead attempts,
 * and the wake-up of a queue's workers when a job is queued (JOB_CHANNEL).
 */
class SupervisingQueue extends PgBoss {
  #timer: NodeJS.Timeout | undefined;
  #sweeping = false;
  #listener: pg.Client | null = null;
  #connecting: Promise<void> | null = null;
  /** Worker ids by queue, from work(). */
  readonly #workers = new Map<string, string[]>();

  constructor(
    config: PgBoss.ConstructorOptions,
    private readonly databaseUrl: string,
    private readonly sweepIntervalMs: number,
  ) {
    super(config);
    // pg-boss defines work() on the instance; wrap it to learn the ids of each queue's workers.
    const work = this.work.bind(this) as (name: string, ...rest: unknown[]) => Promise<string>;
    this.work = (async (name: string, ...rest: unknown[]) => {
      const id = await work(name, ...rest);
      this.#workers.set(name, [...(this.#workers.get(name) ?? []), id]);
      return id;
    }) as PgBoss["work"];
  }

  override async start(): Promise<PgBoss> {
    const started = await super.start();
    if (!this.#timer) {
      this.#timer = setInterval(() => this.tick(), this.sweepIntervalMs);
      this.#timer.unref();
      // At once too: a worker restarted after a crash picks up the job its predecessor left;
      // and listening before the workers start, so that no wake-up is missed.
      this.tick();
      await this.#connecting;
    }
    return started;
  }

  override async stop(options?: PgBoss.StopOptions): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    const listener = this.#listener;
    this.#listener = null;
    await listener?.end().catch(() => undefined);
    await super.stop(options);
  }

  /** Sweep dead attempts; (re)connect the listener if it is down (polling goes on meanwhile). */
  private tick(): void {
    void this.sweep();
    if (!this.#listener && !this.#connecting) this.#connecting = this.listen().finally(() => (this.#connecting = null));
  }

  private async sweep(): Promise<void> {
    if (this.#sweeping || !this.#timer) return;
    this.#sweeping = true;
    try {
      await sweepDeadAttempts(this, ATTEMPT_QUEUES, JOB_SCHEMA);
    } catch (err) {
      this.emit("error", err);
    } finally {
      this.#sweeping = false;
    }
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: "lattice-listen" });
    const drop = (err?: Error) => {
      if (this.#listener === client) this.#listener = null;
      void client.end().catch(() => undefined);
      if (err && this.#timer) this.emit("error", err);
    };
    client.on("error", drop);
    client.on("end", () => drop());
    client.on("notification", (msg) => {
      for (const id of this.#workers.get(msg.payload ?? "") ?? []) this.notifyWorker(id);
    });
    try {
      await client.connect();
      await client.query(`listen ${JOB_CHANNEL}`);
      if (!this.#timer) return drop(); // stopped meanwhile
      this.#listener = client;
    } catch (err) {
      drop(err as Error);
    }
  }
}

export function createQueueClient(opts: QueueOptions): PgBoss {
  const config: PgBoss.ConstructorOptions = {
    connectionString: opts.databaseUrl,
    schema: JOB_SCHEMA,
    max: opts.max ?? 4,
    supervise: opts.supervise ?? false,
    schedule: opts.supervise ?? false,
    application_name: "lattice",
  };
  return opts.supervise ? new SupervisingQueue(config, opts.databaseUrl, (opts.sweepIntervalSeconds ?? 5) * 1000) : new PgBoss(config);
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
  await (options.db ?? boss.getDb()).executeSql(`select pg_notify($1, $2)`, [JOB_CHANNEL, name]);
  return id;
}

export { PgBoss };
export { queueClientFor, closeQueueClients, enqueueInTransaction } from "./clients.js";
export {
  runJobAttempt,
  sweepDeadAttempts,
  jobLockKeySql,
  JobBusyError,
  DEAD_ATTEMPT_MESSAGE,
  INTERNAL_ERROR_MESSAGE,
  type AttemptWork,
  type AttemptOutcome,
  type AttemptOptions,
  type JobRow,
  type JobStep,
  type JobStatus,
} from "./attempts.js";
