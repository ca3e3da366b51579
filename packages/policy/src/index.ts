// The rulebook: roles, statuses, actions, the permission table and scope rules.
// Pure data and functions; imports nothing outside this package.

export {
  ROLES,
  MEMBERSHIP_STATUSES,
  ROLE_TO_CODE,
  ROLE_CODES,
  EDITIONS,
  roleToCode,
  codeToRole,
  membershipToCode,
  codeToMembership,
  isRoleCode,
  isRole,
  isMembershipStatus,
  roleRank,
  highestRole,
  assignableRoles,
} from "./roles.js";
export type {
  Role,
  AssignableRole,
  MembershipStatus,
  ActiveRoleCode,
  RoleCode,
  MembershipState,
  MembershipLike,
  Edition,
} from "./roles.js";

export {
  PROJECT_FACTS,
  WORK_FACTS,
  WORKSPACE_FACTS,
  MEMBER_FACTS,
  JOB_FACTS,
  FACT_NAMES,
  evaluateRule,
  foldRule,
  formatRule,
} from "./facts.js";
export type {
  ProjectFacts,
  WorkFacts,
  WorkspaceFacts,
  MemberFacts,
  JobFacts,
  ProjectFact,
  WorkFact,
  WorkspaceFact,
  MemberFact,
  JobFact,
  FactName,
  Literal,
  Conjunction,
  Rule,
  FactValues,
  RuleFolder,
} from "./facts.js";

export { ACTIONS, actionSpec, isAction } from "./actions.js";
export type { Action, ActionSpec, KindOf, ResourceKind, ScopedAction, FactNameByKind, Requirement } from "./actions.js";

export { PERMISSIONS, DASHBOARD_SCOPES } from "./table.js";
export type { Cell, CellFor, DashboardScope, PermissionTable } from "./table.js";

export {
  can,
  explain,
  scopeRule,
  projectReadRule,
  projectManageRule,
  tokenProjectRule,
  workspaceReadRule,
  workspaceManageRule,
  dashboardScope,
  dashboardRule,
} from "./policy.js";
export type { Subject, DashboardTarget, ResourceFor, ResourceByKind, Decision } from "./policy.js";

export { canChangeRole, explainChangeRole, canTransferOwnership, explainTransferOwnership, memberFacts } from "./members.js";
export type { MemberRef, RoleChange } from "./members.js";

/** Bumped when the rulebook changes in a way its consumers must notice. */
export const POLICY_VERSION = 1 as const;
