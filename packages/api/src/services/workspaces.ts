// Workspaces: create, read, update, delete (only when empty), and their members.
import { workspaceReadRule } from "@lattice/policy";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Context } from "../context.js";
import type { IMembership, IOrganization, IUser } from "../db/entities.js";
import { DomainError } from "../errors.js";
import { audit, diff } from "./audit.js";
import { workspaceFactSql, workspaceFor, workspaceRuleSql, type Caller, type WorkspaceRow } from "./visibility.js";
import { assertWorkspaceNotDirectoryManaged, workspaceMembersDirectoryManagedSql } from "./directory/settings.js";
import { containsPattern } from "./sql.js";

type OrgContext = Context & { organization: IOrganization; membership: IMembership; user: IUser };

/** The caller as the policy sees them; `viaToken` narrows managers to their API scope. */
export function subjectOf(ctx: OrgContext): Caller {
  return { role: ctx.membership.role ?? null, status: ctx.membership.status, viaToken: ctx.principal?.via === "token" };
}

/**
 * A workspace as the caller sees it; `is_member` says whether they belong to it (a manager's
 * scope), `members_managed_by_directory` whether an authoritative directory decides its members.
 */
export function workspaceView(w: WorkspaceRow & { project_count?: string | number; is_member?: boolean; members_managed_by_directory: boolean }) {
  return {
    id: w.id,
    title: w.title,
    color: w.color,
    description: w.description,
    is_sandbox: w.is_sandbox,
    created_by: w.created_by_id,
    created_at: new Date(w.created_at).toISOString(),
    project_count: Number(w.project_count ?? 0),
    is_member: w.is_member === true,
    members_managed_by_directory: w.members_managed_by_directory === true,
  };
}

/** The workspaces the caller sees, own sandbox first, then by title (one query). */
export async function listWorkspaces(ctx: OrgContext) {
  const vis = workspaceRuleSql(workspaceReadRule(ctx.membership.role!), ctx.user.id);
  const member = workspaceFactSql("workspaceMember", ctx.user.id);
  const rows = await ctx.em.execute<(WorkspaceRow & { project_count: string; is_member: boolean; members_managed_by_directory: boolean })[]>(
    `select w.*, (select count(*) from projects p where p.workspace_id = w.id) as project_count, (${member.sql}) as is_member,
            ${workspaceMembersDirectoryManagedSql("w")} as members_managed_by_directory
       from workspaces w where w.organization_id = ? and (${vis.sql})
      order by w.is_sandbox desc, lower(w.title), w.id`,
    [...member.params, ctx.organization.id, ...vis.params],
  );
  return rows.map(workspaceView);
}

export async function getWorkspace(ctx: OrgContext, id: number) {
  const { workspace, facts } = await workspaceFor(ctx.em, subjectOf(ctx), ctx.organization.id, ctx.user.id, id, "workspace.read");
  const [c] = await ctx.em.execute<{ n: string }[]>(`select count(*) as n from projects where organization_id = ? and workspace_id = ?`, [
    ctx.organization.id,
    id,
  ]);
  return workspaceView({ ...workspace, project_count: c?.n ?? 0, is_member: facts.workspaceMember });
}

export interface WorkspaceInput {
  title: string;
  color?: string;
  description?: string;
}

export async function createWorkspace(ctx: OrgContext, input: WorkspaceInput) {
  return ctx.em.transactional(async (em) => {
    const [row] = await em.execute<(WorkspaceRow & { members_managed_by_directory: boolean })[]>(
      `insert into workspaces as w (organization_id, title, color, description, is_sandbox, created_by_id, created_at, updated_at)
       values (?, ?, ?, ?, false, ?, now(), now()) returning *, ${workspaceMembersDirectoryManagedSql("w")} as members_managed_by_directory`,
      [ctx.organization.id, input.title, input.color ?? "#1c7ed6", input.description ?? "", ctx.user.id],
    );
    audit(em, ctx, { action: "workspace.create", targetType: "workspace", targetId: row!.id, changes: { title: { before: null, after: input.title } } });
    await em.flush();
    return workspaceView(row!);
  });
}

export async function updateWorkspace(ctx: OrgContext, id: number, input: Partial<WorkspaceInput>) {
  return ctx.em.transactional(async (em) => {
    const { workspace, facts } = await workspaceFor(em, subjectOf(ctx), ctx.organization.id, ctx.user.id, id, "workspace.update", true);
    const [row] = await em.execute<(WorkspaceRow & { project_count: string; members_managed_by_directory: boolean })[]>(
      `update workspaces w set title = coalesce(?, title), color = coalesce(?, color), description = coalesce(?, description), updated_at = now()
        where id = ? returning w.*, (select count(*) from projects p where p.workspace_id = w.id) as project_count,
                  ${workspaceMembersDirectoryManagedSql("w")} as members_managed_by_directory`,
      [input.title ?? null, input.color ?? null, input.description ?? null, id],
    );
    audit(em, ctx, {
      action: "workspace.update",
      targetType: "workspace",
      targetId: id,
      changes: diff({ title: workspace.title, color: workspace.color, description: workspace.description }, input),
    });
    await em.flush();
    return workspaceView({ ...row!, is_member: facts.workspaceMember });
  });
}

