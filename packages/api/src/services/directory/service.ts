// Directory sync, as the API exposes it to administrators: settings and mappings, the SCIM
// token, the LDAP connection (write-only bind password), "test connection", sync runs (dry or
// not), and the approval of a run the guard held.
import { assignableRoles } from "@lattice/policy";
import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Context } from "../../context.js";
import type { DirectoryMappings, DirectorySource, IMembership, IOrganization, IUser, LdapSettings } from "../../db/entities.js";
import { DomainError } from "../../errors.js";
import { enqueueInTransaction } from "../../jobs/clients.js";
import { audit } from "../audit.js";
import { LDAP_DEFAULTS, testLdapConnection, type TestConnectionResult } from "./ldap.js";
import { startRun } from "./reconcile.js";
import { decryptSecret, encryptSecret, ensureSettingsRow, readSettings, rotateScimToken } from "./settings.js";

type OrgContext = Context & { organization: IOrganization; membership: IMembership; user: IUser };

/** Jobs of the directory: retried a few times, never run twice at once per organization (the org row lock). */
export const DIRECTORY_SEND_OPTIONS = { retryLimit: 3, retryDelay: 5, expireInSeconds: 60 * 60 } as const;

export interface DirectorySettingsView {
  mappings: DirectoryMappings;
  authoritative_roles: boolean;
  authoritative_workspaces: boolean;
  authoritative_projects: boolean;
  guard_threshold: number;
  scim_token_created_at: string | null;
}

export async function getDirectorySettings(ctx: OrgContext): Promise<DirectorySettingsView> {
  const s = await readSettings(ctx.em, ctx.organization.id);
  return {
    mappings: s.mappings,
    authoritative_roles: s.authoritative_roles,
    authoritative_workspaces: s.authoritative_workspaces,
    authoritative_projects: s.authoritative_projects,
    guard_threshold: s.guard_threshold,
    scim_token_created_at: s.scim_token_created_at ? new Date(s.scim_token_created_at).toISOString() : null,
  };
}

export type DirectorySettingsInput = Partial<Omit<DirectorySettingsView, "scim_token_created_at">>;

export async function updateDirectorySettings(ctx: OrgContext, input: DirectorySettingsInput): Promise<DirectorySettingsView> {
  return ctx.em.transactional(async (em) => {
    const orgId = ctx.organization.id;
    if (input.mappings) {
      // The instance's edition decides which roles a group may grant (owner never).
      const assignable: readonly string[] = assignableRoles(ctx.config.LATTICE_EDITION);
      const refused = input.mappings.roles.find((m) => !assignable.includes(m.role));
      if (refused) {
        throw new DomainError("RULE_REFUSED", `The ${ctx.config.LATTICE_EDITION} edition assigns only ${assignable.join(", ")}; a group cannot grant ${refused.role}.`, {
          field: "mappings.roles",
        });
      }
      const ws = [...new Set(input.mappings.workspaces.map((m) => m.workspace))];
      const pr = [...new Set(input.mappings.projects.map((m) => m.project))];
      if (ws.length) {
        const found = await em.execute<{ id: number }[]>(`select id from workspaces where organization_id = ? and not is_sandbox and id in (select jsonb_array_elements_text(?::jsonb)::int)`, [orgId, JSON.stringify(ws)]);
        const missing = ws.filter((w) => !found.some((f) => f.id === w));
        if (missing.length) throw new DomainError("INVALID", `No such workspace in this organization: ${missing.join(", ")}.`, { field: "mappings.workspaces" });
      }
      if (pr.length) {
        const found = await em.execute<{ id: number }[]>(`select id from projects where organization_id = ? and id in (select jsonb_array_elements_text(?::jsonb)::int)`, [orgId, JSON.stringify(pr)]);
        const missing = pr.filter((p) => !found.some((f) => f.id === p));
        if (missing.length) throw new DomainError("INVALID", `No such project in this organization: ${missing.join(", ")}.`, { field: "mappings.projects" });
      }
    }
    await ensureSettingsRow(em, orgId);
    const before = await getDirectorySettings({ ...ctx, em });
    await em.execute(
      `update directory_settings set mappings = coalesce(?::jsonb, mappings), authoritative_roles = coalesce(?, authoritative_roles),
         authoritative_workspaces = coalesce(?, authoritative_workspaces), authoritative_projects = coalesce(?, authoritative_projects),
         guard_threshold = coalesce(?, guard_threshold), updated_at = now() where organization_id = ?`,
      [
        input.mappings ? JSON.stringify(input.mappings) : null,
        input.authoritative_roles ?? null,
        input.authoritative_workspaces ?? null,
        input.authoritative_projects ?? null,
        input.guard_threshold ?? null,
        orgId,
      ],
    );
    const after = await getDirectorySettings({ ...ctx, em });
    const changes: Record<string, { before: unknown; after: unknown }> = {};
    for (const k of ["mappings", "authoritative_roles", "authoritative_workspaces", "authoritative_projects", "guard_threshold"] as const) {
      if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) changes[k] = { before: before[k], after: after[k] };
    }
    audit(em, ctx, { action: "directory.manage", targetType: "directory_settings", targetId: orgId, changes });
    await em.flush();
    return after;
  });
}

