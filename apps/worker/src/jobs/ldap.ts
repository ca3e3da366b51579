// The LDAP queues: "directory.ldapSync" (one run: read with ldapts paged search, guard, write
// the directory tables, reconcile — or a dry run's plan only) and "directory.ldapSchedule"
// (every minute: queue the organizations whose scheduled sync is due).
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { dueLdapOrganizations, enqueue, loadConfig, queueClientFor, runLdapSync, type JobPayload, type Orm } from "@lattice/api";

type Ctx = { jobId: string; orm: Orm; log: Logger };

export async function ldapSync(payload: JobPayload<"directory.ldapSync">, ctx: Ctx): Promise<Record<string, unknown>> {
  const result = await runLdapSync(ctx.orm.em.fork(), {
    organizationId: payload.organizationId,
    runId: payload.runId,
    dryRun: payload.dryRun,
    force: payload.force,
    secretKey: loadConfig().LATTICE_SECRET_KEY,
  });
  const log = { runId: result.runId, status: result.status, counts: result.counts, directoryWrites: result.directoryWrites };
  if (result.status === "needs_approval") ctx.log.warn({ ...log, reason: result.reason }, "LDAP sync held for approval");
  else ctx.log.info(log, "LDAP sync done");
  return log;
}

export async function ldapSchedule(_payload: JobPayload<"directory.ldapSchedule">, ctx: Ctx): Promise<{ queued: number }> {
  const em = ctx.orm.em.fork();
  const due = await dueLdapOrganizations(em);
  if (due.length === 0) return { queued: 0 };
  const boss = await queueClientFor(ctx.orm.config.get("clientUrl")!);
  let queued = 0;
  for (const organizationId of due) {
    // Mark it now, so that the next tick does not queue it again while this run waits.
    await em.execute(`update directory_settings set ldap_last_run_at = now() where organization_id = ?`, [organizationId]);
    const runId = randomUUID();
    await em.execute(`insert into sync_runs (id, organization_id, source, trigger, dry_run, status, created_at) values (?, ?, 'ldap', 'schedule', false, 'running', now())`, [runId, organizationId]);
    await enqueue(boss, "directory.ldapSync", { organizationId, runId, dryRun: false, force: false }, { id: randomUUID(), retryLimit: 3, retryDelay: 30, expireInSeconds: 3600 });
    queued++;
  }
  ctx.log.info({ queued }, "scheduled LDAP syncs queued");
  return { queued };
}
