// Turning table cells into rules, and rules into lookup tables. Runs once, at module load.

import { ACTION_CATALOGUE } from "./actions.js";
import type { Action, ActionSpec, ResourceKind } from "./actions.js";
import { FALSE_RULE, TRUE_RULE, evaluateRule, factsFromBits, freezeRule, ruleAnd, ruleOr, simplifyRule } from "./facts.js";
import type { Implication, ProjectFact, Rule, WorkspaceFact } from "./facts.js";
import {
  JOB_FACTS,
  MEMBER_FACTS,
  PROJECT_FACTS,
  WORK_FACTS,
  WORKSPACE_FACTS,
} from "./facts.js";
import type { Role } from "./roles.js";
import {
  MEMBER_SCOPE,
  OWN_JOB,
  OWN_WORK,
  OWN_WORK_IF_PROJECT_ALLOWS,
  PROJECT_INVITED,
  PROJECT_OWN_OR_WORKSPACE,
  PROJECT_VISIBILITY,
  WORKSPACE_OWN_OR_WORKSPACE,
  WORKSPACE_VISIBILITY,
} from "./table.js";
import type { Cell, DashboardScope } from "./table.js";

/** The fact names of each resource kind, in bit order. */
export const FACTS_OF_KIND: Readonly<Record<ResourceKind, readonly string[]>> = {
  none: [],
  project: PROJECT_FACTS,
  work: WORK_FACTS,
  workspace: WORKSPACE_FACTS,
  member: MEMBER_FACTS,
  job: JOB_FACTS,
  dashboard: [],
};

/** Facts that imply others: your own sandbox is a sandbox. */
export const IMPLICATIONS: Readonly<Record<ResourceKind, readonly Implication<string>[]>> = {
  none: [],
  project: [["ownSandbox", "inSandbox"]],
  work: [["ownSandbox", "inSandbox"]],
  workspace: [["ownSandbox", "isSandbox"]],
  member: [],
  job: [],
  dashboard: [],
};

function baseRule(kind: ResourceKind, cell: Cell, role: Role): Rule<string> {
  if (cell === "no") return FALSE_RULE;
  switch (kind) {
    case "none":
      return cell === "yes" ? TRUE_RULE : FALSE_RULE;
    case "project":
      if (cell === "yes") return PROJECT_VISIBILITY[role];
      if (cell === "ownOrWorkspace") return PROJECT_OWN_OR_WORKSPACE;
      break;
    case "work":
      if (cell === "yes") return PROJECT_VISIBILITY[role];
      if (cell === "own") return ruleAnd<string>(PROJECT_VISIBILITY[role], OWN_WORK);
      if (cell === "ownIfProjectAllows") return ruleAnd<string>(PROJECT_VISIBILITY[role], OWN_WORK_IF_PROJECT_ALLOWS);
      break;
    case "workspace":
      if (cell === "yes") return WORKSPACE_VISIBILITY[role];
      if (cell === "ownOrWorkspace") return WORKSPACE_OWN_OR_WORKSPACE;
      break;
    case "member":
      if (cell === "yes") return MEMBER_SCOPE;
      break;
    case "job":
      if (cell === "yes") return TRUE_RULE;
      if (cell === "own") return OWN_JOB;
      break;
    case "dashboard":
      break;
  }
  throw new Error(`policy: cell "${cell}" has no meaning for a ${kind} action`);
}

/** The rule a cell stands for on an action (the action's requirement included), simplified. */
export function cellRule(action: Action, cell: Cell, role: Role): Rule<string> {
  const spec: ActionSpec = ACTION_CATALOGUE[action];
  let rule = baseRule(spec.kind, cell, role);
  if (spec.requires !== undefined) rule = ruleAnd<string>(rule, [spec.requires.literals]);
  return freezeRule(simplifyRule(rule, IMPLICATIONS[spec.kind]));
}

/** The rules of a dashboard cell, one per requested scope. */
export interface DashboardRules {
  readonly own: Rule<never>;
  readonly project: Rule<ProjectFact>;
  readonly workspace: Rule<WorkspaceFact>;
  readonly organization: Rule<never>;
}

/**
 * What a dashboard cell allows at each scope. `own` for everyone; a project's dashboard where the
 * role sees the project (managers: projects in their scope or that they were invited to); a
 * workspace's where the role sees it (managers: workspaces in their scope); the organization's
 * for the `organization` level only.
 */
export function dashboardRules(cell: DashboardScope, role: Role): DashboardRules {
  const project: Rule<ProjectFact> =
    cell === "project" || cell === "organization"
      ? PROJECT_VISIBILITY[role]
      : cell === "workspace"
        ? ruleOr<ProjectFact>(PROJECT_OWN_OR_WORKSPACE, PROJECT_INVITED)
        : FALSE_RULE;
  const workspace: Rule<WorkspaceFact> =
    cell === "organization" ? WORKSPACE_VISIBILITY[role] : cell === "workspace" ? WORKSPACE_OWN_OR_WORKSPACE : FALSE_RULE;
  return {
    own: TRUE_RULE,
    project: freezeRule(simplifyRule(project, IMPLICATIONS.project as readonly Implication<ProjectFact>[])),
    workspace: freezeRule(simplifyRule(workspace, IMPLICATIONS.workspace as readonly Implication<WorkspaceFact>[])),
    organization: cell === "organization" ? TRUE_RULE : FALSE_RULE,
  };
}

/** Entry `bits` is 1 when the rule holds for the facts whose bit pattern is `bits`. */
export function truthTable(rule: Rule<string>, names: readonly string[]): Uint8Array {
  const table = new Uint8Array(1 << names.length);
  for (let bits = 0; bits < table.length; bits++) {
    table[bits] = evaluateRule(rule, factsFromBits(names, bits)) ? 1 : 0;
  }
  return table;
}
