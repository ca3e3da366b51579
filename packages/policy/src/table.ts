// Table 3 of the seed, as decided in PERMISSIONS.md, as data: one row per action, one cell per
// role. The cells name the scope a role has; the scope rules below say what each scope means
// in facts. `can()`, `explain()` and the api's SQL all derive from these two pieces of data.

import type { Action, KindOf } from "./actions.js";
import type { ProjectFact, Rule, WorkspaceFact } from "./facts.js";
import type { Role } from "./roles.js";

/** A dashboard's scope level, narrowest first; also the dashboard cells of the table. */
export const DASHBOARD_SCOPES = ["own", "project", "workspace", "organization"] as const;

/**
 * `own`: the caller's own work. `project`: projects they see. `workspace`: (Table 3, managers)
 * "workspaces and invited projects". `organization`: everything they see.
 */
export type DashboardScope = (typeof DASHBOARD_SCOPES)[number];

/**
 * The cells a row may hold, by the action's resource kind:
 * - `no`: a blank cell of Table 3.
 * - `yes`: ✔️. On a scoped action: wherever the role can see the resource (its visibility rule).
 * - `ownOrWorkspace`: Table 3's "own or workspace projects", the manager's scope: projects they
 *   created, every project of a workspace they created or belong to, their own sandbox; for a
 *   workspace, one they created or belong to, or their own sandbox.
 * - `own` (work): only the caller's own work, in a project they can see. (job): only jobs they started.
 * - `ownIfProjectAllows` (work): own work, and only in projects whose setting allows it.
 * - dashboard cells: the widest `DashboardScope`.
 */
export type CellFor<K> = K extends "none" | "member"
  ? "no" | "yes"
  : K extends "project" | "workspace"
    ? "no" | "yes" | "ownOrWorkspace"
    : K extends "work"
      ? "no" | "yes" | "own" | "ownIfProjectAllows"
      : K extends "job"
        ? "no" | "yes" | "own"
        : K extends "dashboard"
          ? DashboardScope
          : never;

/** Any cell value. */
export type Cell = CellFor<KindOf<Action>>;

/** The shape of the table: every action, every role, a cell valid for the action's kind. */
export type PermissionTable = { readonly [A in Action]: { readonly [R in Role]: CellFor<KindOf<A>> } };

/**
 * The permission table. Roles in Table 3's order: annotator, reviewer, manager, administrator, owner.
 *
 * Decisions where PERMISSIONS.md is silent:
 * - Pending and deactivated members get nothing from this table; `can()` lets them only
 *   `membership.viewOwnStatus`.
 * - `organization.create`, `organization.read`, `organization.switch`: every active member
 *   (the instance setting decides whether several organizations are allowed at all).
 * - `organization.update`, `directory.manage`, `member.remove`: administrator and owner, the
 *   roles that manage people.
 * - Managers' writes on projects (CRUD, members, access review, import, export, duplicate,
 *   assigning annotators or reviewers, API tokens) are limited to their scope
 *   (`ownOrWorkspace`); their reads (data, agreement, performance, labeling, review,
 *   templates, pinning as PERMISSIONS.md says) reach every project they see.
 * - Reviewers and annotators keep Table 3's read-only project and workspace access even in
 *   their own sandbox: they may see it, not create projects in it or rename it.
 * - `template.read`: the roles that can create projects. `job.read`: the caller's own jobs;
 *   administrators and the owner any job.
 * - `workspace.readLabel`: every role, on projects it sees.
 */
