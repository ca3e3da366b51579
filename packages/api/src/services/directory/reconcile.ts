// The one reconciler for both directory sources (SCIM push, LDAP pull). It reads the directory
// as last seen (a snapshot: the directory tables, or an LDAP read not yet written), compares it
// with the organization's memberships, workspace and project members, and produces a complete
// plan. The plan is applied set-based in one transaction — unless it is a dry run, or the
// mass-deprovisioning guard holds it for an administrator's approval. Every run is recorded.
import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import { assignableRoles, highestRole, roleRank, type Edition, type Role } from "@lattice/policy";
import { loadConfig } from "../../config.js";
import type { DirectorySource, PROJECT_ROLES } from "../../db/entities.js";
import { normalizeEmail } from "../accounts.js";
import { readSettings, type SettingsRow } from "./settings.js";

export interface SnapshotUser {
  /** Stable key within the snapshot (directory user id or LDAP DN). */
  key: string;
  userName: string;
  email: string;
  name: string;
  active: boolean;
}
export interface SnapshotGroup {
  key: string;
  displayName: string;
  externalId: string | null;
  /** Keys of member users. */
  members: string[];
}
export interface Snapshot {
  users: SnapshotUser[];
  groups: SnapshotGroup[];
}

type ProjectRole = (typeof PROJECT_ROLES)[number];

/**
 * Who an entry is about: the e-mail, and the name the directory gives (recorded with the plan so
 * that a preview reads by name even for people who are not members yet; absent for people no
 * longer in the directory, and in plans recorded before names were).
 */
interface PlanPerson {
  email: string;
  name?: string;
}

export interface Plan {
  /** Lattice accounts created (no password). */
  create: (PlanPerson & { name: string })[];
  /** Memberships created or re-activated. */
  activate: (PlanPerson & { user_id: number | null; role: Role; from: string | null })[];
  change_role: (PlanPerson & { user_id: number; from: Role; to: Role })[];
  deactivate: (PlanPerson & { user_id: number; from: Role | null })[];
  /** Activations left out because the organization's seat limit is reached. */
  skipped_no_seat: (PlanPerson & { role: Role })[];
  /** Memberships whose `source` becomes this directory (authoritative switch on). */
  adopt: (PlanPerson & { user_id: number; from: string })[];
  workspace_join: (PlanPerson & { user_id: number | null; workspace: number })[];
  workspace_leave: (PlanPerson & { user_id: number; workspace: number })[];
  project_join: (PlanPerson & { user_id: number | null; project: number; role: ProjectRole })[];
  project_change: (PlanPerson & { user_id: number; project: number; from: ProjectRole | null; to: ProjectRole })[];
  project_leave: (PlanPerson & { user_id: number; project: number })[];
}

export const PLAN_KINDS = [
  "create",
  "activate",
  "change_role",
  "deactivate",
  "skipped_no_seat",
  "adopt",
  "workspace_join",
  "workspace_leave",
  "project_join",
  "project_change",
  "project_leave",
] as const satisfies readonly (keyof Plan)[];

/**
 * The size of each list of the plan, the directory's size, and what the guard weighs removals
 * against: the active members, workspace memberships and (direct) project memberships this
 * directory manages before the run.
 */
export type Counts = Record<keyof Plan, number> & {
  directory_users: number;
  directory_groups: number;
  managed_active: number;
  managed_workspace_members: number;
  managed_project_members: number;
};

export interface RunResult {
  runId: string;
  status: "planned" | "applied" | "needs_approval" | "failed";
  counts: Counts;
  plan: Plan;
  reason?: string;
}

function emptyPlan(): Plan {
  return { create: [], activate: [], change_role: [], deactivate: [], skipped_no_seat: [], adopt: [], workspace_join: [], workspace_leave: [], project_join: [], project_change: [], project_leave: [] };
}

