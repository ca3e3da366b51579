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
import type { JobPayload } from "../../jobs/index.js";
import { audit } from "../audit.js";
import { LDAP_DEFAULTS, testLdapConnection, type TestConnectionResult } from "./ldap.js";
import { PLAN_KINDS, startRun, type Plan } from "./reconcile.js";
import { decryptSecret, encryptSecret, ensureSettingsRow, readSettings, recordLdapRun, rotateScimToken } from "./settings.js";

type OrgContext = Context & { organization: IOrganization; membership: IMembership; user: IUser };

/** Jobs of the directory: retried a few times, never run twice at once per organization (the org row lock). */
const DIRECTORY_SEND_OPTIONS = { retryLimit: 3, retryDelay: 5, expireInSeconds: 60 * 60 } as const;

/** Queue a directory job in the caller's transaction: it is sent if, and when, that commits. */
export function queueDirectoryJob<Q extends "directory.ldapSync" | "directory.reconcile">(em: EntityManager, queue: Q, payload: JobPayload<Q>): Promise<string> {
  return enqueueInTransaction(em, queue, payload, { ...DIRECTORY_SEND_OPTIONS, id: randomUUID() });
}

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
    if (!dryRun) await recordLdapRun(em, ctx.organization.id);
    await queueDirectoryJob(em, "directory.ldapSync", { organizationId: ctx.organization.id, runId, dryRun });
    audit(em, ctx, { action: "directory.manage", targetType: "sync_run", targetId: runId, changes: { sync: { before: null, after: dryRun ? "dry run" : "run" } } });
    await em.flush();
    return { run_id: runId };
  });
}

/** Record a reconcile of the SCIM directory (as last pushed) and queue it; `dryRun` previews the plan. */
export async function requestScimSync(ctx: OrgContext, dryRun: boolean): Promise<{ run_id: string }> {
  return ctx.em.transactional(async (em) => {
    const runId = await startRun(em, { organizationId: ctx.organization.id, source: "scim", trigger: "manual", dryRun, requestedBy: ctx.user.id });
    await queueDirectoryJob(em, "directory.reconcile", { organizationId: ctx.organization.id, source: "scim", dryRun, runId });
    audit(em, ctx, { action: "directory.manage", targetType: "sync_run", targetId: runId, changes: { sync: { before: null, after: dryRun ? "dry run" : "run" } } });
    await em.flush();
    return { run_id: runId };
  });
}

/** A person a run names (who requested or approved it); null once the account is deleted. */
export interface PersonRef {
  id: number;
  name: string;
  email: string;
}

type PlanKind = (typeof PLAN_KINDS)[number];
type Entry<K extends PlanKind> = Plan[K][number];
/**
 * A plan entry as the API shows it: `name` is the member's current name in Lattice, else the
 * directory's name recorded with the plan, else null; workspaces and projects come with their
 * title, null when the workspace or project was deleted since the plan was made.
 */
export type PlanEntryView<K extends PlanKind> = Omit<Entry<K>, "name"> & { name: string | null } & (Entry<K> extends { workspace: number } ? { workspace_title: string | null } : unknown) &
  (Entry<K> extends { project: number } ? { project_title: string | null } : unknown);
export type PlanView = { [K in PlanKind]: PlanEntryView<K>[] };

export interface RunRow {
  id: string;
  source: DirectorySource;
  trigger: string;
  dry_run: boolean;
  status: string;
  counts: Record<string, number> | null;
  error: string | null;
  requested_by: PersonRef | null;
  approved_by: PersonRef | null;
  approved_at: string | null;
  created_at: string;
  finished_at: string | null;
}
export type RunDetail = RunRow & { plan: PlanView | null };

type RawRun = Omit<RunRow, "created_at" | "finished_at" | "approved_at" | "requested_by" | "approved_by"> & {
  plan?: unknown;
  created_at: Date;
  finished_at: Date | null;
  approved_at: Date | null;
  requested_by_id: number | null;
  requested_by_name: string | null;
  requested_by_email: string | null;
  approved_by_id: number | null;
  approved_by_name: string | null;
  approved_by_email: string | null;
};

/** A run with the people who requested and approved it (a deleted account: its id is null). */
const RUN_SELECT = `select r.id, r.source, r.trigger, r.dry_run, r.status, r.counts, r.error, r.created_at, r.finished_at, r.approved_at,
         rq.id as requested_by_id, rq.name as requested_by_name, rq.email as requested_by_email,
         ap.id as approved_by_id, ap.name as approved_by_name, ap.email as approved_by_email`;
const RUN_FROM = `from sync_runs r left join users rq on rq.id = r.requested_by_id left join users ap on ap.id = r.approved_by_id`;

const person = (id: number | null, name: string | null, email: string | null): PersonRef | null => (id === null ? null : { id, name: name ?? "", email: email ?? "" });

function runView(r: RawRun): RunRow {
  return {
    id: r.id,
    source: r.source,
    trigger: r.trigger,
    dry_run: r.dry_run,
    status: r.status,
    counts: r.counts,
    error: r.error,
    requested_by: person(r.requested_by_id, r.requested_by_name, r.requested_by_email),
    approved_by: person(r.approved_by_id, r.approved_by_name, r.approved_by_email),
    approved_at: r.approved_at ? new Date(r.approved_at).toISOString() : null,
    created_at: new Date(r.created_at).toISOString(),
    finished_at: r.finished_at ? new Date(r.finished_at).toISOString() : null,
  };
}

