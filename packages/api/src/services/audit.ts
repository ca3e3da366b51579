// The activity log: one row per state change, written by the service in the same
// transaction as the change. Values passed here must never be secrets.
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Context } from "../context.js";
import { ActivityLog } from "../db/entities.js";

export type Changes = Record<string, { before: unknown; after: unknown }>;

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId?: string | number | null;
  organizationId?: number | null;
  actorId?: number | null;
  changes?: Changes | null;
}

/** Fields whose values differ between `before` and `after`, as `{ field: { before, after } }`. */
export function diff(before: Record<string, unknown>, after: Record<string, unknown>): Changes {
  const out: Changes = {};
  for (const key of Object.keys(after)) {
    if (after[key] === undefined) continue;
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) out[key] = { before: before[key] ?? null, after: after[key] };
  }
  return out;
}

/** Queue one activity-log row on `em` (flushed with the transaction that made the change). */
export function audit(em: EntityManager, ctx: Pick<Context, "request" | "user" | "organization">, entry: AuditEntry): void {
  em.create(ActivityLog, {
    organization: entry.organizationId === undefined ? (ctx.organization?.id ?? null) : entry.organizationId,
    actor: entry.actorId === undefined ? (ctx.user?.id ?? null) : entry.actorId,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId === undefined || entry.targetId === null ? null : String(entry.targetId),
    changes: entry.changes && Object.keys(entry.changes).length > 0 ? entry.changes : null,
    method: ctx.request.method.slice(0, 10),
    path: ctx.request.path.slice(0, 500),
    ip: ctx.request.ip.slice(0, 64),
  });
}