/** The directory tables of one source as a snapshot (two queries). */
export async function loadSnapshot(em: EntityManager, organizationId: number, source: DirectorySource): Promise<Snapshot> {
  const users = await em.execute<{ id: string; user_name: string; email: string; display_name: string; given_name: string; family_name: string; active: boolean }[]>(
    `select id, user_name, email, display_name, given_name, family_name, active from directory_users where organization_id = ? and source = ?`,
    [organizationId, source],
  );
  const groups = await em.execute<{ id: string; display_name: string; external_id: string | null; members: string[] | null }[]>(
    `select g.id, g.display_name, g.external_id, array_agg(m.user_id::text) filter (where m.user_id is not null) as members
       from directory_groups g left join directory_group_members m on m.group_id = g.id
      where g.organization_id = ? and g.source = ? group by g.id`,
    [organizationId, source],
  );
  return {
    users: users.map((u) => ({
      key: u.id,
      userName: u.user_name,
      email: u.email,
      name: u.display_name || [u.given_name, u.family_name].filter(Boolean).join(" "),
      active: u.active,
    })),
    groups: groups.map((g) => ({ key: g.id, displayName: g.display_name, externalId: g.external_id, members: g.members ?? [] })),
  };
}

interface MemberState {
  id: number;
  user_id: number;
  email: string;
  role: Role | null;
  status: "pending" | "active" | "deactivated";
  source: string;
}