type StoredEntry = { email?: unknown; name?: unknown; user_id?: unknown; workspace?: unknown; project?: unknown };

/**
 * A stored plan with names: the workspaces, projects and members it mentions are read in one
 * query (of this organization only), whatever the plan's size.
 */
export async function planView(em: EntityManager, organizationId: number, stored: unknown): Promise<PlanView | null> {
  if (!stored || typeof stored !== "object") return null;
  const lists = PLAN_KINDS.map((k) => {
    const v = (stored as Record<string, unknown>)[k];
    return [k, (Array.isArray(v) ? v : []) as StoredEntry[]] as const;
  });
  const ids = { w: new Set<number>(), p: new Set<number>(), u: new Set<number>() };
  for (const [, list] of lists) {
    for (const e of list) {
      if (typeof e.workspace === "number") ids.w.add(e.workspace);
      if (typeof e.project === "number") ids.p.add(e.project);
      if (typeof e.user_id === "number") ids.u.add(e.user_id);
    }
  }
  const names = { w: new Map<number, string>(), p: new Map<number, string>(), u: new Map<number, string>() };
  if (ids.w.size + ids.p.size + ids.u.size > 0) {
    const json = (set: Set<number>) => JSON.stringify([...set]);
    const rows = await em.execute<{ kind: "w" | "p" | "u"; id: number; name: string }[]>(
      `select 'w' as kind, w.id, w.title as name from workspaces w
        where w.organization_id = ? and w.id in (select jsonb_array_elements_text(?::jsonb)::int)
       union all
       select 'p', p.id, p.title from projects p
        where p.organization_id = ? and p.id in (select jsonb_array_elements_text(?::jsonb)::int)
       union all
       select 'u', u.id, u.name from users u join memberships m on m.user_id = u.id and m.organization_id = ?
        where u.id in (select jsonb_array_elements_text(?::jsonb)::int)`,
      [organizationId, json(ids.w), organizationId, json(ids.p), organizationId, json(ids.u)],
    );
    for (const r of rows) names[r.kind].set(r.id, r.name);
  }
  const view = Object.fromEntries(
    lists.map(([k, list]) => [
      k,
      list.map((e) => ({
        ...e,
        name: (typeof e.user_id === "number" ? names.u.get(e.user_id) : undefined) || (typeof e.name === "string" && e.name) || null,
        ...(typeof e.workspace === "number" ? { workspace_title: names.w.get(e.workspace) ?? null } : {}),
        ...(typeof e.project === "number" ? { project_title: names.p.get(e.project) ?? null } : {}),
      })),
    ]),
  );
  return view as PlanView;
}

export async function listRuns(ctx: OrgContext, page: number, pageSize: number) {
  const rows = await ctx.em.execute<(RawRun & { total: string })[]>(
    `${RUN_SELECT}, count(*) over () as total ${RUN_FROM}
      where r.organization_id = ? order by r.created_at desc, r.id limit ? offset ?`,
    [ctx.organization.id, pageSize, (page - 1) * pageSize],
  );
  return { count: Number(rows[0]?.total ?? 0), results: rows.map((r) => runView(r)) };
}

export async function getRun(ctx: OrgContext, runId: string): Promise<RunDetail> {
  const [r] = await ctx.em.execute<RawRun[]>(`${RUN_SELECT}, r.plan ${RUN_FROM} where r.organization_id = ? and r.id = ?`, [ctx.organization.id, runId]);
  if (!r) throw new DomainError("NOT_FOUND", "No such sync run.");
  return { ...runView(r), plan: await planView(ctx.em, ctx.organization.id, r.plan) };
}

/**
 * Approve a run the guard held: a run of the same source carrying out that approval is queued.
 * It reads the directory again and applies only if it removes no more than the run approved.
 */
export async function approveRun(ctx: OrgContext, runId: string): Promise<{ run_id: string }> {
  return ctx.em.transactional(async (em) => {
    const [r] = await em.execute<{ source: DirectorySource; status: string }[]>(`select source, status from sync_runs where organization_id = ? and id = ? for update`, [
      ctx.organization.id,
      runId,
    ]);
    if (!r) throw new DomainError("NOT_FOUND", "No such sync run.");
    if (r.status !== "needs_approval") throw new DomainError("CONFLICT", `Only a run that needs approval can be approved; this one is ${r.status.replace("_", " ")}.`);
    await em.execute(`update sync_runs set status = 'approved', approved_by_id = ?, approved_at = now() where id = ?`, [ctx.user.id, runId]);
    // The run that carries out this approval names the approver too.
    const next = await startRun(em, { organizationId: ctx.organization.id, source: r.source, trigger: "approval", dryRun: false, requestedBy: ctx.user.id, approvedBy: ctx.user.id });
    if (r.source === "ldap") {
      await recordLdapRun(em, ctx.organization.id);
      await queueDirectoryJob(em, "directory.ldapSync", { organizationId: ctx.organization.id, runId: next, dryRun: false, approvedRunId: runId });
    } else {
      await queueDirectoryJob(em, "directory.reconcile", { organizationId: ctx.organization.id, source: r.source, dryRun: false, runId: next, approvedRunId: runId });
    }
    audit(em, ctx, { action: "directory.manage", targetType: "sync_run", targetId: runId, changes: { status: { before: "needs_approval", after: "approved" } } });
    await em.flush();
    return { run_id: next };
  });
}
