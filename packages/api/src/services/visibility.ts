// Scope rules as SQL. The policy package describes who reaches which project and workspace as
// rules over named facts; here each fact becomes an SQL predicate, so list queries and can()
// evaluate the same rule (the agreement test checks they never disagree).
import {
  explain,
  PROJECT_FACTS,
  WORKSPACE_FACTS,
  foldRule,
  tokenProjectRule,
  type Action,
  type Decision,
  type ProjectFact,
  type ProjectFacts,
  type Rule,
  type Subject,
  type WorkspaceFact,
  type WorkspaceFacts,
} from "@lattice/policy";
import type { EntityManager } from "@mikro-orm/postgresql";
import { DomainError } from "../errors.js";
import { projectMembersDirectoryManagedSql, workspaceMembersDirectoryManagedSql } from "./directory/settings.js";

export interface Sql {
  sql: string;
  params: unknown[];
}

const TRUE: Sql = { sql: "true", params: [] };
const FALSE: Sql = { sql: "false", params: [] };

function compile<F extends string>(rule: Rule<F>, fact: (name: F) => Sql): Sql {
  return foldRule<F, Sql>(rule, {
    literal: (name, negated) => {
      const f = fact(name);
      return negated ? { sql: `not (${f.sql})`, params: f.params } : f;
    },
    and: (terms) =>
      terms.length === 0 ? TRUE : { sql: terms.map((t) => `(${t.sql})`).join(" and "), params: terms.flatMap((t) => t.params) },
    or: (terms) =>
      terms.length === 0 ? FALSE : { sql: terms.map((t) => `(${t.sql})`).join(" or "), params: terms.flatMap((t) => t.params) },
  });
}

// ---- The caller, and how far an API token reaches ----

/**
 * The policy's subject plus how the request authenticated: Table 3 gives managers API access
 * only to their own or their workspaces' projects, so a manager's token reaches less than
 * the same manager in the browser.
 */
export interface Caller extends Subject {
  readonly viaToken?: boolean;
}

/**
 * The projects `caller` reaches under `rule` (a read rule, a dashboard's, a review scope): the
 * rule itself in the browser; through an API token, also `apiToken.use` on the project. Every
 * project list and filter goes through here, so that a token never reaches further in a list
 * than `decideProject` lets it reach one project.
 */
export function projectRuleFor(caller: Caller, rule: Rule<ProjectFact>): Rule<ProjectFact> {
  if (caller.viaToken !== true || caller.role === null) return rule;
  return tokenProjectRule(caller.role, rule);
}

/** `explain()` of `action` on one project for `caller`: through an API token, `apiToken.use` on it first (as `projectRuleFor`). */
export function decideProject(caller: Caller, action: Action, facts: ProjectFacts): Decision {
  if (caller.viaToken === true) {
    const api = explain(caller, "apiToken.use", facts);
    if (!api.allowed) return api;
  }
  return explain(caller, action as "project.read", facts);
}

/**
 * Whose facts: a user id (bound as a parameter), or a column of the outer query (`u.id`) when
 * one statement judges many people at once (the access review).
 */
export type UserRef = number | { column: string };

function userSql(user: UserRef): Sql {
  return typeof user === "number" ? { sql: "?", params: [user] } : { sql: user.column, params: [] };
}

/**
 * A project fact about alias `p` (projects) joined to `w` (its workspace), relative to `user`.
 * Membership facts are correlated EXISTS on the unique (project, user) and (workspace, user)
 * indexes; PostgreSQL keeps a hashed alternative for large scans.
 */