/** Compute the plan (read-only; a bounded number of queries). */
export async function computePlan(em: EntityManager, organizationId: number, source: DirectorySource, snapshot: Snapshot, settings: SettingsRow, edition: Edition) {
  const plan = emptyPlan();
  const mappings = settings.mappings;
  const matches = (g: SnapshotGroup, name: string) => g.displayName.toLowerCase() === name.toLowerCase() || (g.externalId !== null && g.externalId === name);
  // Mappings saved under another edition may name roles this one does not assign: they grant nothing.
  const assignable: readonly string[] = assignableRoles(edition);

  // Groups of each directory user (by key).
  const groupsOf = new Map<string, SnapshotGroup[]>();
  for (const g of snapshot.groups) {
    for (const k of g.members) {
      const list = groupsOf.get(k);
      if (list) list.push(g);
      else groupsOf.set(k, [g]);
    }
  }

  // One directory identity per e-mail (an active entry wins over an inactive duplicate).
  const byEmail = new Map<string, SnapshotUser>();
  for (const u of snapshot.users) {
    const email = normalizeEmail(u.email);
    if (!email) continue;
    const prev = byEmail.get(email);
    if (!prev || (!prev.active && u.active)) byEmail.set(email, { ...u, email });
  }

  const desiredRole = new Map<string, Role | null>();
  const userGroups = new Map<string, SnapshotGroup[]>();
  for (const [email, u] of byEmail) {
    const gs = groupsOf.get(u.key) ?? [];
    userGroups.set(email, gs);
    const roles = mappings.roles.filter((m) => assignable.includes(m.role) && gs.some((g) => matches(g, m.group))).map((m) => m.role as Role);
    desiredRole.set(email, u.active && roles.length > 0 ? (highestRole(roles) ?? null) : null);
  }

  const members = await em.execute<MemberState[]>(
    `select m.id, m.user_id, u.email, m.role, m.status, m.source from memberships m join users u on u.id = m.user_id where m.organization_id = ?`,
    [organizationId],
  );
  const memberByEmail = new Map(members.map((m) => [m.email, m]));
  const emails = [...byEmail.keys()];
  const existingUsers = emails.length
    ? await em.execute<{ id: number; email: string }[]>(`select id, email from users where email in (select jsonb_array_elements_text(?::jsonb))`, [JSON.stringify(emails)])
    : [];
  const userIdByEmail = new Map(existingUsers.map((u) => [u.email, u.id]));
  const managed = (m: MemberState) => m.role !== "owner" && (m.source === source || (settings.authoritative_roles && m.source === "manual"));

  /** Who is an active member once the plan is applied. */
  const activeAfter = new Set<string>();
  for (const m of members) if (m.status === "active") activeAfter.add(m.email);

  for (const [email, u] of byEmail) {
    const want = desiredRole.get(email) ?? null;
    const m = memberByEmail.get(email);
    if (want) {
      if (!m) {
        if (!userIdByEmail.has(email)) plan.create.push({ email, name: u.name.slice(0, 200) });
        plan.activate.push({ email, user_id: userIdByEmail.get(email) ?? null, role: want, from: null });
        activeAfter.add(email);
      } else if (managed(m)) {
        if (m.status !== "active") {
          plan.activate.push({ email, user_id: m.user_id, role: want, from: m.status });
          activeAfter.add(email);
        } else if (m.role !== want) {
          plan.change_role.push({ email, user_id: m.user_id, from: m.role!, to: want });
        }
        if (m.source !== source) plan.adopt.push({ email, user_id: m.user_id, from: m.source });
      }
    } else if (m && managed(m) && m.status === "active") {
      plan.deactivate.push({ email, user_id: m.user_id, from: m.role });
      activeAfter.delete(email);
    }
  }
  // Members this directory manages who are no longer in it.
  for (const m of members) {
    if (m.source === source && m.role !== "owner" && m.status === "active" && !byEmail.has(m.email)) {
      plan.deactivate.push({ email: m.email, user_id: m.user_id, from: m.role });
      activeAfter.delete(m.email);
    }
  }
  const managedActive = members.filter((m) => m.status === "active" && managed(m)).length;

  // The seat limit holds for the directory too: activations past it are left out (most
  // elevated roles first), and listed in the plan.
  const [org] = await em.execute<{ seat_limit: number | null }[]>(`select seat_limit from organizations where id = ?`, [organizationId]);
  if (org?.seat_limit !== null && org?.seat_limit !== undefined) {
    const activeNow = members.filter((m) => m.status === "active").length;
    const free = Math.max(0, org.seat_limit - (activeNow - plan.deactivate.length));
    if (plan.activate.length > free) {
      const ordered = [...plan.activate].sort((a, b) => roleRank(b.role) - roleRank(a.role) || a.email.localeCompare(b.email));
      const keep = new Set(ordered.slice(0, free).map((a) => a.email));
      for (const a of plan.activate) {
        if (keep.has(a.email)) continue;
        plan.skipped_no_seat.push({ email: a.email, role: a.role });
        activeAfter.delete(a.email);
      }
      plan.activate = plan.activate.filter((a) => keep.has(a.email));
      const skipped = new Set(plan.skipped_no_seat.map((x) => x.email));
      plan.create = plan.create.filter((c) => !skipped.has(c.email));
    }
  }

  // ---- Workspaces ----
  const wsIds = [...new Set(mappings.workspaces.map((m) => m.workspace))];
  const prIds = [...new Set(mappings.projects.map((m) => m.project))];
  const validWs = new Set(
    wsIds.length
      ? (
          await em.execute<{ id: number }[]>(`select id from workspaces where organization_id = ? and not is_sandbox and id in (select jsonb_array_elements_text(?::jsonb)::int)`, [
            organizationId,
            JSON.stringify(wsIds),
          ])
        ).map((r) => r.id)
      : [],
  );
  const validPr = new Set(
    prIds.length
      ? (
          await em.execute<{ id: number }[]>(`select id from projects where organization_id = ? and id in (select jsonb_array_elements_text(?::jsonb)::int)`, [
            organizationId,
            JSON.stringify(prIds),
          ])
        ).map((r) => r.id)
      : [],
  );
  // Only the rows the plan can touch: this directory's, and those of the mapped workspaces.
  const wsRows = await em.execute<{ workspace_id: number; user_id: number; email: string; source: string }[]>(
    `select wm.workspace_id, wm.user_id, u.email, wm.source from workspace_members wm join users u on u.id = wm.user_id
      where wm.organization_id = ? and (wm.source = ? or wm.workspace_id in (select jsonb_array_elements_text(?::jsonb)::int))`,
    [organizationId, source, JSON.stringify([...validWs])],
  );
  const wsManaged = (r: { workspace_id: number; source: string }) => r.source === source || (settings.authoritative_workspaces && validWs.has(r.workspace_id));
  const prManaged = (projectId: number, rowSource: string) => rowSource === source || (settings.authoritative_projects && validPr.has(projectId));
  const wantWs = new Set<string>();
  const wantPr = new Map<string, ProjectRole>();
  for (const [email, u] of byEmail) {
    if (!u.active || !activeAfter.has(email)) continue;
    const gs = userGroups.get(email) ?? [];
    for (const m of mappings.workspaces) if (validWs.has(m.workspace) && gs.some((g) => matches(g, m.group))) wantWs.add(`${m.workspace}|${email}`);
    for (const m of mappings.projects) {
      if (!validPr.has(m.project) || !gs.some((g) => matches(g, m.group))) continue;
      const k = `${m.project}|${email}`;
      const prev = wantPr.get(k);
      if (!prev || roleRank(m.role) > roleRank(prev)) wantPr.set(k, m.role);
    }
  }
  const haveWs = new Map(wsRows.map((r) => [`${r.workspace_id}|${r.email}`, r]));
  for (const k of wantWs) {
    if (haveWs.has(k)) continue;
    const [ws, email] = [Number(k.split("|")[0]), k.slice(k.indexOf("|") + 1)];
    plan.workspace_join.push({ email, user_id: userIdByEmail.get(email) ?? null, workspace: ws });
  }
  for (const r of wsRows) {
    if (wsManaged(r) && !wantWs.has(`${r.workspace_id}|${r.email}`)) plan.workspace_leave.push({ email: r.email, user_id: r.user_id, workspace: r.workspace_id });
  }

  // ---- Projects ----
  const prRows = await em.execute<{ project_id: number; user_id: number; email: string; source: string; role: ProjectRole | null; direct: boolean }[]>(
    `select pm.project_id, pm.user_id, u.email, pm.source, pm.role, pm.direct from project_members pm join users u on u.id = pm.user_id
      where pm.organization_id = ? and (pm.source = ? or pm.project_id in (select jsonb_array_elements_text(?::jsonb)::int))`,
    [organizationId, source, JSON.stringify([...validPr])],
  );
  const havePr = new Map(prRows.map((r) => [`${r.project_id}|${r.email}`, r]));
  for (const [k, role] of wantPr) {
    const [project, email] = [Number(k.split("|")[0]), k.slice(k.indexOf("|") + 1)];
    const r = havePr.get(k);
    if (!r || !r.direct) plan.project_join.push({ email, user_id: userIdByEmail.get(email) ?? null, project, role });
    else if ((r.role !== role || r.source !== source) && prManaged(project, r.source)) {
      plan.project_change.push({ email, user_id: r.user_id, project, from: r.role, to: role });
    }
  }
  for (const r of prRows) {
    if (r.direct && prManaged(r.project_id, r.source) && !wantPr.has(`${r.project_id}|${r.email}`)) plan.project_leave.push({ email: r.email, user_id: r.user_id, project: r.project_id });
  }

  // Each entry with the directory's name of the person (see PlanPerson).
  for (const list of Object.values(plan) as PlanPerson[][]) {
    for (const e of list) {
      const name = e.name === undefined ? byEmail.get(e.email)?.name.slice(0, 200) : undefined;
      if (name) e.name = name;
    }
  }

  const counts = Object.fromEntries(Object.entries(plan).map(([k, v]) => [k, (v as unknown[]).length])) as Counts;
  counts.directory_users = snapshot.users.length;
  counts.directory_groups = snapshot.groups.length;
  counts.managed_active = managedActive;
  // With the predicates that decide the leaves above, so that the guard weighs like with like.
  counts.managed_workspace_members = wsRows.filter(wsManaged).length;
  counts.managed_project_members = prRows.filter((r) => r.direct && prManaged(r.project_id, r.source)).length;
  return { plan, counts };
}

