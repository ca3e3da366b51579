// The "directory.reconcile" queue: reconcile one organization with one directory source (queued,
// debounced, after SCIM changes; or carrying out an administrator's approval of a held run).
import type { Logger } from "pino";
import { loadConfig, reconcile, type JobPayload, type Orm } from "@lattice/api";

export async function reconcileDirectory(payload: JobPayload<"directory.reconcile">, ctx: { jobId: string; orm: Orm; log: Logger }): Promise<Record<string, unknown>> {
  const result = await reconcile(ctx.orm.em, {
    organizationId: payload.organizationId,
    source: payload.source,
    approvedRunId: payload.approvedRunId,
    dryRun: payload.dryRun,
    runId: payload.runId,
    trigger: payload.approvedRunId ? "approval" : payload.source,
    edition: loadConfig().LATTICE_EDITION,
  });
  const log = { runId: result.runId, status: result.status, counts: result.counts };
  if (result.status === "needs_approval") ctx.log.warn({ ...log, reason: result.reason }, "directory reconcile held for approval");
  else ctx.log.info(log, "directory reconciled");
  return log;
}
