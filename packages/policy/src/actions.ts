// The actions: one `resource.verb` per real distinction, each with the kind of resource whose
// facts a scoped check needs. The union type `Action` is the set of this catalogue's keys.

import type { JobFact, Literal, MemberFact, ProjectFact, WorkFact, WorkspaceFact } from "./facts.js";

/**
 * What a check of the action is about, and so which facts its resource carries:
 * `none` (the organization itself, no facts), `project`, `work` (project facts plus `ownWork`),
 * `workspace`, `member`, `job`, or `dashboard` (a `DashboardTarget`).
 */
export type ResourceKind = "none" | "project" | "work" | "workspace" | "member" | "job" | "dashboard";

/** The fact names a resource of each kind carries (dashboards carry project or workspace facts by scope). */
export interface FactNameByKind {
  none: never;
  project: ProjectFact;
  work: WorkFact;
  workspace: WorkspaceFact;
  member: MemberFact;
  job: JobFact;
  dashboard: never;
}

/** A condition an action adds to every role's cell, with the sentence given when it fails. */
export interface Requirement<F extends string> {
  readonly literals: readonly Literal<F>[];
  readonly message: string;
}

interface SpecOf<K extends ResourceKind> {
  /** The kind of resource the action is checked against. */
  readonly kind: K;
  /** What the action does, as a verb phrase after "can": "import data". */
  readonly label: string;
  /** A condition on top of the table cell, for every role. */
  readonly requires?: Requirement<FactNameByKind[K]>;
  /** For `own` cells: what "own" allows, after "can": "view only their own data". */
  readonly own?: string;
  /** For member actions: the sentence when the caller acts on themselves. */
  readonly denySelf?: string;
  /** For member actions: the sentence when the target is the owner. */
  readonly denyOwner?: string;
}

/** The description of one action. */
export type ActionSpec = { [K in ResourceKind]: SpecOf<K> }[ResourceKind];

const NOT_IN_SANDBOX = { fact: "inSandbox", not: true } as const;
const NOT_A_SANDBOX = { fact: "isSandbox", not: true } as const;

/**
 * Every action. Comments name the Table 3 row (PERMISSIONS.md) or the API.md operation behind it.
 */