export const PERMISSIONS = {
  "membership.viewOwnStatus": { annotator: "yes", reviewer: "yes", manager: "yes", administrator: "yes", owner: "yes" },
  "organization.create": { annotator: "yes", reviewer: "yes", manager: "yes", administrator: "yes", owner: "yes" },
  "organization.read": { annotator: "yes", reviewer: "yes", manager: "yes", administrator: "yes", owner: "yes" },
  "organization.update": { annotator: "no", reviewer: "no", manager: "no", administrator: "yes", owner: "yes" },
  "organization.switch": { annotator: "yes", reviewer: "yes", manager: "yes", administrator: "yes", owner: "yes" },
  "ownership.transfer": { annotator: "no", reviewer: "no", manager: "no", administrator: "no", owner: "yes" },
  "member.list": { annotator: "no", reviewer: "no", manager: "yes", administrator: "yes", owner: "yes" },
  "member.changeRole": { annotator: "no", reviewer: "no", manager: "no", administrator: "yes", owner: "yes" },
  "member.remove": { annotator: "no", reviewer: "no", manager: "no", administrator: "yes", owner: "yes" },
  "invite.manage": { annotator: "no", reviewer: "no", manager: "no", administrator: "yes", owner: "yes" },
  "directory.manage": { annotator: "no", reviewer: "no", manager: "no", administrator: "yes", owner: "yes" },
  "activityLog.view": { annotator: "no", reviewer: "no", manager: "no", administrator: "yes", owner: "yes" },
  "apiToken.use": { annotator: "no", reviewer: "no", manager: "ownOrWorkspace", administrator: "yes", owner: "yes" },

  "workspace.read": { annotator: "yes", reviewer: "yes", manager: "yes", administrator: "yes", owner: "yes" },
  "workspace.readLabel": { annotator: "yes", reviewer: "yes", manager: "yes", administrator: "yes", owner: "yes" },
  "workspace.create": { annotator: "no", reviewer: "no", manager: "yes", administrator: "yes", owner: "yes" },
  "workspace.update": { annotator: "no", reviewer: "no", manager: "ownOrWorkspace", administrator: "yes", owner: "yes" },
  "workspace.delete": { annotator: "no", reviewer: "no", manager: "ownOrWorkspace", administrator: "yes", owner: "yes" },
  "workspace.manageMembers": { annotator: "no", reviewer: "no", manager: "ownOrWorkspace", administrator: "yes", owner: "yes" },

  "project.read": { annotator: "yes", reviewer: "yes", manager: "yes", administrator: "yes", owner: "yes" },
  "project.create": { annotator: "no", reviewer: "no", manager: "ownOrWorkspace", administrator: "yes", owner: "yes" },
  "project.update": { annotator: "no", reviewer: "no", manager: "ownOrWorkspace", administrator: "yes", owner: "yes" },
  "project.delete": { annotator: "no", reviewer: "no", manager: "ownOrWorkspace", administrator: "yes", owner: "yes" },
  "project.pin": { annotator: "no", reviewer: "yes", manager: "yes", administrator: "yes", owner: "yes" },
  "project.duplicate": { annotator: "no", reviewer: "no", manager: "ownOrWorkspace", administrator: "yes", owner: "yes" },
  "project.manageMembers": { annotator: "no", reviewer: "no", manager: "ownOrWorkspace", administrator: "yes", owner: "yes" },
  "project.viewAccess": { annotator: "no", reviewer: "no", manager: "ownOrWorkspace", administrator: "yes", owner: "yes" },
  "template.read": { annotator: "no", reviewer: "no", manager: "yes", administrator: "yes", owner: "yes" },
  "template.save": { annotator: "no", reviewer: "no", manager: "yes", administrator: "yes", owner: "yes" },
  "job.read": { annotator: "own", reviewer: "own", manager: "own", administrator: "yes", owner: "yes" },

  "data.view": { annotator: "ownIfProjectAllows", reviewer: "yes", manager: "yes", administrator: "yes", owner: "yes" },
  "data.import": { annotator: "no", reviewer: "no", manager: "ownOrWorkspace", administrator: "yes", owner: "yes" },
  "data.export": { annotator: "no", reviewer: "no", manager: "ownOrWorkspace", administrator: "yes", owner: "yes" },

  "task.assignAnnotators": { annotator: "no", reviewer: "yes", manager: "ownOrWorkspace", administrator: "yes", owner: "yes" },
  "task.assignReviewers": { annotator: "no", reviewer: "no", manager: "ownOrWorkspace", administrator: "yes", owner: "yes" },
  "labeling.access": { annotator: "yes", reviewer: "yes", manager: "yes", administrator: "yes", owner: "yes" },
  "review.access": { annotator: "no", reviewer: "yes", manager: "yes", administrator: "yes", owner: "yes" },
  "agreement.monitor": { annotator: "no", reviewer: "yes", manager: "yes", administrator: "yes", owner: "yes" },
  "performance.review": { annotator: "own", reviewer: "yes", manager: "yes", administrator: "yes", owner: "yes" },
  "annotation.verify": { annotator: "no", reviewer: "yes", manager: "yes", administrator: "yes", owner: "yes" },

  "dashboard.view": { annotator: "own", reviewer: "project", manager: "workspace", administrator: "organization", owner: "organization" },
  "annotatorDashboard.view": { annotator: "yes", reviewer: "no", manager: "no", administrator: "no", owner: "no" },
} as const satisfies PermissionTable;

// ---- Scope rules: what `yes` and `ownOrWorkspace` mean, in facts. ----

/** Every project except those in other users' sandboxes. */
const PROJECT_ALL_BUT_OTHERS_SANDBOXES = [
  [{ fact: "ownSandbox" }],
  [{ fact: "inSandbox", not: true }],
] as const satisfies Rule<ProjectFact>;

/** Projects the caller is a member of: directly, through the workspace, or by a task assignment; and their own sandbox. */
const PROJECT_JOINED = [
  [{ fact: "ownSandbox" }],
  [{ fact: "inSandbox", not: true }, { fact: "projectMember" }],
  [{ fact: "inSandbox", not: true }, { fact: "workspaceMember" }],
  [{ fact: "inSandbox", not: true }, { fact: "assigned" }],
] as const satisfies Rule<ProjectFact>;

/**
 * Which projects each role sees (the meaning of `yes` on a project). Owner and administrator:
 * all but other users' sandboxes; manager: the same ("can view any project"); reviewer and
 * annotator: the projects they are members of. Everyone sees their own sandbox's projects.
 * Sandbox projects grant nothing through membership or assignment: only the owner sees them.
 */
