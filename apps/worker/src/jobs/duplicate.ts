// The "project.duplicate" queue: one attempt at copying a project (packages/api's
// services/duplication.ts holds the SQL; jobs/attempts.ts the locking and retry protocol).
// Throws when the attempt should be retried by pg-boss.
import type { Logger } from "pino";
import { runDuplication, type JobPayload, type Orm } from "@lattice/api";

export async function duplicateProject(payload: JobPayload<"project.duplicate">, ctx: { jobId: string; orm: Orm; log: Logger }) {
  // The jobs row id is the pg-boss job id (the server sends it so); refuse anything else.
  if (payload.jobId !== ctx.jobId) throw new Error(`payload job ${payload.jobId} does not match pg-boss job ${ctx.jobId}`);
  const result = await runDuplication(ctx.orm, payload.jobId, {
    // The requester reads a short message on the job; the details are logged here.
    onError: (err) => ctx.log.warn({ err }, "duplication attempt failed"),
  });
  if (result.outcome === "succeeded") ctx.log.info({ projectId: result.resultProjectId, steps: result.steps }, "project duplicated");
  else if (result.outcome === "skipped") ctx.log.info({ status: result.status }, "duplication already done; nothing to do");
  else ctx.log.warn({ error: result.error }, "duplication failed for good");
  return result.outcome === "succeeded" ? { outcome: result.outcome, projectId: result.resultProjectId } : result;
}