/** The removals the guard weighs, each against what the directory manages before the run. */
const GUARDED = [
  { kind: "deactivate", of: "managed_active", what: (n: number, of: number) => `deactivate ${n} of ${of} directory-managed members` },
  { kind: "workspace_leave", of: "managed_workspace_members", what: (n: number, of: number) => `remove ${n} of ${of} directory-managed workspace memberships` },
  { kind: "project_leave", of: "managed_project_members", what: (n: number, of: number) => `remove ${n} of ${of} directory-managed project memberships` },
] as const satisfies readonly { kind: keyof Plan; of: keyof Counts; what: (n: number, of: number) => string }[];

/**
 * Whether the guard holds this plan back, and why. `approved` are the counts of the run an
 * administrator approved, when this run carries out that approval: it passes if it removes no
 * more than that run would have (each kind on its own), whatever the threshold. An empty
 * directory is held unless the run approved was itself held for being empty.
 */
export function guardReason(counts: Counts, snapshot: Snapshot, threshold: number, approved?: Partial<Counts> | null): string | null {
  if (snapshot.users.length === 0 && approved?.directory_users !== 0) {
    return "The directory returned no users; nothing was applied. Approve the run if the directory really is empty.";
  }
  if (approved) {
    // A count missing from a stored run bounds at 0: when in doubt, ask again.
    const over = GUARDED.filter((g) => counts[g.kind] > (approved[g.kind] ?? 0));
    if (over.length === 0) return null;
    const what = over.map((g) => `${g.what(counts[g.kind], counts[g.of])} (the approved run: ${approved[g.kind] ?? 0})`).join(", and ");
    return `The directory changed since the run was approved: this run would ${what}; nothing was applied. Approve this run to apply it.`;
  }
  // Removals with nothing managed to weigh them against are held too.
  const over = GUARDED.filter((g) => counts[g.kind] > 0 && (counts[g.of] === 0 || counts[g.kind] / counts[g.of] > threshold));
  if (over.length === 0) return null;
  const what = over.map((g) => g.what(counts[g.kind], counts[g.of])).join(", and ");
  return `The run would ${what} (more than ${Math.round(threshold * 100)}%); nothing was applied. Approve the run to apply it.`;
}

