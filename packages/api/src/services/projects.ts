// Projects: the list everyone lands on (visibility in SQL), create/read/update/move/delete,
// pins, project members, custom templates and the access review.
import { can, explain, projectReadRule, ROLES, scopeRule, type ProjectFact, type ProjectFacts, type Role } from "@lattice/policy";
import type { Context } from "../context.js";
import type { IMembership, IOrganization, IUser, ProjectSettings } from "../db/entities.js";
import { DomainError } from "../errors.js";
import { audit, diff } from "./audit.js";
import {
  factsOf,
  projectFactColumns,
  projectFor,
  projectRuleFor,
  projectRuleSql,
  projectVisibleIdsSql,
  workspaceFor,
  type FactColumns,
  type ProjectDetailRow,
  type ProjectRow,
  type Sql,
} from "./visibility.js";
import { assertActiveMember, ownSandboxId, subjectOf, type PersonRow } from "./workspaces.js";
import { assertProjectNotDirectoryManaged } from "./directory/settings.js";
import { pageLinks, pageTotal } from "./paging.js";
import { containsPattern } from "./sql.js";

type OrgContext = Context & { organization: IOrganization; membership: IMembership; user: IUser };

export const DEFAULT_SETTINGS: ProjectSettings = {
  annotators_may_view_own_data: false,
  labeling_restricted_to_assigned: true,
};

function settingsOf(raw: unknown): ProjectSettings {
  const s = (raw && typeof raw === "object" ? raw : {}) as Partial<ProjectSettings>;
  return { ...DEFAULT_SETTINGS, ...s };
}

/** A project as lists show it, with the caller's facts about it (what can()/explain() take). */
export function projectView({ project: p, facts }: { project: ProjectRow; facts: ProjectFacts }) {
  return {
    id: p.id,
    title: p.title,
    description: p.description,
    workspace: p.workspace_id,
    workspace_title: p.workspace_title,
    workspace_color: p.workspace_color,
    pinned_at: p.pinned_at ? new Date(p.pinned_at).toISOString() : null,
    created_by: p.created_by_id,
    created_at: new Date(p.created_at).toISOString(),
    task_count: p.task_count,
    facts,
  };
}

/**
 * One project read on its own; `members_managed_by_directory`: its members cannot be changed
 * by hand.
 */
export function projectDetailView(found: { project: ProjectDetailRow; facts: ProjectFacts }) {
  const p = found.project;
  return {
    ...projectView(found),
    label_config: p.label_config,
    settings: settingsOf(p.settings),
    members_managed_by_directory: p.members_managed_by_directory === true,
  };
}

export type ProjectFilter = "all" | "pinned_only" | "exclude_pinned";

export interface ListProjectsInput {
  filter: ProjectFilter;
  page: number;
  page_size: number;
  search?: string;
  workspace?: number;
}

/**
 * One page of the projects the caller sees: pinned first (most recently pinned first), then
 * newest, paginating straight through the boundary. One query for the page (counting too when
 * it starts from a member's few projects), and a count apart only when neither it nor the page
 * tells the total (a full page, or an empty one past the first).
 */
