// can() and explain(): the permission table and scope rules, precompiled at module load into
// one lookup per (action, role, fact pattern), so that a check allocates nothing.

import { ACTION_CATALOGUE, ACTIONS } from "./actions.js";
import type { Action, ActionSpec, FactNameByKind, KindOf, ResourceKind, ScopedAction } from "./actions.js";
import { FACTS_OF_KIND, IMPLICATIONS, cellRule, dashboardRules, truthTable } from "./compile.js";
import type { DashboardRules } from "./compile.js";
import { FALSE_RULE, evaluateRule, factsFromBits, freezeRule, ruleAnd, simplifyRule } from "./facts.js";
import type {
  Conjunction,
  Implication,
  JobFacts,
  MemberFacts,
  ProjectFact,
  ProjectFacts,
  Rule,
  WorkFacts,
  WorkspaceFact,
  WorkspaceFacts,
} from "./facts.js";
import { JOB_FACTS, MEMBER_FACTS, PROJECT_FACTS, WORK_FACTS, WORKSPACE_FACTS } from "./facts.js";
import { ROLES } from "./roles.js";
import type { MembershipStatus, Role } from "./roles.js";
import {
  DASHBOARD_SCOPES,
  DASHBOARD_SCOPE_TEXT,
  PERMISSIONS,
  PROJECT_VISIBILITY,
  PROJECT_VISIBILITY_TEXT,
  WORKSPACE_VISIBILITY,
  WORKSPACE_VISIBILITY_TEXT,
} from "./table.js";
import type { Cell, DashboardScope } from "./table.js";

/** Who is asking: their membership in the organization the check is about. */
export interface Subject {
  /** `null` while pending (and, by choice of the caller, when deactivated). */
  readonly role: Role | null;
  readonly status: MembershipStatus;
}

/** The dashboard a `dashboard.view` check is about, with the facts its scope needs. */
export type DashboardTarget =
  | { readonly scope: "own" }
  | { readonly scope: "project"; readonly project: ProjectFacts }
  | { readonly scope: "workspace"; readonly workspace: WorkspaceFacts }
  | { readonly scope: "organization" };

/** The resource each kind of action is checked against. */
export interface ResourceByKind {
  none: undefined;
  project: ProjectFacts;
  work: WorkFacts;
  workspace: WorkspaceFacts;
  member: MemberFacts;
  job: JobFacts;
  dashboard: DashboardTarget;
}

/** The resource (facts) an action is checked against. */
export type ResourceFor<A extends Action> = ResourceByKind[KindOf<A>];

type AnyResource = ResourceByKind[ResourceKind];

/** A check's outcome with the reason, as a sentence a person can read. */
export interface Decision {
  readonly allowed: boolean;
  readonly reason: string;
}

// ---- Compilation ----

const K_NONE = 0;
const K_PROJECT = 1;
const K_WORK = 2;
const K_WORKSPACE = 3;
const K_MEMBER = 4;
const K_JOB = 5;
const K_DASHBOARD = 6;

const KIND_CODE: Readonly<Record<ResourceKind, number>> = {
  none: K_NONE,
  project: K_PROJECT,
  work: K_WORK,
  workspace: K_WORKSPACE,
  member: K_MEMBER,
  job: K_JOB,
  dashboard: K_DASHBOARD,
};

const ROLE_INDEX = {
  annotator: 0,
  reviewer: 1,
  manager: 2,
  administrator: 3,
  owner: 4,
} as const satisfies Record<Role, number>;

const EMPTY = new Uint8Array(0);

/** One action, compiled. Every instance has the same shape, so property reads stay monomorphic. */
class CompiledAction {
  readonly kind: number;
  /** Bit r set: role r is allowed the action on at least one resource. */
  readonly capability: number;
  /** Entry `(r << bitsPerRole) | factBits`: 1 when allowed. Dashboards: the project scope. */
  readonly truth: Uint8Array;
  /** Dashboards only: the workspace scope, `(r << 4) | workspaceBits`. */
  readonly workspaceTruth: Uint8Array;
  /** Dashboards only: bit r set when role r may see its own dashboard / the organization's. */
  readonly ownMask: number;
  readonly organizationMask: number;