export async function newScimToken(ctx: OrgContext): Promise<{ token: string }> {
  return ctx.em.transactional(async (em) => {
    const token = await rotateScimToken(em, ctx.organization.id);
    audit(em, ctx, { action: "directory.manage", targetType: "scim_token", targetId: ctx.organization.id, changes: { scim_token: { before: "(previous)", after: "(rotated)" } } });
    await em.flush();
    return { token };
  });
}

export type LdapView = (LdapSettings & { has_bind_password: boolean }) | null;

export async function getLdapSettings(ctx: OrgContext): Promise<LdapView> {
  const s = await readSettings(ctx.em, ctx.organization.id);
  return s.ldap ? { ...LDAP_DEFAULTS, ...s.ldap, has_bind_password: !!s.ldap_bind_password_enc } : null;
}

export type LdapInput = Partial<LdapSettings> & Pick<LdapSettings, "url" | "bind_dn" | "user_base" | "group_base"> & { bind_password?: string };

export async function updateLdapSettings(ctx: OrgContext, input: LdapInput): Promise<LdapView> {
  return ctx.em.transactional(async (em) => {
    const orgId = ctx.organization.id;
    await ensureSettingsRow(em, orgId);
    const current = await readSettings(em, orgId);
    const { bind_password, ...rest } = input;
    const ldap: LdapSettings = { ...LDAP_DEFAULTS, ...(current.ldap ?? {}), ...rest };
    const enc = bind_password !== undefined ? encryptSecret(ctx.config.LATTICE_SECRET_KEY, bind_password) : null;
    await em.execute(`update directory_settings set ldap = ?::jsonb, ldap_bind_password_enc = coalesce(?, ldap_bind_password_enc), updated_at = now() where organization_id = ?`, [
      JSON.stringify(ldap),
      enc,
      orgId,
    ]);
    const changes: Record<string, { before: unknown; after: unknown }> = {};
    for (const k of Object.keys(ldap) as (keyof LdapSettings)[]) {
      if (JSON.stringify(current.ldap?.[k]) !== JSON.stringify(ldap[k])) changes[k] = { before: current.ldap?.[k] ?? null, after: ldap[k] };
    }
    if (bind_password !== undefined) changes.bind_password = { before: "(hidden)", after: "(changed)" };
    audit(em, ctx, { action: "directory.manage", targetType: "ldap_settings", targetId: orgId, changes });
    await em.flush();
    return { ...ldap, has_bind_password: !!(enc ?? current.ldap_bind_password_enc) };
  });
}

/** The stored LDAP connection with its decrypted bind password (worker and "test connection"). */
export async function ldapConnection(em: EntityManager, organizationId: number, secretKey: string | undefined): Promise<{ settings: LdapSettings; password: string } | null> {
  const s = await readSettings(em, organizationId);
  if (!s.ldap) return null;
  return { settings: { ...LDAP_DEFAULTS, ...s.ldap }, password: s.ldap_bind_password_enc ? decryptSecret(secretKey, s.ldap_bind_password_enc) : "" };
}

export async function testLdap(ctx: OrgContext): Promise<TestConnectionResult> {
  const conn = await ldapConnection(ctx.em, ctx.organization.id, ctx.config.LATTICE_SECRET_KEY);
  if (!conn) throw new DomainError("RULE_REFUSED", "No LDAP connection is configured; save the settings first.");
  return testLdapConnection(conn.settings, conn.password);
}

/** Record a sync run and queue it; the worker reads LDAP and reconciles (or previews). */
export async function requestLdapSync(ctx: OrgContext, dryRun: boolean): Promise<{ run_id: string }> {
  return ctx.em.transactional(async (em) => {
    const s = await readSettings(em, ctx.organization.id);
    if (!s.ldap) throw new DomainError("RULE_REFUSED", "No LDAP connection is configured; save the settings first.");
    const runId = await startRun(em, { organizationId: ctx.organization.id, source: "ldap", trigger: "manual", dryRun, requestedBy: ctx.user.id });
    await enqueueInTransaction(em, "directory.ldapSync", { organizationId: ctx.organization.id, runId, dryRun, force: false }, { ...DIRECTORY_SEND_OPTIONS, id: randomUUID() });
    audit(em, ctx, { action: "directory.manage", targetType: "sync_run", targetId: runId, changes: { sync: { before: null, after: dryRun ? "dry run" : "run" } } });
    await em.flush();
    return { run_id: runId };
  });
}

