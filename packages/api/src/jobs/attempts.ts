// One attempt at a background job that has a row in `jobs` (what users see; pg-boss holds the
// queue). The protocol, for every kind of such job:
//
// - An attempt does its work in one transaction, which first takes a transaction-level advisory
//   lock keyed by the job id. pg-boss already hands a job to one worker at a time (row locks with
//   SKIP LOCKED); the lock also covers the cases where pg-boss hands it out again while an attempt
//   still runs (its expiry, a stopping worker's failWip). An attempt that finds the lock taken
//   does nothing and throws JobBusyError, so pg-boss retries it later.
// - `running`, the step row counts and the progress are written through another connection and
//   committed at once, so that GET /api/jobs/{id} shows them while the work transaction is open.
// - Success is written inside the work transaction: the result and `succeeded` commit together,
//   or neither does. A retried job that already succeeded (or failed for good) does nothing.
// - A worker that dies mid-attempt loses its connection, so PostgreSQL rolls the transaction back
//   and releases the lock; the row still says `running`, with no one holding its lock.
//   `sweepDeadAttempts` (run by every supervising queue client) finds such rows and hands the job
//   back to pg-boss at once, instead of after pg-boss's expiry (hours, the safety net).
import type PgBoss from "pg-boss";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Orm } from "../db/orm.js";
import type { JOB_STATUSES } from "../db/entities.js";
import { DomainError } from "../errors.js";

export type JobStatus = (typeof JOB_STATUSES)[number];

export interface JobStep {
  step: string;
  rows: number;
  at: string;
}

/** A `jobs` row as the worker reads it. */
export interface JobRow {
  id: string;
  organization_id: number;
  requested_by_id: number | null;
  kind: string;
  status: JobStatus;
  progress: number;
  steps: JobStep[];
  params: Record<string, unknown>;
  result_project_id: number | null;
  error: string | null;
  attempts: number;
}

/** The advisory-lock key of a job, as SQL over an expression holding its id (uuid or text). */
export function jobLockKeySql(idExpr: string): string {
  return `hashtextextended('lattice.job:' || (${idExpr})::text, 0)`;
}

export const DEAD_ATTEMPT_MESSAGE = "The worker running this job stopped before it finished.";

/** Another attempt at the same job holds its lock right now. */
export class JobBusyError extends Error {
  override name = "JobBusyError";
  constructor(jobId: string) {
    super(`job ${jobId} is being run by another attempt; pg-boss will retry it`);
  }
}

export interface AttemptWork {
  /** The attempt's transaction: what is written here appears when the attempt succeeds, or never. */
  em: EntityManager;
  /** The row as this attempt started it (`attempts` counts this attempt). */
  job: JobRow;
  /**
   * Record the rows done so far in a step and the overall progress (0..1, kept below 1 until
   * the attempt commits). Written through another connection and committed at once.
   */
  report(step: string, rows: number, progress: number): Promise<void>;
}

export type AttemptOutcome =
  | { outcome: "succeeded"; resultProjectId: number | null; steps: JobStep[] }
  /** An earlier attempt finished the job (or it no longer exists): nothing was done. */
  | { outcome: "skipped"; status: JobStatus | "missing" }
  /** Failed for good (a refusal, or too many attempts): no retry. */
  | { outcome: "failed"; error: string };

export interface AttemptOptions {
  /** Attempts that may start the work, counting those that died; then the job fails. */
  maxAttempts?: number;
  /** Told every error that ends an attempt (for the worker's log: the job row keeps a short message). */
  onError?: (err: unknown) => void;
}

/**
 * Run one attempt at job `jobId` of `kind`. Returns what happened; throws (so that pg-boss
 * retries) when the work failed and attempts remain, or when another attempt holds the job.
 * A DomainError from `work` (the source was deleted, the requester lost a right) fails the job
 * for good with its message.
 */