export function projectFactSql(fact: ProjectFact, user: UserRef): Sql {
  const u = userSql(user);
  switch (fact) {
    case "inSandbox":
      return { sql: "w.is_sandbox", params: [] };
    case "ownSandbox":
      return { sql: `w.is_sandbox and w.sandbox_user_id = ${u.sql}`, params: u.params };
    case "workspaceMember":
      return { sql: `exists (select 1 from workspace_members wm where wm.workspace_id = p.workspace_id and wm.user_id = ${u.sql})`, params: u.params };
    case "createdByMe":
      return { sql: `p.created_by_id is not distinct from ${u.sql}`, params: u.params };
    case "projectMember":
      return { sql: `exists (select 1 from project_members pm where pm.project_id = p.id and pm.user_id = ${u.sql} and pm.direct)`, params: u.params };
    case "assigned":
      return { sql: `exists (select 1 from project_members pm where pm.project_id = p.id and pm.user_id = ${u.sql} and pm.assigned)`, params: u.params };
    case "annotatorsMayViewOwnData":
      return { sql: "coalesce((p.settings->>'annotators_may_view_own_data')::boolean, false)", params: [] };
  }
}

/** Rows `p` (projects) joined to `w` (their workspace) for which one fact holds, found by index. */
interface Source {
  from: string;
  where: Sql;
}

/**
 * The organization's projects for which a fact holds, as a join producing `p` and `w`, when they
 * are found through an index on the caller (their memberships, sandbox, creations); null for
 * facts that hold for much of the organization or are not about the caller. Exact: the rows
 * are those for which `projectFactSql(fact)` holds.
 */
function projectFactSource(fact: ProjectFact, organizationId: number, userId: number): Source | null {
  const withWorkspace = "join workspaces w on w.id = p.workspace_id";
  switch (fact) {
    case "ownSandbox":
      return {
        from: "workspaces w join projects p on p.organization_id = w.organization_id and p.workspace_id = w.id",
        where: { sql: "w.organization_id = ? and w.is_sandbox and w.sandbox_user_id = ?", params: [organizationId, userId] },
      };
    case "workspaceMember":
      return {
        from: `workspace_members swm join projects p on p.workspace_id = swm.workspace_id ${withWorkspace}`,
        where: { sql: "swm.organization_id = ? and swm.user_id = ? and p.organization_id = ?", params: [organizationId, userId, organizationId] },
      };
    case "createdByMe":
      return { from: `projects p ${withWorkspace}`, where: { sql: "p.organization_id = ? and p.created_by_id = ?", params: [organizationId, userId] } };
    case "projectMember":
    case "assigned":
      return {
        from: `project_members spm join projects p on p.id = spm.project_id ${withWorkspace}`,
        where: {
          sql: `spm.organization_id = ? and spm.user_id = ? and spm.${fact === "assigned" ? "assigned" : "direct"}`,
          params: [organizationId, userId],
        },
      };
    case "inSandbox":
    case "annotatorsMayViewOwnData":
      return null;
  }
}

type Folded = { literal: Sql; source: Source | null } | { ids: Sql | null };

/**
 * The ids of the projects that `rule` admits, as a subquery, when every conjunction of the rule
 * has a positive literal with a source (see `projectFactSource`): one SELECT per conjunction,
 * from that literal's source, with the conjunction's other literals as predicates, and the
 * UNION of them. This is the rule compiled another way (a disjunction is a union), and lets
 * PostgreSQL start from the caller's few projects instead of the organization's. Null when some
 * conjunction has no source (the rule admits most of the organization; scan it with
 * `projectRuleSql` instead).
 */