export async function listProjects(ctx: OrgContext, input: ListProjectsInput) {
  const rule = projectRuleFor(subjectOf(ctx), projectReadRule(ctx.membership.role!));
  // Members (reviewers, annotators) see few projects: their ids first, by index. Roles that see
  // the organization scan it in list order, with the rule as a predicate.
  const visibleIds = projectVisibleIdsSql(rule, ctx.organization.id, ctx.user.id);
  const visibility = visibleIds ? { sql: `p.id = any(array(${visibleIds.sql}))`, params: visibleIds.params } : projectRuleSql(rule, ctx.user.id);
  // Both sides name the organization: its workspaces are found by index, not among every member's sandbox.
  const where = ["p.organization_id = ?", "w.organization_id = ?", `(${visibility.sql})`];
  const params: unknown[] = [ctx.organization.id, ctx.organization.id, ...visibility.params];
  if (input.filter === "pinned_only") where.push("p.pinned_at is not null");
  if (input.filter === "exclude_pinned") where.push("p.pinned_at is null");
  if (input.search) {
    where.push("p.title ilike ?");
    params.push(containsPattern(input.search));
  }
  if (input.workspace) {
    where.push("p.workspace_id = ?");
    params.push(input.workspace);
  }
  const from = `from projects p join workspaces w on w.id = p.workspace_id where ${where.join(" and ")}`;
  const offset = (input.page - 1) * input.page_size;
  // Starting from the member's ids, every visible row is read and sorted anyway: count them in
  // the same query. Scanning in list order, the page stops early and a count is apart.
  // The caller's facts come along (the cards' menus ask can() with them), worked out for the
  // page's rows only, not for the rows an offset skips.
  const facts = projectFactColumns(ctx.user.id);
  const rows = await ctx.em.execute<(ProjectRow & FactColumns & { total: string | null })[]>(
    `select page.*, ${facts.sql}
       from (select p.id, p.organization_id, p.workspace_id, p.title, p.description, p.created_by_id, p.pinned_at, p.task_count,
                    p.created_at, p.updated_at, w.title as workspace_title, w.color as workspace_color,
                    ${visibleIds ? "count(*) over ()" : "null"} as total
               ${from}
              order by p.pinned_at desc nulls last, p.id desc
              limit ? offset ?) page
       join projects p on p.id = page.id
       join workspaces w on w.id = p.workspace_id
      order by page.pinned_at desc nulls last, page.id desc`,
    [...facts.params, ...params, input.page_size, offset],
  );
  const windowTotal = rows[0]?.total;
  const count =
    windowTotal !== undefined && windowTotal !== null
      ? Number(windowTotal)
      : await pageTotal(offset, input.page_size, rows.length, async () => {
          const [c] = await ctx.em.execute<{ n: string }[]>(`select count(*) as n ${from}`, params);
          return Number(c?.n ?? 0);
        });
  const link = (page: number) => {
    const q = new URLSearchParams({ filter: input.filter, page: String(page), page_size: String(input.page_size) });
    if (input.search) q.set("search", input.search);
    if (input.workspace) q.set("workspace", String(input.workspace));
    return `/api/projects/?${q.toString()}`;
  };
  return {
    ...pageLinks(input.page, input.page_size, count, rows.length, link),
    results: rows.map((row) => projectView({ project: row, facts: factsOf(row) })),
  };
}

export async function getProject(ctx: OrgContext, id: number) {
  return projectDetailView(await projectFor(ctx.em, subjectOf(ctx), ctx.organization.id, ctx.user.id, id, "project.read"));
}

export interface CreateProjectInput {
  title: string;
  description?: string;
  workspace?: number;
  label_config?: string;
  settings?: Partial<ProjectSettings>;
  template_id?: number;
}

export async function createProject(ctx: OrgContext, input: CreateProjectInput) {
  return ctx.em.transactional(async (em) => {
    const workspaceId = input.workspace ?? (await ownSandboxId(em, ctx.organization.id, ctx.user.id));
    await workspaceFor(em, subjectOf(ctx), ctx.organization.id, ctx.user.id, workspaceId, "project.create", true);
    let labelConfig = input.label_config ?? "";
    let settings: ProjectSettings = { ...DEFAULT_SETTINGS };
    if (input.template_id) {
      const explainTpl = explain(subjectOf(ctx), "template.read");
      if (!explainTpl.allowed) throw new DomainError("FORBIDDEN", explainTpl.reason);
      const [tpl] = await em.execute<{ label_config: string; settings: ProjectSettings }[]>(
        `select label_config, settings from project_templates where id = ? and organization_id = ?`,
        [input.template_id, ctx.organization.id],
      );
      if (!tpl) throw new DomainError("NOT_FOUND", "Template not found.", { field: "template_id" });
      labelConfig = input.label_config ?? tpl.label_config;
      settings = settingsOf(tpl.settings);
    }
    settings = { ...settings, ...input.settings };
    const [row] = await em.execute<{ id: number }[]>(
      `insert into projects (organization_id, workspace_id, title, description, label_config, settings, created_by_id, task_count, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?::jsonb, ?, 0, now(), now()) returning id`,
      [ctx.organization.id, workspaceId, input.title, input.description ?? "", labelConfig, JSON.stringify(settings), ctx.user.id],
    );
    audit(em, ctx, { action: "project.create", targetType: "project", targetId: row!.id, changes: { title: { before: null, after: input.title }, workspace: { before: null, after: workspaceId } } });
    await em.flush();
    return projectDetailView(await projectFor(em, subjectOf(ctx), ctx.organization.id, ctx.user.id, row!.id, "project.read"));
  });
}