export async function runJobAttempt(
  orm: Orm,
  jobId: string,
  kind: string,
  work: (attempt: AttemptWork) => Promise<{ resultProjectId: number | null }>,
  opts: AttemptOptions = {},
): Promise<AttemptOutcome> {
  const maxAttempts = opts.maxAttempts ?? 3;
  // Autocommit statements on pooled connections other than the work transaction's.
  const side = orm.em.getConnection();
  const steps: JobStep[] = [];
  let attempt = 0;
  // Set once the work transaction has written the row itself (from then on the side connection
  // would wait for that transaction's row lock, so failures are recorded after its rollback).
  let rowLockedByWork = false;
  let failure: AttemptOutcome | null | undefined;

  /** Write the failure on the row; the outcome when the job failed for good, null when it will be retried. */
  const recordFailure = async (err: unknown): Promise<AttemptOutcome | null> => {
    if (failure !== undefined) return failure;
    opts.onError?.(err);
    if (attempt === 0) return null; // failed before this attempt marked the row: nothing of ours to record
    const message = errorMessage(err);
    const final = err instanceof DomainError || attempt >= maxAttempts;
    const error = err instanceof DomainError || attempt < maxAttempts ? message : `Gave up after ${attempt} attempts: ${message}`;
    try {
      await side.execute(
        `update jobs set status = ?, error = ?, finished_at = case when ? then now() else finished_at end where id = ? and status = 'running'`,
        [final ? "failed" : "queued", error, final, jobId],
        "run",
      );
    } catch {
      // The database is unreachable: the row stays `running` without a lock holder, and the
      // sweep hands the job back to pg-boss once the database answers again.
    }
    failure = final ? { outcome: "failed", error } : null;
    return failure;
  };

  try {
    return await orm.em.fork().transactional(async (em) => {
      const [lock] = await em.execute<{ locked: boolean }[]>(`select pg_try_advisory_xact_lock(${jobLockKeySql("?")}) as locked`, [jobId]);
      if (!lock?.locked) throw new JobBusyError(jobId);
      // Notice a vanished worker within a second even in the middle of a long statement, so that
      // its transaction (and lock) ends at once rather than when the statement would have.
      await em.execute(`select set_config('client_connection_check_interval', '1000', true)`);
      const [job] = await em.execute<JobRow[]>(
        `select id, organization_id, requested_by_id, kind, status, progress, steps, params, result_project_id, error, attempts
           from jobs where id = ? and kind = ?`,
        [jobId, kind],
      );
      if (!job) return { outcome: "skipped", status: "missing" } as const;
      if (job.status === "succeeded" || job.status === "failed") return { outcome: "skipped", status: job.status } as const;
      if (job.attempts >= maxAttempts) {
        const error = `Gave up after ${job.attempts} attempts: ${job.error ?? "the worker stopped"}`;
        await side.execute(`update jobs set status = 'failed', error = ?, finished_at = now() where id = ?`, [error, jobId], "run");
        return { outcome: "failed", error } as const;
      }
      attempt = job.attempts + 1;
      await side.execute(
        `update jobs set status = 'running', attempts = ?, started_at = coalesce(started_at, now()), progress = 0, steps = '[]'::jsonb, error = null
          where id = ?`,
        [attempt, jobId],
        "run",
      );
      const report = async (step: string, rows: number, progress: number) => {
        const at = new Date().toISOString();
        const known = steps.find((s) => s.step === step);
        if (known) Object.assign(known, { rows, at });
        else steps.push({ step, rows, at });
        await side.execute(`update jobs set steps = ?::jsonb, progress = ? where id = ? and status = 'running'`, [JSON.stringify(steps), Math.min(progress, 0.99), jobId], "run");
      };
      try {
        const { resultProjectId } = await work({ em, job: { ...job, status: "running", attempts: attempt }, report });
        rowLockedByWork = true;
        await em.execute(
          `update jobs set status = 'succeeded', progress = 1, steps = ?::jsonb, result_project_id = ?, error = null, finished_at = clock_timestamp() where id = ?`,
          [JSON.stringify(steps), resultProjectId, jobId],
          "run",
        );
        return { outcome: "succeeded", resultProjectId, steps } as const;
      } catch (err) {
        // Recorded before the rollback releases the lock, so that the sweep never mistakes this
        // live attempt for a dead one; rethrown so that the transaction rolls back.
        if (!rowLockedByWork) await recordFailure(err);
        throw err;
      }
    });
  } catch (err) {
    if (err instanceof JobBusyError) throw err;
    const failed = await recordFailure(err);
    if (failed) return failed;
    throw err;
  }
}

/** What the requester reads: a DomainError's own words; anything else stays in the worker's log. */
function errorMessage(err: unknown): string {
  return err instanceof DomainError ? err.message.slice(0, 1000) : INTERNAL_ERROR_MESSAGE;
}

export const INTERNAL_ERROR_MESSAGE = "An internal error stopped this job (the worker's log has the details).";

/**
 * Jobs whose attempt died: their row says `running` (or still `queued` although pg-boss handed
 * the job out over a minute ago, when the worker died before it could start) while no one holds
 * their lock. Each is set back to `queued` and failed in pg-boss, which retries it at once (or
 * gives up past its retry limit; the next attempt then records the failure). One statement, so
 * that a live attempt, which holds the lock for its whole transaction, is never taken for a dead one.
 */
export async function sweepDeadAttempts(boss: PgBoss, kinds: readonly string[], jobSchema = "pgboss"): Promise<string[]> {
  const { rows } = await boss.getDb().executeSql(
    `with suspects as materialized (
       select j.id from jobs j
        where j.kind = any($1::text[])
          and (j.status = 'running'
               or (j.status = 'queued' and exists (
                     select 1 from ${jobSchema}.job b
                      where b.name = j.kind and b.id = j.id and b.state = 'active' and b.started_on < now() - interval '1 minute'))))
     update jobs j set status = 'queued', error = $2
       from suspects s
      where j.id = s.id and j.status in ('queued', 'running') and pg_try_advisory_xact_lock(${jobLockKeySql("j.id")})
      returning j.id, j.kind`,
    [kinds, DEAD_ATTEMPT_MESSAGE],
  );
  const dead = rows as { id: string; kind: string }[];
  for (const job of dead) await boss.fail(job.kind, job.id, { message: DEAD_ATTEMPT_MESSAGE });
  return dead.map((j) => j.id);
}
