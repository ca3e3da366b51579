// The background process: one pg-boss client, a handler per declared queue.
import os from "node:os";
import type { Logger } from "pino";
import { createQueueClient, startQueues, queues, type JobPayload, type PgBoss, type QueueName, type Orm } from "@lattice/api";
import { duplicateProject } from "./jobs/duplicate.js";
import { ldapSchedule, ldapSync } from "./jobs/ldap.js";
import { reconcileDirectory } from "./jobs/reconcile.js";

export interface WorkerOptions {
  databaseUrl: string;
  orm: Orm;
  log: Logger;
  /** Jobs processed at once per queue by this process. */
  concurrency?: number;
  pollingIntervalSeconds?: number;
}

export interface RunningWorker {
  boss: PgBoss;
  stop(): Promise<void>;
}

type Handlers = { [Q in QueueName]: (payload: JobPayload<Q>, ctx: { jobId: string; orm: Orm; log: Logger }) => Promise<unknown> };

const workerId = `${os.hostname()}:${process.pid}`;

/** Every queue's handler. Each job runs with its own EntityManager fork where it needs one. */
export const handlers: Handlers = {
  "system.ping": async (payload, { jobId, orm }) => {
    const [row] = await orm.em.getConnection().execute<{ now: Date }[]>("select now() as now");
    return { pong: payload.message, jobId, worker: workerId, pid: process.pid, databaseTime: row?.now };
  },
  "project.duplicate": duplicateProject,
  "directory.reconcile": reconcileDirectory,
  "directory.ldapSync": ldapSync,
  "directory.ldapSchedule": ldapSchedule,
};

export async function startWorker(opts: WorkerOptions): Promise<RunningWorker> {
  const boss = createQueueClient({ databaseUrl: opts.databaseUrl, supervise: true, max: (opts.concurrency ?? 2) + 2 });
  let stopping = false;
  // While stopping (Ctrl-C reaches a local postgres too), dropped connections are expected.
  boss.on("error", (err) => (stopping ? opts.log.debug({ err }, "job queue error while stopping") : opts.log.error({ err }, "job queue error")));
  await startQueues(boss);
  await boss.schedule("directory.ldapSchedule", "* * * * *", {});
  const pollingIntervalSeconds = opts.pollingIntervalSeconds ?? 1;
  for (const name of Object.keys(queues) as QueueName[]) {
    const handler = handlers[name] as (payload: unknown, ctx: { jobId: string; orm: Orm; log: Logger }) => Promise<unknown>;
    const schema = queues[name];
    // pg-boss 10 has no team size: one poller per concurrent job, each fetching one job.
    for (let i = 0; i < Math.max(1, opts.concurrency ?? 1); i++) {
      await boss.work(name, { batchSize: 1, pollingIntervalSeconds }, async ([job]) => {
        if (!job) return undefined;
        const log = opts.log.child({ queue: name, jobId: job.id });
        log.info("job started");
        const out = await handler(schema.parse(job.data), { jobId: job.id, orm: opts.orm, log });
        log.info("job done");
        return out;
      });
    }
  }
  opts.log.info({ worker: workerId, queues: Object.keys(queues) }, "worker started");
  return {
    boss,
    async stop() {
      stopping = true;
      await boss.stop({ graceful: true, wait: true, timeout: 30_000 });
    },
  };
}