export function projectVisibleIdsSql(rule: Rule<ProjectFact>, organizationId: number, userId: number): Sql | null {
  const folded = foldRule<ProjectFact, Folded>(rule, {
    literal: (name, negated) => {
      const f = projectFactSql(name, userId);
      return {
        literal: negated ? { sql: `not (${f.sql})`, params: f.params } : f,
        source: negated ? null : projectFactSource(name, organizationId, userId),
      };
    },
    and: (terms) => {
      const literals = terms as { literal: Sql; source: Source | null }[];
      const driver = literals.find((t) => t.source !== null);
      if (!driver) return { ids: null };
      // The driver's own literal holds by construction; the others filter its rows.
      const rest = literals.filter((t) => t !== driver).map((t) => t.literal);
      const where = [driver.source!.where, ...rest];
      return {
        ids: {
          sql: `select p.id from ${driver.source!.from} where ${where.map((w) => `(${w.sql})`).join(" and ")}`,
          params: where.flatMap((w) => w.params),
        },
      };
    },
    or: (terms) => {
      const parts = (terms as { ids: Sql | null }[]).map((t) => t.ids);
      if (parts.length === 0) return { ids: { sql: "select null::int where false", params: [] } };
      if (parts.some((t) => t === null)) return { ids: null };
      return { ids: { sql: parts.map((t) => t!.sql).join(" union "), params: parts.flatMap((t) => t!.params) } };
    },
  });
  return (folded as { ids: Sql | null }).ids;
}

/** A workspace fact about alias `w`, relative to user `userId`. */
export function workspaceFactSql(fact: WorkspaceFact, userId: number): Sql {
  switch (fact) {
    case "isSandbox":
      return { sql: "w.is_sandbox", params: [] };
    case "ownSandbox":
      return { sql: "w.is_sandbox and w.sandbox_user_id = ?", params: [userId] };
    case "workspaceMember":
      return { sql: "exists (select 1 from workspace_members wm where wm.workspace_id = w.id and wm.user_id = ?)", params: [userId] };
    case "createdByMe":
      return { sql: "w.created_by_id is not distinct from ?", params: [userId] };
  }
}

export function projectRuleSql(rule: Rule<ProjectFact>, user: UserRef): Sql {
  return compile(rule, (f) => projectFactSql(f, user));
}

/**
 * Every project fact about `p`/`w` relative to `user`, as select-list columns `f_<fact>`,
 * built from `projectFactSql` (so single-resource checks, lists and access reviews read the
 * same predicates); `factsOf` reads them back.
 */
export function projectFactColumns(user: UserRef): Sql {
  const cols = PROJECT_FACTS.map((f) => projectFactSql(f, user));
  return {
    sql: cols.map((c, i) => `(${c.sql}) as "f_${PROJECT_FACTS[i]}"`).join(", "),
    params: cols.flatMap((c) => c.params),
  };
}

export type FactColumns = { [F in ProjectFact as `f_${F}`]: boolean };

export function factsOf(row: FactColumns): ProjectFacts {
  const facts = {} as Record<ProjectFact, boolean>;
  for (const f of PROJECT_FACTS) facts[f] = row[`f_${f}`] === true;
  return facts;
}

/** Every workspace fact about `w` relative to `userId`, as select-list columns `f_<fact>` (see `projectFactColumns`). */
export function workspaceFactColumns(userId: number): Sql {
  const cols = WORKSPACE_FACTS.map((f) => workspaceFactSql(f, userId));
  return {
    sql: cols.map((c, i) => `(${c.sql}) as "f_${WORKSPACE_FACTS[i]}"`).join(", "),
    params: cols.flatMap((c) => c.params),
  };
}

export type WorkspaceFactColumns = { [F in WorkspaceFact as `f_${F}`]: boolean };

export function workspaceFactsOf(row: WorkspaceFactColumns): WorkspaceFacts {
  const facts = {} as Record<WorkspaceFact, boolean>;
  for (const f of WORKSPACE_FACTS) facts[f] = row[`f_${f}`] === true;
  return facts;
}

export function workspaceRuleSql(rule: Rule<WorkspaceFact>, userId: number): Sql {
  return compile(rule, (f) => workspaceFactSql(f, userId));
}

// ---- Facts of one resource, for can()/explain() on single-resource procedures ----

export interface ProjectRow {
  id: number;
  organization_id: number;
  workspace_id: number;
  title: string;
  description: string;
  label_config: string;
  settings: Record<string, unknown>;
  created_by_id: number | null;
  pinned_at: Date | null;
  task_count: number;
  created_at: Date;
  updated_at: Date;
  workspace_title: string;
  workspace_color: string;
}