/**
 * The counts of the approved run `approvedRunId` of this organization and source, or null when
 * it has none (e.g. a failed LDAP read was approved: the new read is guarded as usual).
 */
async function approvedCounts(em: EntityManager, organizationId: number, source: DirectorySource, approvedRunId: string): Promise<Partial<Counts> | null> {
  const [row] = await em.execute<{ counts: Partial<Counts> | null }[]>(
    `select counts from sync_runs where id = ? and organization_id = ? and source = ? and status = 'approved'`,
    [approvedRunId, organizationId, source],
  );
  return row?.counts ?? null;
}

function planWrites(c: Counts): number {
  // skipped_no_seat writes nothing.
  return c.create + c.activate + c.change_role + c.deactivate + c.adopt + c.workspace_join + c.workspace_leave + c.project_join + c.project_change + c.project_leave;
}

/** Apply a plan set-based inside the caller's transaction. */
export async function applyPlan(em: EntityManager, organizationId: number, source: DirectorySource, plan: Plan): Promise<void> {
  const json = (v: unknown) => JSON.stringify(v);
  if (plan.create.length) {
    await em.execute(
      `insert into users (email, name, password_hash, created_at, updated_at)
       select v.email, v.name, null, now(), now() from jsonb_to_recordset(?::jsonb) as v(email text, name text)
       on conflict (email) do nothing`,
      [json(plan.create)],
    );
  }
  const needIds = [...new Set([...plan.activate, ...plan.workspace_join, ...plan.project_join].filter((x) => x.user_id === null).map((x) => x.email))];
  const ids = new Map<string, number>();
  if (needIds.length) {
    const rows = await em.execute<{ id: number; email: string }[]>(`select id, email from users where email in (select jsonb_array_elements_text(?::jsonb))`, [json(needIds)]);
    for (const r of rows) ids.set(r.email, r.id);
  }
  const uid = (x: { email: string; user_id: number | null }) => x.user_id ?? ids.get(x.email)!;

  if (plan.activate.length) {
    const rows = plan.activate.map((a) => ({ user_id: uid(a), role: a.role }));
    await em.execute(
      `insert into memberships (organization_id, user_id, role, status, source, created_at, updated_at)
       select ?, v.user_id, v.role, 'active', ?, now(), now() from jsonb_to_recordset(?::jsonb) as v(user_id int, role text)
       on conflict (organization_id, user_id) do update set role = excluded.role, status = 'active', updated_at = now()
         where memberships.role is distinct from 'owner'`,
      [organizationId, source, json(rows)],
    );
    // Each member has a private sandbox (created with the membership, kept across removal).
    await em.execute(
      `insert into workspaces (organization_id, title, color, description, is_sandbox, sandbox_user_id, created_by_id, created_at, updated_at)
       select ?, 'Sandbox', '#868e96', 'Your private workspace: only you see it and its projects.', true, v.user_id, v.user_id, now(), now()
         from jsonb_to_recordset(?::jsonb) as v(user_id int)
       on conflict do nothing`,
      [organizationId, json(rows)],
    );
    await em.execute(
      `update users u set active_organization_id = ? from jsonb_to_recordset(?::jsonb) as v(user_id int) where u.id = v.user_id and u.active_organization_id is null`,
      [organizationId, json(rows)],
    );
  }
  if (plan.change_role.length) {
    await em.execute(
      `update memberships m set role = v.role, updated_at = now() from jsonb_to_recordset(?::jsonb) as v(user_id int, role text)
        where m.organization_id = ? and m.user_id = v.user_id and m.role <> 'owner'`,
      [json(plan.change_role.map((c) => ({ user_id: c.user_id, role: c.to }))), organizationId],
    );
  }
  if (plan.adopt.length) {
    await em.execute(`update memberships set source = ? where organization_id = ? and user_id in (select jsonb_array_elements_text(?::jsonb)::int)`, [
      source,
      organizationId,
      json(plan.adopt.map((a) => a.user_id)),
    ]);
  }
  if (plan.deactivate.length) {
    const userIds = json(plan.deactivate.map((d) => d.user_id));
    await em.execute(
      `update memberships set status = 'deactivated', role = null, updated_at = now()
        where organization_id = ? and role is distinct from 'owner' and user_id in (select jsonb_array_elements_text(?::jsonb)::int)`,
      [organizationId, userIds],
    );
    await em.execute(
      `update api_tokens set revoked_at = now() where organization_id = ? and revoked_at is null and user_id in (select jsonb_array_elements_text(?::jsonb)::int)`,
      [organizationId, userIds],
    );
  }
  if (plan.workspace_leave.length) {
    await em.execute(
      `delete from workspace_members wm using jsonb_to_recordset(?::jsonb) as v(workspace int, user_id int)
        where wm.organization_id = ? and wm.workspace_id = v.workspace and wm.user_id = v.user_id`,
      [json(plan.workspace_leave), organizationId],
    );
  }
  if (plan.workspace_join.length) {
    await em.execute(
      `insert into workspace_members (organization_id, workspace_id, user_id, source, created_at)
       select ?, v.workspace, v.user_id, ?, now() from jsonb_to_recordset(?::jsonb) as v(workspace int, user_id int)
       on conflict (workspace_id, user_id) do nothing`,
      [organizationId, source, json(plan.workspace_join.map((j) => ({ workspace: j.workspace, user_id: uid(j) })))],
    );
  }
  if (plan.project_leave.length) {
    const rows = json(plan.project_leave);
    // Members who also hold task assignments stay (as assigned), only the direct membership goes.
    await em.execute(
      `update project_members pm set direct = false, role = null, source = 'manual' from jsonb_to_recordset(?::jsonb) as v(project int, user_id int)
        where pm.organization_id = ? and pm.project_id = v.project and pm.user_id = v.user_id and pm.assigned`,
      [rows, organizationId],
    );
    await em.execute(
      `delete from project_members pm using jsonb_to_recordset(?::jsonb) as v(project int, user_id int)
        where pm.organization_id = ? and pm.project_id = v.project and pm.user_id = v.user_id and not pm.assigned`,
      [rows, organizationId],
    );
  }
  const upserts = [
    ...plan.project_join.map((j) => ({ project: j.project, user_id: uid(j), role: j.role })),
    ...plan.project_change.map((c) => ({ project: c.project, user_id: c.user_id, role: c.to })),
  ];
  if (upserts.length) {
    await em.execute(
      `insert into project_members (organization_id, project_id, user_id, direct, assigned, source, role, created_at)
       select ?, v.project, v.user_id, true, false, ?, v.role, now() from jsonb_to_recordset(?::jsonb) as v(project int, user_id int, role text)
       on conflict (project_id, user_id) do update set direct = true, source = excluded.source, role = excluded.role`,
      [organizationId, source, json(upserts)],
    );
  }
}