export const ACTION_CATALOGUE = {
  // ---- Membership and organization ----
  /** The one thing a pending or deactivated member can do (GET /api/current-user). */
  "membership.viewOwnStatus": { kind: "none", label: "see their own membership status" },
  /** POST /api/organizations/ (the instance must also allow several organizations). */
  "organization.create": { kind: "none", label: "create organizations" },
  /** GET /api/organizations/{id}. */
  "organization.read": { kind: "none", label: "see the organization" },
  /** PATCH /api/organizations/{id}. */
  "organization.update": { kind: "none", label: "change the organization's settings" },
  /** POST /api/organizations/{id}/switch. */
  "organization.switch": { kind: "none", label: "switch to the organization" },
  /** Hand ownership to an active administrator (PERMISSIONS.md decision); see `canTransferOwnership`. */
  "ownership.transfer": { kind: "none", label: "hand over ownership of the organization" },
  /** Table 3 "view People page": GET memberships, the list and one member. */
  "member.list": { kind: "none", label: "view the People page" },
  /** Table 3 "change user roles (activate, deactivate)": POST/PATCH memberships; see `canChangeRole`. */
  "member.changeRole": {
    kind: "member",
    label: "change members' roles and status",
    denySelf: "Nobody can change their own role or status.",
    denyOwner: "Nobody can change the owner's role or status; only the owner can hand over ownership.",
  },
  /** DELETE /api/organizations/{id}/memberships/{user_id}. */
  "member.remove": {
    kind: "member",
    label: "remove members",
    denySelf: "Nobody can remove themselves from the organization.",
    denyOwner: "Nobody can remove the owner from the organization.",
  },
  /** Table 3 "invite people": see and reset the invitation link. */
  "invite.manage": { kind: "none", label: "see and reset the invitation link" },
  /** SCIM token, directory settings, LDAP settings, sync and sync runs. */
  "directory.manage": { kind: "none", label: "manage directory sync" },
  /** Table 3 "view system-wide activity log". */
  "activityLog.view": { kind: "none", label: "view the system-wide activity log" },
  /**
   * Table 3 "API access (personal API tokens)": holding tokens (GET|POST|DELETE /api/tokens)
   * without a resource, and every token-authenticated request on a project with one.
   */
  "apiToken.use": { kind: "project", label: "use the API with personal tokens" },

  // ---- Workspaces (Table 3 "workspace access") ----
  /** GET /api/workspaces/ and /{id}: list and open. */
  "workspace.read": { kind: "workspace", label: "see workspaces" },
  /**
   * The "R" of reviewers and annotators: the name and colour of the workspace of a project the
   * caller sees. The resource is that project's facts.
   */
  "workspace.readLabel": { kind: "project", label: "see the name and colour of a project's workspace" },
  /** POST /api/workspaces/. */
  "workspace.create": { kind: "none", label: "create workspaces" },
  /** PATCH /api/workspaces/{id}. */
  "workspace.update": { kind: "workspace", label: "change workspaces" },
  /** DELETE /api/workspaces/{id} (the api also refuses while projects remain). */
  "workspace.delete": {
    kind: "workspace",
    label: "delete workspaces",
    requires: {
      literals: [NOT_A_SANDBOX],
      message: "A sandbox cannot be deleted; it lasts as long as its owner's membership.",
    },
  },
  /** GET|POST|DELETE /api/workspaces/{id}/memberships. */
  "workspace.manageMembers": {
    kind: "workspace",
    label: "manage workspace members",
    requires: { literals: [NOT_A_SANDBOX], message: "A sandbox cannot have members." },
  },

  // ---- Projects (Table 3 "project access", pinning, duplication) ----
  /** GET /api/projects/ and /{id}. */
  "project.read": { kind: "project", label: "see projects" },
  /** POST /api/projects/, and the destination of a move or a duplicate. The resource is the destination workspace. */
  "project.create": { kind: "workspace", label: "create projects" },
  /** PATCH /api/projects/{id} (a move also needs `project.create` on the destination). */
  "project.update": { kind: "project", label: "change projects" },
  /** DELETE /api/projects/{id}. */
  "project.delete": { kind: "project", label: "delete projects" },
  /** POST /api/projects/{id}/pin and /unpin. */
  "project.pin": { kind: "project", label: "pin and unpin projects" },
  /** POST /api/projects/{id}/duplicate (the source; the destination needs `project.create`). */
  "project.duplicate": { kind: "project", label: "duplicate projects" },
  /** GET|POST|DELETE /api/projects/{id}/members. */
  "project.manageMembers": {
    kind: "project",
    label: "manage project members",
    requires: {
      literals: [NOT_IN_SANDBOX],
      message: "A project in a sandbox cannot have members; move it to a workspace first.",
    },
  },
  /** GET /api/projects/{id}/access: who can reach the project and why. */
  "project.viewAccess": { kind: "project", label: "review who can reach projects" },
  /** GET /api/templates/. */
  "template.read": { kind: "none", label: "use custom project templates" },
  /** Table 3 "save custom project templates": POST /api/templates/; the resource is the source project. */
  "template.save": { kind: "project", label: "save custom project templates" },
  /** GET /api/jobs/{id}. */
  "job.read": { kind: "job", label: "follow background jobs", own: "follow only the jobs they started" },

  // ---- Data (Table 3 "data access") ----
  /** Table 3 "view project data": GET /api/projects/{id}/tasks. */
  "data.view": { kind: "work", label: "view project data", own: "view only their own data" },
  /** POST /api/projects/{id}/import. */
  "data.import": { kind: "project", label: "import data" },
  /** GET /api/projects/{id}/export. */
  "data.export": { kind: "project", label: "export data" },

  // ---- Labeling workflows ----
  /** Table 3 "assign annotators to tasks": POST assignments with kind "annotate". */
  "task.assignAnnotators": {
    kind: "project",
    label: "assign annotators to tasks",
    requires: {
      literals: [NOT_IN_SANDBOX],
      message: "Tasks in a sandbox cannot be assigned: an assignment makes the assignee a project member, and a sandbox has none.",
    },
  },
  /** Table 3 "assign reviewers to tasks": POST assignments with kind "review". */
  "task.assignReviewers": {
    kind: "project",
    label: "assign reviewers to tasks",
    requires: {
      literals: [NOT_IN_SANDBOX],
      message: "Tasks in a sandbox cannot be assigned: an assignment makes the assignee a project member, and a sandbox has none.",
    },
  },
  /** Table 3 "access labeling workflow": POST /api/tasks/{id}/annotations. */
  "labeling.access": { kind: "project", label: "label tasks" },
  /** Table 3 "access review workflow". */
  "review.access": { kind: "project", label: "use the review workflow" },
  /** Table 3 "monitor annotator agreement". */
  "agreement.monitor": { kind: "project", label: "monitor annotator agreement" },
  /** Table 3 "review annotator performance". */
  "performance.review": { kind: "work", label: "review annotator performance", own: "review only their own performance" },
  /** Table 3 "verify annotation results": POST /api/annotations/{id}/review. */
  "annotation.verify": { kind: "project", label: "verify annotation results" },

  // ---- Analytics ----
  /** Table 3 "dashboards": GET /api/dashboards/summary?scope=…; see `dashboardScope`. */
  "dashboard.view": { kind: "dashboard", label: "view dashboards" },
  /** Table 3 "view annotator dashboard". */
  "annotatorDashboard.view": { kind: "none", label: "view the annotator dashboard" },
} as const satisfies Record<string, ActionSpec>;

/** Every action, as `resource.verb`. */
export type Action = keyof typeof ACTION_CATALOGUE;

/** The resource kind of an action. */
export type KindOf<A extends Action> = (typeof ACTION_CATALOGUE)[A]["kind"];

/** Actions checked against a resource's facts (all but organization-level ones and dashboards). */
export type ScopedAction = { [A in Action]: KindOf<A> extends "none" | "dashboard" ? never : A }[Action];

/** Every action, in catalogue order. */
export const ACTIONS = Object.keys(ACTION_CATALOGUE) as readonly Action[];

/** The description of an action (its kind, label, extra requirement). */
export function actionSpec(action: Action): ActionSpec {
  return ACTION_CATALOGUE[action];
}

/** Narrows untrusted input (for example a procedure's metadata) to an action. */
export function isAction(value: unknown): value is Action {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(ACTION_CATALOGUE, value);
}