export interface UpdateProjectInput {
  title?: string;
  description?: string;
  label_config?: string;
  settings?: Partial<ProjectSettings>;
  /** Move the project to this workspace. */
  workspace?: number;
}

export async function updateProject(ctx: OrgContext, id: number, input: UpdateProjectInput) {
  return ctx.em.transactional(async (em) => {
    const subject = subjectOf(ctx);
    const { project } = await projectFor(em, subject, ctx.organization.id, ctx.user.id, id, "project.update", true);
    if (input.workspace !== undefined && input.workspace !== project.workspace_id) {
      // Moving is creating in the destination: the caller must be allowed to create projects there.
      const { workspace: destination } = await workspaceFor(em, subject, ctx.organization.id, ctx.user.id, input.workspace, "project.create", true);
      if (destination.is_sandbox) {
        // A sandbox cannot have members, so a project that has some cannot move into one.
        const [m] = await em.execute<{ n: string }[]>(`select count(*) as n from project_members where project_id = ?`, [id]);
        const n = Number(m?.n ?? 0);
        if (n > 0) {
          throw new DomainError(
            "RULE_REFUSED",
            `This project has ${n} member${n === 1 ? "" : "s"} and a sandbox cannot have members; remove them first or move it to another workspace.`,
            { field: "workspace" },
          );
        }
      }
    }
    const settings = input.settings ? { ...settingsOf(project.settings), ...input.settings } : null;
    await em.execute(
      `update projects set title = coalesce(?, title), description = coalesce(?, description), label_config = coalesce(?, label_config),
              settings = coalesce(?::jsonb, settings), workspace_id = coalesce(?, workspace_id), updated_at = now()
        where id = ?`,
      [input.title ?? null, input.description ?? null, input.label_config ?? null, settings ? JSON.stringify(settings) : null, input.workspace ?? null, id],
    );
    audit(em, ctx, {
      action: input.workspace !== undefined && input.workspace !== project.workspace_id ? "project.move" : "project.update",
      targetType: "project",
      targetId: id,
      changes: diff(
        { title: project.title, description: project.description, label_config: project.label_config, settings: settingsOf(project.settings), workspace: project.workspace_id },
        { title: input.title, description: input.description, label_config: input.label_config, settings: settings ?? undefined, workspace: input.workspace },
      ),
    });
    await em.flush();
    const after = await projectFor(em, subject, ctx.organization.id, ctx.user.id, id, "project.read").catch(() => null);
    if (!after) throw new DomainError("NOT_FOUND", "Project not found.");
    return projectDetailView(after);
  });
}

export async function deleteProject(ctx: OrgContext, id: number) {
  return ctx.em.transactional(async (em) => {
    const { project } = await projectFor(em, subjectOf(ctx), ctx.organization.id, ctx.user.id, id, "project.delete", true);
    await em.execute(`delete from projects where id = ?`, [id]);
    audit(em, ctx, { action: "project.delete", targetType: "project", targetId: id, changes: { title: { before: project.title, after: null } } });
    await em.flush();
    return { ok: true as const };
  });
}

/**
 * Pin or unpin; repeating either is harmless (and writes nothing). `pinnedAt` pins as of an
 * earlier moment, so that Undo of an unpin restores the project's place among the pinned.
 */