export const PROJECT_VISIBILITY = {
  annotator: PROJECT_JOINED,
  reviewer: PROJECT_JOINED,
  manager: PROJECT_ALL_BUT_OTHERS_SANDBOXES,
  administrator: PROJECT_ALL_BUT_OTHERS_SANDBOXES,
  owner: PROJECT_ALL_BUT_OTHERS_SANDBOXES,
} as const satisfies Record<Role, Rule<ProjectFact>>;

/**
 * The manager's scope on projects (`ownOrWorkspace`): their own sandbox, projects of a workspace
 * they created or belong to, and projects they created, outside other users' sandboxes. Direct
 * project membership does not add to it.
 */
export const PROJECT_OWN_OR_WORKSPACE = [
  [{ fact: "ownSandbox" }],
  [{ fact: "inSandbox", not: true }, { fact: "workspaceMember" }],
  [{ fact: "inSandbox", not: true }, { fact: "createdByMe" }],
] as const satisfies Rule<ProjectFact>;

/** Projects a manager was invited to (a project member), which their dashboards also cover. */
export const PROJECT_INVITED = [[{ fact: "inSandbox", not: true }, { fact: "projectMember" }]] as const satisfies Rule<ProjectFact>;

const WORKSPACE_ALL_BUT_OTHERS_SANDBOXES = [
  [{ fact: "ownSandbox" }],
  [{ fact: "isSandbox", not: true }],
] as const satisfies Rule<WorkspaceFact>;

const WORKSPACE_OWN_SANDBOX_ONLY = [[{ fact: "ownSandbox" }]] as const satisfies Rule<WorkspaceFact>;

/**
 * Which workspaces each role sees (the meaning of `yes` on a workspace). Owner, administrator
 * and manager: all but other users' sandboxes. Reviewer and annotator: only their own sandbox
 * (they read a project's workspace name and colour through `workspace.readLabel`).
 */
export const WORKSPACE_VISIBILITY = {
  annotator: WORKSPACE_OWN_SANDBOX_ONLY,
  reviewer: WORKSPACE_OWN_SANDBOX_ONLY,
  manager: WORKSPACE_ALL_BUT_OTHERS_SANDBOXES,
  administrator: WORKSPACE_ALL_BUT_OTHERS_SANDBOXES,
  owner: WORKSPACE_ALL_BUT_OTHERS_SANDBOXES,
} as const satisfies Record<Role, Rule<WorkspaceFact>>;

/** The manager's scope on workspaces (`ownOrWorkspace`): ones they created or belong to, and their own sandbox. */
export const WORKSPACE_OWN_OR_WORKSPACE = [
  [{ fact: "ownSandbox" }],
  [{ fact: "isSandbox", not: true }, { fact: "workspaceMember" }],
  [{ fact: "isSandbox", not: true }, { fact: "createdByMe" }],
] as const satisfies Rule<WorkspaceFact>;

/** The meaning of `yes` on a member action: anyone but oneself and the owner ("admin cannot touch the owner's account"). */
export const MEMBER_SCOPE = [
  [
    { fact: "isSelf", not: true },
    { fact: "targetIsOwner", not: true },
  ],
] as const satisfies Rule<"isSelf" | "targetIsOwner">;

/** What `own` adds on work: the work is the caller's own. */
export const OWN_WORK = [[{ fact: "ownWork" }]] as const satisfies Rule<"ownWork">;

/** What `ownIfProjectAllows` adds on work: own work, in a project whose setting allows it. */
export const OWN_WORK_IF_PROJECT_ALLOWS = [
  [{ fact: "annotatorsMayViewOwnData" }, { fact: "ownWork" }],
] as const satisfies Rule<"annotatorsMayViewOwnData" | "ownWork">;

/** What `own` means on a job: the caller started it. */
export const OWN_JOB = [[{ fact: "requestedByMe" }]] as const satisfies Rule<"requestedByMe">;

// ---- The same scopes in words, for `explain()`. Keep beside the rules they describe. ----

/** `PROJECT_VISIBILITY` in words. */
export const PROJECT_VISIBILITY_TEXT = {
  annotator: "projects they are members of, and their own sandbox",
  reviewer: "projects they are members of, and their own sandbox",
  manager: "every project except other users' sandboxes",
  administrator: "every project except other users' sandboxes",
  owner: "every project except other users' sandboxes",
} as const satisfies Record<Role, string>;

/** `WORKSPACE_VISIBILITY` in words. */
export const WORKSPACE_VISIBILITY_TEXT = {
  annotator: "their own sandbox only",
  reviewer: "their own sandbox only",
  manager: "every workspace except other users' sandboxes",
  administrator: "every workspace except other users' sandboxes",
  owner: "every workspace except other users' sandboxes",
} as const satisfies Record<Role, string>;

/** What each dashboard level covers, in words. */
export const DASHBOARD_SCOPE_TEXT = {
  own: "their own work",
  project: "the projects they see",
  workspace: "the workspaces they manage and the projects they were invited to",
  organization: "the whole organization",
} as const satisfies Record<DashboardScope, string>;
