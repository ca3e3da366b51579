// The worker's side of directory sync: an LDAP run (read → guard → write tables → reconcile),
// and the reconcile queued after SCIM changes (debounced per organization).
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Edition } from "@lattice/policy";
import type PgBoss from "pg-boss";
import { queues } from "../../jobs/index.js";
import { readLdap, writeLdapSnapshot } from "./ldap.js";
import { finishRun, reconcile, startRun, type RunResult, type Snapshot } from "./reconcile.js";
import { ldapConnection, queueDirectoryJob } from "./service.js";

export interface LdapSyncOptions {
  organizationId: number;
  runId?: string;
  dryRun?: boolean;
  /** This run carries out the approval of that held run (see ReconcileOptions). */
  approvedRunId?: string;
  trigger?: string;
  secretKey: string | undefined;
  /** Which roles groups may grant; default: the instance's (LATTICE_EDITION). */
  edition?: Edition;
  /** Test hook: read with this instead of ldapts (e.g. to simulate a failure). */
  read?: () => Promise<Snapshot>;
}

export interface LdapSyncResult extends Omit<RunResult, "status"> {
  status: RunResult["status"];
  /** Rows written to the directory tables. */
  directoryWrites: number;
}

/**
 * One LDAP sync run. A failed read applies nothing and leaves the run needing approval.
 * (`ldap_last_run_at` was set when the run was queued: see queueDueLdapSyncs and recordLdapRun.)
 */
export async function runLdapSync(em: EntityManager, o: LdapSyncOptions): Promise<LdapSyncResult> {
  const runId = o.runId ?? (await startRun(em.fork(), { organizationId: o.organizationId, source: "ldap", trigger: o.trigger ?? "schedule", dryRun: !!o.dryRun }));
  let snapshot: Snapshot;
  try {
    const conn = await ldapConnection(em.fork(), o.organizationId, o.secretKey);
    if (!conn) throw new Error("No LDAP connection is configured.");
    snapshot = o.read ? await o.read() : await readLdap(conn.settings, conn.password);
  } catch (err) {
    const message = `The LDAP read failed, nothing was applied: ${(err as Error).message}`;
    await finishRun(em.fork(), runId, { status: "needs_approval", error: message });
    return { runId, status: "needs_approval", reason: message, counts: {} as RunResult["counts"], plan: {} as RunResult["plan"], directoryWrites: 0 };
  }
  let directoryWrites = 0;
  const result = await reconcile(em, {
    organizationId: o.organizationId,
    source: "ldap",
    snapshot,
    runId,
    dryRun: o.dryRun,
    approvedRunId: o.approvedRunId,
    edition: o.edition,
    beforeApply: async (tx) => {
      directoryWrites = await writeLdapSnapshot(tx, o.organizationId, snapshot);
    },
  });
  return { ...result, directoryWrites };
}

/**
 * Claim the organizations whose scheduled LDAP sync is due, record a run for each and queue it,
 * in one transaction. One statement marks them as run now, so that a concurrent or later tick
 * does not claim them again; should queueing fail, the rollback leaves them due and no run
 * recorded.
 */
export async function queueDueLdapSyncs(rootEm: EntityManager): Promise<{ organizationId: number; runId: string }[]> {
  return rootEm.fork().transactional(async (em) => {
    const rows = await em.execute<{ organization_id: number }[]>(
      `update directory_settings set ldap_last_run_at = now()
        where ldap is not null and coalesce((ldap->>'schedule_minutes')::int, 0) > 0
          and (ldap_last_run_at is null or ldap_last_run_at < now() - make_interval(mins => (ldap->>'schedule_minutes')::int))
        returning organization_id`,
    );
    const due: { organizationId: number; runId: string }[] = [];
    for (const { organization_id: organizationId } of rows) {
      const runId = await startRun(em, { organizationId, source: "ldap", trigger: "schedule", dryRun: false });
      await queueDirectoryJob(em, "directory.ldapSync", { organizationId, runId, dryRun: false });
      due.push({ organizationId, runId });
    }
    return due;
  });
}

/**
 * Queue a reconcile after a SCIM change, debounced per organization: one job per organization
 * and 5-second slot, starting after the slot ends, so that a burst of provisioning requests
 * ends in one run that sees them all.
 */
export async function queueScimReconcile(boss: PgBoss, organizationId: number): Promise<void> {
  const data = queues["directory.reconcile"].parse({ organizationId, source: "scim", dryRun: false });
  // null: this slot's job is already queued, and it will see this change too.
  await boss.send("directory.reconcile", data, { singletonKey: `scim-reconcile:${organizationId}`, singletonSeconds: 5, startAfter: 6, retryLimit: 3, retryDelay: 5 });
}