export interface ReconcileOptions {
  organizationId: number;
  source: DirectorySource;
  /** Preview only: compute and record the plan, apply nothing. */
  dryRun?: boolean;
  /**
   * This run carries out an administrator's approval of that held run: the guard lets it
   * remove as much as the approved run would have, and no more.
   */
  approvedRunId?: string;
  /** Which roles groups may grant; default: the instance's (LATTICE_EDITION). */
  edition?: Edition;
  trigger?: string;
  requestedBy?: number | null;
  /** The directory to reconcile against; default: the directory tables. */
  snapshot?: Snapshot;
  /** An already-recorded run to complete (LDAP sync records its run before reading). */
  runId?: string;
  /** Called inside the transaction before the plan is applied (the LDAP sync writes its tables here). */
  beforeApply?: (em: EntityManager) => Promise<void>;
}

/** Record a run in state `running`. */
export async function startRun(
  em: EntityManager,
  o: { organizationId: number; source: DirectorySource; trigger: string; dryRun: boolean; requestedBy?: number | null; approvedBy?: number | null },
): Promise<string> {
  const id = randomUUID();
  const approvedBy = o.approvedBy ?? null;
  await em.execute(
    `insert into sync_runs (id, organization_id, source, trigger, dry_run, status, requested_by_id, approved_by_id, approved_at, created_at)
     values (?, ?, ?, ?, ?, 'running', ?, ?::int, case when ?::int is null then null else now() end, now())`,
    [id, o.organizationId, o.source, o.trigger.slice(0, 20), o.dryRun, o.requestedBy ?? null, approvedBy, approvedBy],
  );
  return id;
}