  constructor(kind: number, capability: number, truth: Uint8Array, workspaceTruth = EMPTY, ownMask = 0, organizationMask = 0) {
    this.kind = kind;
    this.capability = capability;
    this.truth = truth;
    this.workspaceTruth = workspaceTruth;
    this.ownMask = ownMask;
    this.organizationMask = organizationMask;
  }
}

const COMPILED: Record<string, CompiledAction | undefined> = Object.create(null) as Record<string, CompiledAction | undefined>;
const RULES = new Map<Action, ReadonlyMap<Role, Rule<string>>>();
const DASHBOARD_RULES = new Map<Role, DashboardRules>();

function hasOne(table: Uint8Array): boolean {
  return table.includes(1);
}

for (const action of ACTIONS) {
  const spec: ActionSpec = ACTION_CATALOGUE[action];
  if (spec.kind === "dashboard") {
    const project = new Uint8Array(ROLES.length << PROJECT_FACTS.length);
    const workspace = new Uint8Array(ROLES.length << WORKSPACE_FACTS.length);
    let capability = 0;
    let ownMask = 0;
    let organizationMask = 0;
    ROLES.forEach((role, r) => {
      const rules = dashboardRules(PERMISSIONS["dashboard.view"][role], role);
      DASHBOARD_RULES.set(role, rules);
      const p = truthTable(rules.project, PROJECT_FACTS);
      const w = truthTable(rules.workspace, WORKSPACE_FACTS);
      project.set(p, r << PROJECT_FACTS.length);
      workspace.set(w, r << WORKSPACE_FACTS.length);
      if (rules.own.length > 0) ownMask |= 1 << r;
      if (rules.organization.length > 0) organizationMask |= 1 << r;
      if (rules.own.length > 0 || rules.organization.length > 0 || hasOne(p) || hasOne(w)) capability |= 1 << r;
    });
    COMPILED[action] = new CompiledAction(K_DASHBOARD, capability, project, workspace, ownMask, organizationMask);
    continue;
  }
  const names = FACTS_OF_KIND[spec.kind];
  const truth = new Uint8Array(ROLES.length << names.length);
  const byRole = new Map<Role, Rule<string>>();
  let capability = 0;
  ROLES.forEach((role, r) => {
    const cell: Cell = PERMISSIONS[action][role];
    const rule = cellRule(action, cell, role);
    byRole.set(role, rule);
    const table = truthTable(rule, names);
    truth.set(table, r << names.length);
    if (hasOne(table)) capability |= 1 << r;
  });
  RULES.set(action, byRole);
  COMPILED[action] = new CompiledAction(KIND_CODE[spec.kind], capability, truth);
}

// Fact masks, written out for speed. The check below proves they follow the fact tuples' order.
function projectBits(f: ProjectFacts): number {
  return (
    (f.inSandbox === true ? 1 : 0) |
    (f.ownSandbox === true ? 2 : 0) |
    (f.workspaceMember === true ? 4 : 0) |
    (f.createdByMe === true ? 8 : 0) |
    (f.projectMember === true ? 16 : 0) |
    (f.assigned === true ? 32 : 0) |
    (f.annotatorsMayViewOwnData === true ? 64 : 0)
  );
}
function workBits(f: WorkFacts): number {
  return projectBits(f) | (f.ownWork === true ? 128 : 0);
}
function workspaceBits(f: WorkspaceFacts): number {
  return (
    (f.isSandbox === true ? 1 : 0) |
    (f.ownSandbox === true ? 2 : 0) |
    (f.workspaceMember === true ? 4 : 0) |
    (f.createdByMe === true ? 8 : 0)
  );
}
function memberBits(f: MemberFacts): number {
  return (f.isSelf === true ? 1 : 0) | (f.targetIsOwner === true ? 2 : 0);
}
function jobBits(f: JobFacts): number {
  return f.requestedByMe === true ? 1 : 0;
}