/** A single project as read on its own: also whether an authoritative directory decides its members. */
export interface ProjectDetailRow extends ProjectRow {
  members_managed_by_directory: boolean;
}

/** One project of the organization with its facts relative to `userId` (one query). */
export async function projectWithFacts(
  em: EntityManager,
  organizationId: number,
  projectId: number,
  userId: number,
  lock = false,
): Promise<{ project: ProjectDetailRow; facts: ProjectFacts } | null> {
  const facts = projectFactColumns(userId);
  const [row] = await em.execute<(ProjectDetailRow & FactColumns)[]>(
    `select p.*, w.title as workspace_title, w.color as workspace_color, ${facts.sql},
            ${projectMembersDirectoryManagedSql("p")} as members_managed_by_directory
       from projects p join workspaces w on w.id = p.workspace_id
      where p.id = ? and p.organization_id = ?${lock ? " for update of p" : ""}`,
    [...facts.params, projectId, organizationId],
  );
  return row ? { project: row, facts: factsOf(row) } : null;
}

/**
 * The project if the caller may do `action` on it: NOT_FOUND when they cannot see it (or it
 * is another organization's), FORBIDDEN with the policy's reason when they see it but may not
 * (or their API token does not reach it).
 */
export async function projectFor(
  em: EntityManager,
  subject: Caller,
  organizationId: number,
  userId: number,
  projectId: number,
  action: Action,
  lock = false,
): Promise<{ project: ProjectDetailRow; facts: ProjectFacts }> {
  const found = await projectWithFacts(em, organizationId, projectId, userId, lock);
  if (!found || !explain(subject, "project.read", found.facts).allowed) throw new DomainError("NOT_FOUND", "Project not found.");
  const decision = decideProject(subject, action, found.facts);
  if (!decision.allowed) throw new DomainError("FORBIDDEN", decision.reason);
  return found;
}

export interface WorkspaceRow {
  id: number;
  organization_id: number;
  title: string;
  color: string;
  description: string;
  is_sandbox: boolean;
  sandbox_user_id: number | null;
  created_by_id: number | null;
  created_at: Date;
  updated_at: Date;
}

/** A single workspace as read on its own: also whether an authoritative directory decides its members. */
export interface WorkspaceDetailRow extends WorkspaceRow {
  members_managed_by_directory: boolean;
}

/** One workspace of the organization with its facts relative to `userId` (one query). */
export async function workspaceWithFacts(
  em: EntityManager,
  organizationId: number,
  workspaceId: number,
  userId: number,
  lock = false,
): Promise<{ workspace: WorkspaceDetailRow; facts: WorkspaceFacts } | null> {
  const facts = workspaceFactColumns(userId);
  const [row] = await em.execute<(WorkspaceDetailRow & WorkspaceFactColumns)[]>(
    `select w.*, ${facts.sql}, ${workspaceMembersDirectoryManagedSql("w")} as members_managed_by_directory
       from workspaces w where w.id = ? and w.organization_id = ?${lock ? " for update of w" : ""}`,
    [...facts.params, workspaceId, organizationId],
  );
  return row ? { workspace: row, facts: workspaceFactsOf(row) } : null;
}

/** The workspace if the caller may do `action` on it (NOT_FOUND when unseen, FORBIDDEN otherwise). */
export async function workspaceFor(
  em: EntityManager,
  subject: Subject,
  organizationId: number,
  userId: number,
  workspaceId: number,
  action: Action,
  lock = false,
): Promise<{ workspace: WorkspaceDetailRow; facts: WorkspaceFacts }> {
  const found = await workspaceWithFacts(em, organizationId, workspaceId, userId, lock);
  if (!found || !explain(subject, "workspace.read", found.facts).allowed) throw new DomainError("NOT_FOUND", "Workspace not found.");
  const decision = explain(subject, action as "workspace.read", found.facts);
  if (!decision.allowed) throw new DomainError("FORBIDDEN", decision.reason);
  return found;
}