/** Delete a workspace that holds no project (409 otherwise). */
export async function deleteWorkspace(ctx: OrgContext, id: number) {
  return ctx.em.transactional(async (em) => {
    const { workspace } = await workspaceFor(em, subjectOf(ctx), ctx.organization.id, ctx.user.id, id, "workspace.delete", true);
    const [c] = await em.execute<{ n: string }[]>(`select count(*) as n from projects where workspace_id = ?`, [id]);
    const n = Number(c?.n ?? 0);
    if (n > 0) {
      throw new DomainError(
        "CONFLICT",
        `The workspace still holds ${n} project${n === 1 ? "" : "s"}; delete them or move them to another workspace first.`,
      );
    }
    await em.execute(`delete from workspaces where id = ?`, [id]);
    audit(em, ctx, { action: "workspace.delete", targetType: "workspace", targetId: id, changes: { title: { before: workspace.title, after: null } } });
    await em.flush();
    return { ok: true as const };
  });
}

/** The id of `userId`'s own sandbox in the organization (NOT_FOUND, naming `workspace`, when they have none). */
export async function ownSandboxId(em: EntityManager, organizationId: number, userId: number): Promise<number> {
  const [row] = await em.execute<{ id: number }[]>(`select id from workspaces where organization_id = ? and is_sandbox and sandbox_user_id = ?`, [
    organizationId,
    userId,
  ]);
  if (!row) throw new DomainError("NOT_FOUND", "You have no sandbox in this organization; name a workspace.", { field: "workspace" });
  return row.id;
}

export interface PersonRow {
  id: number;
  email: string;
  name: string;
}

export async function listWorkspaceMembers(ctx: OrgContext, id: number): Promise<PersonRow[]> {
  await workspaceFor(ctx.em, subjectOf(ctx), ctx.organization.id, ctx.user.id, id, "workspace.read");
  return ctx.em.execute<PersonRow[]>(
    `select u.id, u.email, u.name from workspace_members wm join users u on u.id = wm.user_id
      where wm.workspace_id = ? and wm.organization_id = ? order by lower(u.name), u.email`,
    [id, ctx.organization.id],
  );
}

/** Active organization members not yet in the workspace, matching `search` (Manage Members' left list). */
export async function workspaceMemberCandidates(ctx: OrgContext, id: number, search: string | undefined, limit: number) {
  await workspaceFor(ctx.em, subjectOf(ctx), ctx.organization.id, ctx.user.id, id, "workspace.manageMembers");
  const like = search ? containsPattern(search) : null;
  return ctx.em.execute<PersonRow[]>(
    `select u.id, u.email, u.name from memberships m join users u on u.id = m.user_id
      where m.organization_id = ? and m.status = 'active'
        and not exists (select 1 from workspace_members wm where wm.workspace_id = ? and wm.user_id = u.id)
        and (?::text is null or u.email ilike ? or u.name ilike ?)
      order by lower(u.name), u.email limit ?`,
    [ctx.organization.id, id, like, like, like, limit],
  );
}

/** Refuse to add someone to a workspace or project unless they are an active member of the organization. */
export async function assertActiveMember(em: EntityManager, organizationId: number, userId: number): Promise<void> {
  const [m] = await em.execute<{ status: string }[]>(`select status from memberships where organization_id = ? and user_id = ?`, [organizationId, userId]);
  if (!m) throw new DomainError("NOT_FOUND", "No such member in this organization.", { field: "user_id" });
  if (m.status !== "active") throw new DomainError("RULE_REFUSED", "Only active members can be added; activate them first.", { field: "user_id" });
}

export async function addWorkspaceMember(ctx: OrgContext, id: number, userId: number) {
  return ctx.em.transactional(async (em) => {
    await workspaceFor(em, subjectOf(ctx), ctx.organization.id, ctx.user.id, id, "workspace.manageMembers", true);
    await assertWorkspaceNotDirectoryManaged(em, ctx.organization.id, id);
    await assertActiveMember(em, ctx.organization.id, userId);
    const rows = await em.execute<{ id: number }[]>(
      `insert into workspace_members (organization_id, workspace_id, user_id, source, created_at) values (?, ?, ?, 'manual', now())
       on conflict (workspace_id, user_id) do nothing returning id`,
      [ctx.organization.id, id, userId],
    );
    if (rows.length > 0) {
      audit(em, ctx, { action: "workspace.manageMembers", targetType: "workspace", targetId: id, changes: { member: { before: null, after: userId } } });
      await em.flush();
    }
    return { ok: true as const };
  });
}

export async function removeWorkspaceMember(ctx: OrgContext, id: number, userId: number) {
  return ctx.em.transactional(async (em) => {
    const self = userId === ctx.user.id;
    const found = await workspaceFor(em, subjectOf(ctx), ctx.organization.id, ctx.user.id, id, self ? "workspace.read" : "workspace.manageMembers", true);
    if (self && !found.facts.workspaceMember) throw new DomainError("NOT_FOUND", "You are not a member of this workspace.");
    await assertWorkspaceNotDirectoryManaged(em, ctx.organization.id, id);
    const rows = await em.execute<{ id: number }[]>(`delete from workspace_members where workspace_id = ? and user_id = ? returning id`, [id, userId]);
    if (rows.length === 0) throw new DomainError("NOT_FOUND", "That person is not a member of this workspace.", { field: "user_id" });
    audit(em, ctx, { action: "workspace.manageMembers", targetType: "workspace", targetId: id, changes: { member: { before: userId, after: null } } });
    await em.flush();
    return { ok: true as const };
  });
}
