// The LDAP queues: "directory.ldapSync" (one run: read with ldapts paged search, guard, write
// the directory tables, reconcile — or a dry run's plan only) and "directory.ldapSchedule"
// (every minute: queue the organizations whose scheduled sync is due).
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { dueLdapOrganizations, enqueueInTransaction, loadConfig, runLdapSync, type JobPayload, type Orm } from "@lattice/api";

type Ctx = { jobId: string; orm: Orm; log: Logger };

export async function ldapSync(payload: JobPayload<"directory.ldapSync">, ctx: Ctx): Promise<Record<string, unknown>> {
  const config = loadConfig();
  const result = await runLdapSync(ctx.orm.em.fork(), {
    organizationId: payload.organizationId,
    runId: payload.runId,
    dryRun: payload.dryRun,
    force: payload.force,
    secretKey: config.LATTICE_SECRET_KEY,
    edition: config.LATTICE_EDITION,
  });
  const log = { runId: result.runId, status: result.status, counts: result.counts, directoryWrites: result.directoryWrites };
  if (result.status === "needs_approval") ctx.log.warn({ ...log, reason: result.reason }, "LDAP sync held for approval");
  else ctx.log.info(log, "LDAP sync done");
  return log;
}

export async function ldapSchedule(_payload: JobPayload<"directory.ldapSchedule">, ctx: Ctx): Promise<{ queued: number }> {
  // Claim, record and queue in one transaction: a failure leaves the organizations due and no
  // run that would never start.
  const queued = await ctx.orm.em.fork().transactional(async (em) => {
    const due = await dueLdapOrganizations(em);
    for (const { organizationId, runId } of due) {
      await enqueueInTransaction(em, "directory.ldapSync", { organizationId, runId, dryRun: false, force: false }, { id: randomUUID(), retryLimit: 3, retryDelay: 30, expireInSeconds: 3600 });
    }
    return due.length;
  });
  if (queued > 0) ctx.log.info({ queued }, "scheduled LDAP syncs queued");
  return { queued };
}