function checkBitOrder<F extends string, T>(names: readonly F[], bits: (facts: T) => number): void {
  names.forEach((name, i) => {
    if (bits(factsFromBits(names, 1 << i) as T) !== 1 << i) throw new Error(`policy: fact ${name} is not bit ${i}`);
  });
}
checkBitOrder(PROJECT_FACTS, projectBits);
checkBitOrder(WORK_FACTS, workBits);
checkBitOrder(WORKSPACE_FACTS, workspaceBits);
checkBitOrder(MEMBER_FACTS, memberBits);
checkBitOrder(JOB_FACTS, jobBits);

// ---- Checks ----

/**
 * Whether the subject may perform the action.
 *
 * With a resource, the answer is for that resource (its facts, relative to the subject). Without
 * one, for a scoped action, the answer is whether the role holds the action anywhere at all: use
 * that to show or hide a control, and always pass the resource before doing the work. Pending
 * and deactivated members may only `membership.viewOwnStatus`.
 */
export function can<A extends Action>(subject: Subject, action: A, resource?: ResourceFor<A>): boolean;
export function can(subject: Subject, action: Action, resource?: AnyResource): boolean {
  const role = subject.role;
  if (subject.status !== "active" || role === null) return action === "membership.viewOwnStatus";
  const c = COMPILED[action];
  const r: number | undefined = ROLE_INDEX[role];
  if (c === undefined || r === undefined) return false;
  if (resource === undefined) return ((c.capability >>> r) & 1) === 1;
  switch (c.kind) {
    case K_PROJECT:
      return c.truth[(r << 7) | projectBits(resource as ProjectFacts)] === 1;
    case K_WORK:
      return c.truth[(r << 8) | workBits(resource as WorkFacts)] === 1;
    case K_WORKSPACE:
      return c.truth[(r << 4) | workspaceBits(resource as WorkspaceFacts)] === 1;
    case K_MEMBER:
      return c.truth[(r << 2) | memberBits(resource as MemberFacts)] === 1;
    case K_JOB:
      return c.truth[(r << 1) | jobBits(resource as JobFacts)] === 1;
    case K_DASHBOARD:
      return canSeeDashboard(c, r, resource as DashboardTarget);
    default:
      return c.truth[r] === 1;
  }
}

function canSeeDashboard(c: CompiledAction, r: number, target: DashboardTarget): boolean {
  switch (target.scope) {
    case "own":
      return ((c.ownMask >>> r) & 1) === 1;
    case "project":
      return c.truth[(r << 7) | projectBits(target.project)] === 1;
    case "workspace":
      return c.workspaceTruth[(r << 4) | workspaceBits(target.workspace)] === 1;
    case "organization":
      return ((c.organizationMask >>> r) & 1) === 1;
  }
  return false;
}

// ---- The rules, for the api (SQL) and for tests ----

/**
 * The exact rule `can()` evaluates for a scoped action and role, over the facts of the action's
 * resource kind. `[]` means never; `[[]]` means always.
 */
export function scopeRule<A extends ScopedAction>(action: A, role: Role): Rule<FactNameByKind[KindOf<A>]> {
  return (RULES.get(action)?.get(role) ?? FALSE_RULE) as Rule<FactNameByKind[KindOf<A>]>;
}

/** Which projects the role sees (`project.read`): the visibility of every project list. */
export function projectReadRule(role: Role): Rule<ProjectFact> {
  return scopeRule("project.read", role);
}

/**
 * Which projects the role fully controls (`project.update`; the same scope gives delete,
 * duplicate, import, export, members and access review).
 */
export function projectManageRule(role: Role): Rule<ProjectFact> {
  return scopeRule("project.update", role);
}

/**
 * The projects `rule` reaches through an API token of `role`: the rule and `apiToken.use`
 * together (Table 3 gives managers API access to their own or workspace projects only).
 */