export async function setPinned(ctx: OrgContext, id: number, pinned: boolean, pinnedAt?: string) {
  return ctx.em.transactional(async (em) => {
    // Locked: the row read here is the row until the write below, which changes only the pin.
    const found = await projectFor(em, subjectOf(ctx), ctx.organization.id, ctx.user.id, id, "project.pin", true);
    if (pinnedAt !== undefined) {
      const [row] = await em.execute<{ future: boolean }[]>(`select ?::timestamptz > now() as future`, [pinnedAt]);
      if (row?.future) throw new DomainError("INVALID", "pinned_at: must not be in the future", { field: "pinned_at" });
    }
    const rows = await em.execute<{ pinned_at: Date | null }[]>(
      pinned
        ? `update projects set pinned_at = coalesce(?::timestamptz, now()), pinned_by_id = ? where id = ? and pinned_at is null returning pinned_at`
        : `update projects set pinned_at = null, pinned_by_id = null where id = ? and pinned_at is not null returning pinned_at`,
      pinned ? [pinnedAt ?? null, ctx.user.id, id] : [id],
    );
    const written = rows[0];
    if (written === undefined) return projectView(found);
    audit(em, ctx, { action: pinned ? "project.pin" : "project.unpin", targetType: "project", targetId: id, changes: { pinned: { before: !pinned, after: pinned } } });
    await em.flush();
    return projectView({ project: { ...found.project, pinned_at: written.pinned_at }, facts: found.facts });
  });
}

// ---- Project members ----

export async function listProjectMembers(ctx: OrgContext, id: number) {
  await projectFor(ctx.em, subjectOf(ctx), ctx.organization.id, ctx.user.id, id, "project.read");
  return ctx.em.execute<(PersonRow & { direct: boolean; assigned: boolean })[]>(
    `select u.id, u.email, u.name, pm.direct, pm.assigned from project_members pm join users u on u.id = pm.user_id
      where pm.project_id = ? and pm.organization_id = ? order by lower(u.name), u.email`,
    [id, ctx.organization.id],
  );
}

export async function addProjectMember(ctx: OrgContext, id: number, userId: number) {
  return ctx.em.transactional(async (em) => {
    await projectFor(em, subjectOf(ctx), ctx.organization.id, ctx.user.id, id, "project.manageMembers", true);
    await assertProjectNotDirectoryManaged(em, ctx.organization.id, id);
    await assertActiveMember(em, ctx.organization.id, userId);
    const rows = await em.execute<{ id: number }[]>(
      `insert into project_members (organization_id, project_id, user_id, direct, assigned, source, created_at) values (?, ?, ?, true, false, 'manual', now())
       on conflict (project_id, user_id) do update set direct = true where not project_members.direct returning id`,
      [ctx.organization.id, id, userId],
    );
    if (rows.length > 0) {
      audit(em, ctx, { action: "project.manageMembers", targetType: "project", targetId: id, changes: { member: { before: null, after: userId } } });
      await em.flush();
    }
    return { ok: true as const };
  });
}

export async function removeProjectMember(ctx: OrgContext, id: number, userId: number) {
  return ctx.em.transactional(async (em) => {
    await projectFor(em, subjectOf(ctx), ctx.organization.id, ctx.user.id, id, "project.manageMembers", true);
    await assertProjectNotDirectoryManaged(em, ctx.organization.id, id);
    // Direct membership ends; a membership through task assignments stays until they are removed.
    const deleted = await em.execute<{ id: number }[]>(
      `delete from project_members where project_id = ? and user_id = ? and direct and not assigned returning id`,
      [id, userId],
    );
    const updated = deleted.length
      ? deleted
      : await em.execute<{ id: number }[]>(`update project_members set direct = false where project_id = ? and user_id = ? and direct returning id`, [id, userId]);
    if (updated.length === 0) throw new DomainError("NOT_FOUND", "That person is not a direct member of this project.", { field: "user_id" });
    audit(em, ctx, { action: "project.manageMembers", targetType: "project", targetId: id, changes: { member: { before: userId, after: null } } });
    await em.flush();
    return { ok: true as const };
  });
}