/** Record a reconcile of the SCIM directory (as last pushed) and queue it; `dryRun` previews the plan. */
export async function requestScimSync(ctx: OrgContext, dryRun: boolean): Promise<{ run_id: string }> {
  return ctx.em.transactional(async (em) => {
    const runId = await startRun(em, { organizationId: ctx.organization.id, source: "scim", trigger: "manual", dryRun, requestedBy: ctx.user.id });
    await enqueueInTransaction(em, "directory.reconcile", { organizationId: ctx.organization.id, source: "scim", force: false, dryRun, runId }, { ...DIRECTORY_SEND_OPTIONS, id: randomUUID() });
    audit(em, ctx, { action: "directory.manage", targetType: "sync_run", targetId: runId, changes: { sync: { before: null, after: dryRun ? "dry run" : "run" } } });
    await em.flush();
    return { run_id: runId };
  });
}

export interface RunRow {
  id: string;
  source: DirectorySource;
  trigger: string;
  dry_run: boolean;
  status: string;
  counts: Record<string, number> | null;
  plan?: unknown;
  error: string | null;
  requested_by: number | null;
  approved_by: number | null;
  created_at: string;
  finished_at: string | null;
}

type RawRun = Omit<RunRow, "created_at" | "finished_at" | "requested_by" | "approved_by"> & { created_at: Date; finished_at: Date | null; requested_by_id: number | null; approved_by_id: number | null };

function runView(r: RawRun, withPlan: boolean): RunRow {
  return {
    id: r.id,
    source: r.source,
    trigger: r.trigger,
    dry_run: r.dry_run,
    status: r.status,
    counts: r.counts,
    ...(withPlan ? { plan: r.plan ?? null } : {}),
    error: r.error,
    requested_by: r.requested_by_id,
    approved_by: r.approved_by_id,
    created_at: new Date(r.created_at).toISOString(),
    finished_at: r.finished_at ? new Date(r.finished_at).toISOString() : null,
  };
}

export async function listRuns(ctx: OrgContext, page: number, pageSize: number) {
  const rows = await ctx.em.execute<(RawRun & { total: string })[]>(
    `select id, source, trigger, dry_run, status, counts, error, requested_by_id, approved_by_id, created_at, finished_at, count(*) over () as total
       from sync_runs where organization_id = ? order by created_at desc, id limit ? offset ?`,
    [ctx.organization.id, pageSize, (page - 1) * pageSize],
  );
  return { count: Number(rows[0]?.total ?? 0), results: rows.map((r) => runView(r, false)) };
}

export async function getRun(ctx: OrgContext, runId: string): Promise<RunRow> {
  const [r] = await ctx.em.execute<RawRun[]>(`select * from sync_runs where organization_id = ? and id = ?`, [ctx.organization.id, runId]);
  if (!r) throw new DomainError("NOT_FOUND", "No such sync run.");
  return runView(r, true);
}

/** Approve a run the guard held: a forced run of the same source is queued. */
export async function approveRun(ctx: OrgContext, runId: string): Promise<{ run_id: string }> {
  return ctx.em.transactional(async (em) => {
    const [r] = await em.execute<RawRun[]>(`select * from sync_runs where organization_id = ? and id = ? for update`, [ctx.organization.id, runId]);
    if (!r) throw new DomainError("NOT_FOUND", "No such sync run.");
    if (r.status !== "needs_approval") throw new DomainError("CONFLICT", `Only a run that needs approval can be approved; this one is ${r.status.replace("_", " ")}.`);
    await em.execute(`update sync_runs set status = 'approved', approved_by_id = ?, approved_at = now() where id = ?`, [ctx.user.id, runId]);
    const next = await startRun(em, { organizationId: ctx.organization.id, source: r.source, trigger: "approval", dryRun: false, requestedBy: ctx.user.id });
    if (r.source === "ldap") {
      await enqueueInTransaction(em, "directory.ldapSync", { organizationId: ctx.organization.id, runId: next, dryRun: false, force: true }, { ...DIRECTORY_SEND_OPTIONS, id: randomUUID() });
    } else {
      await enqueueInTransaction(em, "directory.reconcile", { organizationId: ctx.organization.id, source: r.source, force: true, dryRun: false, runId: next }, { ...DIRECTORY_SEND_OPTIONS, id: randomUUID() });
    }
    audit(em, ctx, { action: "directory.manage", targetType: "sync_run", targetId: runId, changes: { status: { before: "needs_approval", after: "approved" } } });
    await em.flush();
    return { run_id: next };
  });
}