export function tokenProjectRule(role: Role, rule: Rule<ProjectFact>): Rule<ProjectFact> {
  return freezeRule(simplifyRule(ruleAnd(rule, scopeRule("apiToken.use", role)), IMPLICATIONS.project as readonly Implication<ProjectFact>[]));
}

/** Which workspaces the role sees (`workspace.read`): the visibility of the workspace list. */
export function workspaceReadRule(role: Role): Rule<WorkspaceFact> {
  return scopeRule("workspace.read", role);
}

/**
 * Which workspaces the role fully controls (`workspace.update`; the same scope creates projects
 * in them, and, outside sandboxes, deletes them and manages their members).
 */
export function workspaceManageRule(role: Role): Rule<WorkspaceFact> {
  return scopeRule("workspace.update", role);
}

/** The widest dashboard scope a role reaches (Table 3's dashboards row). */
export function dashboardScope(role: Role): DashboardScope {
  return PERMISSIONS["dashboard.view"][role];
}

/** The rule `can()` evaluates for a dashboard of the given scope: project facts, workspace facts, or none. */
export function dashboardRule(role: Role, scope: "project"): Rule<ProjectFact>;
export function dashboardRule(role: Role, scope: "workspace"): Rule<WorkspaceFact>;
export function dashboardRule(role: Role, scope: "own" | "organization"): Rule<never>;
export function dashboardRule(role: Role, scope: DashboardScope): Rule<string>;
export function dashboardRule(role: Role, scope: DashboardScope): Rule<string> {
  return DASHBOARD_RULES.get(role)?.[scope] ?? FALSE_RULE;
}

// ---- explain() ----

const WHO = {
  annotator: "Annotators",
  reviewer: "Reviewers",
  manager: "Managers",
  administrator: "Administrators",
  owner: "The owner",
} as const satisfies Record<Role, string>;

type Phrases<F extends string> = { readonly [K in F]: readonly [holds: string, fails: string] };

const PROJECT_PHRASES = {
  inSandbox: ["the project is in a sandbox", "the project is not in a sandbox"],
  ownSandbox: ["the project is in their own sandbox", "the project is not in their own sandbox"],
  workspaceMember: ["they are a member of its workspace", "they are not a member of its workspace"],
  createdByMe: ["they created it", "they did not create it"],
  projectMember: ["they are a member of the project", "they are not a member of the project"],
  assigned: ["they have tasks assigned in it", "they have no tasks assigned in it"],
  annotatorsMayViewOwnData: [
    "the project lets annotators view their own data",
    "the project does not let annotators view their own data",
  ],
  ownWork: ["it is their own work", "it is not their own work"],
} as const satisfies Phrases<FactNameByKind["work"]>;

const WORKSPACE_PHRASES = {
  isSandbox: ["the workspace is a sandbox", "the workspace is not a sandbox"],
  ownSandbox: ["it is their own sandbox", "it is not their own sandbox"],
  workspaceMember: ["they are a member of it", "they are not a member of it"],
  createdByMe: ["they created it", "they did not create it"],
} as const satisfies Phrases<WorkspaceFact>;

const MEMBER_PHRASES = {
  isSelf: ["the membership is their own", "the membership is someone else's"],
  targetIsOwner: ["the member is the owner", "the member is not the owner"],
} as const satisfies Phrases<FactNameByKind["member"]>;

const JOB_PHRASES = {
  requestedByMe: ["they started the job", "someone else started the job"],
} as const satisfies Phrases<FactNameByKind["job"]>;

const PHRASES: Readonly<Record<ResourceKind, Readonly<Record<string, readonly [string, string]>>>> = {
  none: {},
  project: PROJECT_PHRASES,
  work: PROJECT_PHRASES,
  workspace: WORKSPACE_PHRASES,
  member: MEMBER_PHRASES,
  job: JOB_PHRASES,
  dashboard: {},
};

const OWN_SCOPE_TEXT = {
  project: "projects they created, projects of workspaces they created or belong to, and their own sandbox",
  workspace: "workspaces they created or belong to, and their own sandbox",
} as const;