export async function finishRun(em: EntityManager, runId: string, r: { status: string; counts?: unknown; plan?: unknown; error?: string | null }): Promise<void> {
  await em.execute(`update sync_runs set status = ?, counts = ?::jsonb, plan = ?::jsonb, error = ?, finished_at = now() where id = ?`, [
    r.status,
    r.counts === undefined ? null : JSON.stringify(r.counts),
    r.plan === undefined ? null : JSON.stringify(r.plan),
    r.error ?? null,
    runId,
  ]);
}

/**
 * Reconcile one organization with one directory source: plan, then apply (or record as a dry
 * run, or hold for approval). Serialised per organization by the organization's row lock.
 */
export async function reconcile(rootEm: EntityManager, o: ReconcileOptions): Promise<RunResult> {
  const runId = o.runId ?? (await startRun(rootEm.fork(), { organizationId: o.organizationId, source: o.source, trigger: o.trigger ?? "manual", dryRun: !!o.dryRun, requestedBy: o.requestedBy }));
  try {
    return await rootEm.fork().transactional(async (em) => {
      await em.execute(`select id from organizations where id = ? for update`, [o.organizationId]);
      const settings = await readSettings(em, o.organizationId);
      const snapshot = o.snapshot ?? (await loadSnapshot(em, o.organizationId, o.source));
      const { plan, counts } = await computePlan(em, o.organizationId, o.source, snapshot, settings, o.edition ?? loadConfig().LATTICE_EDITION);
      const approved = o.approvedRunId ? await approvedCounts(em, o.organizationId, o.source, o.approvedRunId) : undefined;
      const reason = guardReason(counts, snapshot, settings.guard_threshold, approved);
      let status: RunResult["status"];
      if (o.dryRun) status = "planned";
      else if (reason) status = "needs_approval";
      else {
        if (o.beforeApply) await o.beforeApply(em);
        if (planWrites(counts) > 0) {
          await applyPlan(em, o.organizationId, o.source, plan);
          await em.execute(
            `insert into activity_logs (organization_id, actor_id, action, target_type, target_id, changes, method, path, ip, created_at)
             values (?, coalesce(?, (select requested_by_id from sync_runs where id = ?)), 'directory.sync', 'sync_run', ?, ?::jsonb, '', '', '', now())`,
            // A queued run was recorded with its requester (the worker passes only the run id).
            [o.organizationId, o.requestedBy ?? null, runId, runId, JSON.stringify({ counts: { before: null, after: counts } })],
          );
        }
        status = "applied";
      }
      await finishRun(em, runId, { status, counts, plan, error: reason });
      return { runId, status, counts, plan, ...(reason ? { reason } : {}) };
    });
  } catch (err) {
    await finishRun(rootEm.fork(), runId, { status: "failed", error: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}