// ---- Custom templates ----

export async function saveTemplate(ctx: OrgContext, input: { title: string; project_id: number; description?: string }) {
  return ctx.em.transactional(async (em) => {
    const { project } = await projectFor(em, subjectOf(ctx), ctx.organization.id, ctx.user.id, input.project_id, "template.save");
    const rows = await em.execute<{ id: number; created_at: Date }[]>(
      `insert into project_templates (organization_id, title, description, label_config, settings, created_by_id, created_at)
       values (?, ?, ?, ?, ?::jsonb, ?, now()) on conflict (organization_id, title) do nothing returning id, created_at`,
      [ctx.organization.id, input.title, input.description ?? "", project.label_config, JSON.stringify(settingsOf(project.settings)), ctx.user.id],
    );
    const row = rows[0];
    if (!row) throw new DomainError("CONFLICT", `A template named "${input.title}" already exists.`, { field: "title" });
    audit(em, ctx, { action: "template.save", targetType: "template", targetId: row.id, changes: { title: { before: null, after: input.title } } });
    await em.flush();
    return {
      id: row.id,
      title: input.title,
      description: input.description ?? "",
      label_config: project.label_config,
      settings: settingsOf(project.settings),
      created_by: ctx.user.id,
      created_at: new Date(row.created_at).toISOString(),
    };
  });
}

export async function listTemplates(ctx: OrgContext) {
  const rows = await ctx.em.execute<{ id: number; title: string; description: string; label_config: string; settings: unknown; created_by_id: number | null; created_at: Date }[]>(
    `select id, title, description, label_config, settings, created_by_id, created_at from project_templates where organization_id = ? order by lower(title), id`,
    [ctx.organization.id],
  );
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    description: r.description,
    label_config: r.label_config,
    settings: settingsOf(r.settings),
    created_by: r.created_by_id,
    created_at: new Date(r.created_at).toISOString(),
  }));
}

// ---- Access review ----

/** Why someone reaches a project, as the access review says it. */
export const ACCESS_REASONS = ["role", "own_sandbox", "workspace_member", "project_member", "task_assignment", "creator"] as const;
export type AccessReason = (typeof ACCESS_REASONS)[number];

/** Each tie a person can have to a project, with the reason it gives. */
const TIES = [
  ["ownSandbox", "own_sandbox"],
  ["workspaceMember", "workspace_member"],
  ["projectMember", "project_member"],
  ["assigned", "task_assignment"],
] as const satisfies readonly (readonly [ProjectFact, AccessReason])[];

/**
 * Why someone with `role` and these facts reaches the project, asked of the policy: `role` when
 * the role alone reaches it (no tie at all), and each tie that alone would let them in. `creator`
 * is said as well, for information (creating a project is no way in by itself).
 */
function accessReasons(role: Role, facts: ProjectFacts): AccessReason[] {
  const subject = { role, status: "active" as const };
  const untied: ProjectFacts = { ...facts, ownSandbox: false, workspaceMember: false, projectMember: false, assigned: false, createdByMe: false };
  const reasons: AccessReason[] = [];
  if (facts.ownSandbox && can(subject, "project.read", { ...untied, ownSandbox: true })) reasons.push("own_sandbox");
  if (can(subject, "project.read", untied)) reasons.push("role");
  for (const [fact, reason] of TIES) {
    if (fact !== "ownSandbox" && facts[fact] && can(subject, "project.read", { ...untied, [fact]: true })) reasons.push(reason);
  }
  if (facts.createdByMe) reasons.push("creator");
  return reasons;
}

/** The roles as a PostgreSQL array, lowest first: a role's position in it is its rank. */
const ROLES_LOWEST_FIRST = `{${ROLES.join(",")}}`;