function describe(conjunction: Conjunction, kind: ResourceKind): string {
  const phrases = PHRASES[kind];
  return conjunction
    .map((literal) => {
      const pair = phrases[literal.fact];
      if (pair === undefined) return literal.not === true ? `not ${literal.fact}` : literal.fact;
      return literal.not === true ? pair[1] : pair[0];
    })
    .join(", and ");
}

function allowedBecause(who: string, label: string, rule: Rule, facts: object, kind: ResourceKind): string {
  const values = facts as Readonly<Record<string, boolean>>;
  const met = rule.find((conjunction) => evaluateRule([conjunction], values));
  if (met === undefined || met.length === 0) return `${who} can ${label}.`;
  return `${who} can ${label} here: ${describe(met, kind)}.`;
}

function capabilityText(kind: ResourceKind, cell: Cell, role: Role): string {
  switch (kind) {
    case "project":
      return cell === "ownOrWorkspace" ? OWN_SCOPE_TEXT.project : PROJECT_VISIBILITY_TEXT[role];
    case "workspace":
      return cell === "ownOrWorkspace" ? OWN_SCOPE_TEXT.workspace : WORKSPACE_VISIBILITY_TEXT[role];
    case "work":
      if (cell === "own") return `their own work only, in ${PROJECT_VISIBILITY_TEXT[role]}`;
      if (cell === "ownIfProjectAllows") return `their own work only, in projects that allow it`;
      return PROJECT_VISIBILITY_TEXT[role];
    case "member":
      return "any member but themselves and the owner";
    case "job":
      return cell === "own" ? "jobs they started" : "any job";
    case "dashboard":
      return DASHBOARD_SCOPE_TEXT[cell as DashboardScope];
    case "none":
      return "";
  }
}

function projectHidden(who: string, facts: ProjectFacts): string {
  if (facts.inSandbox && !facts.ownSandbox) return "This project is in another user's sandbox, which only that user can see.";
  return `${who} can see only projects they are members of (directly, through its workspace, or by a task assignment), and this is not one of them.`;
}

function workspaceHidden(who: string, facts: WorkspaceFacts): string {
  if (facts.isSandbox && !facts.ownSandbox) return "This workspace is another user's sandbox, which only that user can see.";
  return `${who} can see no workspace but their own sandbox; they see only the name and colour of the workspace of a project they can see.`;
}

function deniedBecause(spec: ActionSpec, role: Role, cell: Cell, resource: AnyResource): string {
  const who = WHO[role];
  const label = spec.label;
  const fallback = `${who} cannot ${label} here.`;
  const values = resource as unknown as Readonly<Record<string, boolean>>;
  const requirementFails = spec.requires !== undefined && !evaluateRule<string>([spec.requires.literals], values);
  switch (spec.kind) {
    case "project":
    case "work": {
      const facts = resource as WorkFacts;
      if (!evaluateRule(PROJECT_VISIBILITY[role], facts)) return projectHidden(who, facts);
      if (requirementFails && spec.requires !== undefined) return spec.requires.message;
      if (cell === "ownOrWorkspace") {
        return `${who} can ${label} only where they manage the project (they created it, belong to its workspace, or it is in their own sandbox), and they do not manage this one.`;
      }
      if (spec.kind === "work" && (cell === "own" || cell === "ownIfProjectAllows")) {
        const own = spec.own ?? label;
        if (cell === "ownIfProjectAllows" && !facts.annotatorsMayViewOwnData) return `${who} can ${own}, and this project does not allow it.`;
        if (!facts.ownWork) return `${who} can ${own}, and this is not theirs.`;
      }
      return fallback;
    }
    case "workspace": {
      const facts = resource as WorkspaceFacts;
      if (!evaluateRule(WORKSPACE_VISIBILITY[role], facts)) return workspaceHidden(who, facts);
      if (requirementFails && spec.requires !== undefined) return spec.requires.message;
      if (cell === "ownOrWorkspace") {
        return `${who} can ${label} only where they manage the workspace (they created it, belong to it, or it is their own sandbox), and they do not manage this one.`;
      }
      return fallback;
    }
    case "member": {
      const facts = resource as MemberFacts;
      if (facts.isSelf && spec.denySelf !== undefined) return spec.denySelf;
      if (facts.targetIsOwner && spec.denyOwner !== undefined) return spec.denyOwner;
      return fallback;
    }
    case "job":
      if (cell === "own" && spec.own !== undefined) return `${who} can ${spec.own}, and this one is not theirs.`;
      return fallback;
    case "dashboard": {
      const target = resource as DashboardTarget;
      const widest = cell as DashboardScope;
      const covers = `${who} can view dashboards of ${DASHBOARD_SCOPE_TEXT[widest]} only`;
      if (DASHBOARD_SCOPES.indexOf(target.scope) > DASHBOARD_SCOPES.indexOf(widest)) {
        return `${covers}, not of ${target.scope === "organization" ? "the whole organization" : `a ${target.scope}`}.`;
      }
      if (target.scope === "project") {
        if (!evaluateRule(PROJECT_VISIBILITY[role], target.project)) return projectHidden(who, target.project);
        return `${covers}, and this project is not one of them.`;
      }
      if (target.scope === "workspace") {
        if (!evaluateRule(WORKSPACE_VISIBILITY[role], target.workspace)) return workspaceHidden(who, target.workspace);
        return `${covers}, and this workspace is not one of them.`;
      }
      return fallback;
    }
    case "none":
      return fallback;
  }
}

