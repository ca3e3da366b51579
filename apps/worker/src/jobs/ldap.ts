// The LDAP queues: "directory.ldapSync" (one run: read with ldapts paged search, guard, write
// the directory tables, reconcile — or a dry run's plan only) and "directory.ldapSchedule"
// (every minute: queue the organizations whose scheduled sync is due).
import type { Logger } from "pino";
import { loadConfig, queueDueLdapSyncs, runLdapSync, type JobPayload, type Orm } from "@lattice/api";

type Ctx = { jobId: string; orm: Orm; log: Logger };

export async function ldapSync(payload: JobPayload<"directory.ldapSync">, ctx: Ctx): Promise<Record<string, unknown>> {
  const config = loadConfig();
  const result = await runLdapSync(ctx.orm.em.fork(), {
    organizationId: payload.organizationId,
    runId: payload.runId,
    dryRun: payload.dryRun,
    approvedRunId: payload.approvedRunId,
    secretKey: config.LATTICE_SECRET_KEY,
    edition: config.LATTICE_EDITION,
  });
  const log = { runId: result.runId, status: result.status, counts: result.counts, directoryWrites: result.directoryWrites };
  if (result.status === "needs_approval") ctx.log.warn({ ...log, reason: result.reason }, "LDAP sync held for approval");
  else ctx.log.info(log, "LDAP sync done");
  return log;
}

export async function ldapSchedule(_payload: JobPayload<"directory.ldapSchedule">, ctx: Ctx): Promise<{ queued: number }> {
  // Claimed, recorded and queued in one transaction: a failure leaves the organizations due.
  const queued = (await queueDueLdapSyncs(ctx.orm.em)).length;
  if (queued > 0) ctx.log.info({ queued }, "scheduled LDAP syncs queued");
  return { queued };
}