/** "Someone with the role in `m.role` reaches `p`": each role's read rule, for the person `u.id`. */
function reachedByMemberSql(): Sql {
  const parts = ROLES.map((role) => {
    const rule = projectRuleSql(projectReadRule(role), { column: "u.id" });
    return { sql: `(m.role = '${role}' and (${rule.sql}))`, params: rule.params };
  });
  return { sql: parts.map((p) => p.sql).join(" or "), params: parts.flatMap((p) => p.params) };
}

/**
 * Who can reach the project and why: the active members whose role's read rule (compiled from
 * the policy, as for the list) admits it, filtered in SQL, with their facts; the reasons come
 * from the same rules.
 */
export async function projectAccess(ctx: OrgContext, id: number) {
  const { project } = await projectFor(ctx.em, subjectOf(ctx), ctx.organization.id, ctx.user.id, id, "project.viewAccess");
  const facts = projectFactColumns({ column: "u.id" });
  const reached = reachedByMemberSql();
  const rows = await ctx.em.execute<({ user_id: number; email: string; name: string; role: Role } & FactColumns)[]>(
    `select u.id as user_id, u.email, u.name, m.role, ${facts.sql}
       from memberships m join users u on u.id = m.user_id
       join projects p on p.id = ? and p.organization_id = m.organization_id
       join workspaces w on w.id = p.workspace_id
      where m.organization_id = ? and m.status = 'active' and (${reached.sql})
      order by array_position(?::text[], m.role) desc, lower(u.name), u.email`,
    [...facts.params, id, ctx.organization.id, ...reached.params, ROLES_LOWEST_FIRST],
  );
  const results = rows.map((r) => {
    const f = factsOf(r);
    return {
      user: { id: r.user_id, email: r.email, name: r.name },
      role: r.role,
      can_manage: can({ role: r.role, status: "active" }, "project.update", f),
      reasons: accessReasons(r.role, f),
    };
  });
  return { project: { id: project.id, title: project.title, workspace: project.workspace_id }, count: results.length, results };
}

/**
 * Which projects `userId` reaches and why, limited to the projects whose access the caller
 * may review (a manager: those they manage; administrators and the owner: all but other
 * people's sandboxes). One query: the target's read rule and the caller's review rule, both
 * compiled from the policy, with the target's facts per project.
 */
export async function userAccess(ctx: OrgContext, userId: number, page: number, pageSize: number) {
  const [target] = await ctx.em.execute<{ role: Role | null; status: string; email: string; name: string }[]>(
    `select m.role, m.status, u.email, u.name from memberships m join users u on u.id = m.user_id where m.organization_id = ? and m.user_id = ?`,
    [ctx.organization.id, userId],
  );
  if (!target) throw new DomainError("NOT_FOUND", "No such member in this organization.", { field: "user_id" });
  const person = { id: userId, email: target.email, name: target.name };
  if (target.status !== "active" || !target.role) return { user: person, role: null, count: 0, results: [] };
  const role = target.role;
  const facts = projectFactColumns(userId);
  const reach = projectRuleSql(projectReadRule(role), userId);
  const review = projectRuleSql(projectRuleFor(subjectOf(ctx), scopeRule("project.viewAccess", ctx.membership.role!)), ctx.user.id);
  const rows = await ctx.em.execute<({ id: number; title: string; workspace_id: number; total: string } & FactColumns)[]>(
    `select p.id, p.title, p.workspace_id, ${facts.sql}, count(*) over () as total
       from projects p join workspaces w on w.id = p.workspace_id
      where p.organization_id = ? and (${reach.sql}) and (${review.sql})
      order by p.id desc limit ? offset ?`,
    [...facts.params, ctx.organization.id, ...reach.params, ...review.params, pageSize, (page - 1) * pageSize],
  );
  return {
    user: person,
    role,
    count: Number(rows[0]?.total ?? 0),
    results: rows.map((r) => ({ project: { id: r.id, title: r.title, workspace: r.workspace_id }, reasons: accessReasons(role, factsOf(r)) })),
  };
}