/**
 * `can()` with the reason, as a sentence ("Annotators can view only their own data, and this
 * project does not allow it."). `allowed` is always exactly what `can()` answers.
 */
export function explain<A extends Action>(subject: Subject, action: A, resource?: ResourceFor<A>): Decision;
export function explain(subject: Subject, action: Action, resource?: AnyResource): Decision {
  const allowed = can(subject, action, resource);
  const own = action === "membership.viewOwnStatus";
  if (subject.status === "pending") {
    return {
      allowed,
      reason: own
        ? "Pending members can see their own status."
        : "Pending members can only see their own status until an administrator or the owner activates them.",
    };
  }
  if (subject.status === "deactivated") {
    return {
      allowed,
      reason: own
        ? "Deactivated members can see their own status."
        : "Deactivated members have no access to this organization; they can only see their own status.",
    };
  }
  const role = subject.role;
  if (role === null || !(role in ROLE_INDEX)) {
    return { allowed, reason: own ? "Members can see their own status." : "Members without a role can only see their own status." };
  }
  if (!(action in COMPILED)) return { allowed, reason: `"${String(action)}" is not an action.` };
  const spec: ActionSpec = ACTION_CATALOGUE[action];
  const who = WHO[role];
  const cell: Cell = PERMISSIONS[action][role];
  if (cell === "no") return { allowed, reason: `${who} cannot ${spec.label}.` };
  if (resource === undefined || spec.kind === "none") {
    if (!allowed) return { allowed, reason: `${who} cannot ${spec.label}.` };
    const scope = capabilityText(spec.kind, cell, role);
    return { allowed, reason: scope === "" ? `${who} can ${spec.label}.` : `${who} can ${spec.label} (${scope}).` };
  }
  if (!allowed) return { allowed, reason: deniedBecause(spec, role, cell, resource) };
  if (spec.kind === "dashboard") {
    const target = resource as DashboardTarget;
    if (target.scope === "project") return { allowed, reason: allowedBecause(who, spec.label, dashboardRule(role, "project"), target.project, "project") };
    if (target.scope === "workspace") return { allowed, reason: allowedBecause(who, spec.label, dashboardRule(role, "workspace"), target.workspace, "workspace") };
    return { allowed, reason: `${who} can view dashboards of ${DASHBOARD_SCOPE_TEXT[target.scope === "own" ? "own" : "organization"]}.` };
  }
  return { allowed, reason: allowedBecause(who, spec.label, RULES.get(action)?.get(role) ?? FALSE_RULE, resource, spec.kind) };
}
