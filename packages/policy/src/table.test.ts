// One row per cell of the permission table (action × role), written out here by hand so that
// the table in src/table.ts cannot drift: each row is checked against the table data, and
// `can()` is checked against an independent restatement of PERMISSIONS.md's scope rules, with
// no resource and on every consistent combination of the resource's facts. A last test proves
// that any single-cell change to the table would make a row fail.

import { describe, expect, it } from "vitest";
import { ACTIONS, PERMISSIONS, ROLES, actionSpec, can, dashboardRule, evaluateRule, explain, scopeRule } from "./index.js";
import type {
  Action,
  Cell,
  DashboardScope,
  DashboardTarget,
  JobFacts,
  MemberFacts,
  ProjectFacts,
  ResourceKind,
  Role,
  ScopedAction,
  WorkFacts,
  WorkspaceFacts,
} from "./index.js";
import { cellRule, dashboardRules } from "./compile.js";

/** The resource kind of every action. */
const KIND: Record<Action, ResourceKind> = {
  "membership.viewOwnStatus": "none",
  "organization.create": "none",
  "organization.read": "none",
  "organization.update": "none",
  "organization.switch": "none",
  "ownership.transfer": "none",
  "member.list": "none",
  "member.changeRole": "member",
  "member.remove": "member",
  "invite.manage": "none",
  "directory.manage": "none",
  "activityLog.view": "none",
  "apiToken.use": "project",
  "workspace.read": "workspace",
  "workspace.readLabel": "project",
  "workspace.create": "none",
  "workspace.update": "workspace",
  "workspace.delete": "workspace",
  "workspace.manageMembers": "workspace",
  "project.read": "project",
  "project.create": "workspace",
  "project.update": "project",
  "project.delete": "project",
  "project.pin": "project",
  "project.duplicate": "project",
  "project.manageMembers": "project",
  "project.viewAccess": "project",
  "template.read": "none",
  "template.save": "project",
  "job.read": "job",
  "data.view": "work",
  "data.import": "project",
  "data.export": "project",
  "task.assignAnnotators": "project",
  "task.assignReviewers": "project",
  "labeling.access": "project",
  "review.access": "project",
  "agreement.monitor": "project",
  "performance.review": "work",
  "annotation.verify": "project",
  "dashboard.view": "dashboard",
  "annotatorDashboard.view": "none",
};

/**
 * PERMISSIONS.md's Table 3, as decided, one row per (action, role). Table 3 rows map onto
 * actions as follows: "change user roles" → member.changeRole (+ member.remove); "view People
 * page" → member.list; "invite people" → invite.manage; "workspace access" → workspace.*;
 * "project access" → project.*; the rest one to one.
 */
const EXPECTED: readonly (readonly [Action, Role, Cell])[] = [
  ["membership.viewOwnStatus", "annotator", "yes"],
  ["membership.viewOwnStatus", "reviewer", "yes"],
  ["membership.viewOwnStatus", "manager", "yes"],
  ["membership.viewOwnStatus", "administrator", "yes"],
  ["membership.viewOwnStatus", "owner", "yes"],
  ["organization.create", "annotator", "yes"],
  ["organization.create", "reviewer", "yes"],
  ["organization.create", "manager", "yes"],
  ["organization.create", "administrator", "yes"],
  ["organization.create", "owner", "yes"],
  ["organization.read", "annotator", "yes"],
  ["organization.read", "reviewer", "yes"],
  ["organization.read", "manager", "yes"],
  ["organization.read", "administrator", "yes"],
  ["organization.read", "owner", "yes"],
  ["organization.update", "annotator", "no"],
  ["organization.update", "reviewer", "no"],
  ["organization.update", "manager", "no"],
  ["organization.update", "administrator", "yes"],
  ["organization.update", "owner", "yes"],
  ["organization.switch", "annotator", "yes"],
  ["organization.switch", "reviewer", "yes"],
  ["organization.switch", "manager", "yes"],
  ["organization.switch", "administrator", "yes"],
  ["organization.switch", "owner", "yes"],
  ["ownership.transfer", "annotator", "no"],
  ["ownership.transfer", "reviewer", "no"],
  ["ownership.transfer", "manager", "no"],
  ["ownership.transfer", "administrator", "no"],
  ["ownership.transfer", "owner", "yes"],
  ["member.list", "annotator", "no"],
  ["member.list", "reviewer", "no"],
  ["member.list", "manager", "yes"],
  ["member.list", "administrator", "yes"],
  ["member.list", "owner", "yes"],
  ["member.changeRole", "annotator", "no"],
  ["member.changeRole", "reviewer", "no"],
  ["member.changeRole", "manager", "no"],
  ["member.changeRole", "administrator", "yes"],
  ["member.changeRole", "owner", "yes"],
  ["member.remove", "annotator", "no"],
  ["member.remove", "reviewer", "no"],
  ["member.remove", "manager", "no"],
  ["member.remove", "administrator", "yes"],
  ["member.remove", "owner", "yes"],
  ["invite.manage", "annotator", "no"],
  ["invite.manage", "reviewer", "no"],
  ["invite.manage", "manager", "no"],
  ["invite.manage", "administrator", "yes"],
  ["invite.manage", "owner", "yes"],
  ["directory.manage", "annotator", "no"],
  ["directory.manage", "reviewer", "no"],
  ["directory.manage", "manager", "no"],
  ["directory.manage", "administrator", "yes"],
  ["directory.manage", "owner", "yes"],
  ["activityLog.view", "annotator", "no"],
  ["activityLog.view", "reviewer", "no"],
  ["activityLog.view", "manager", "no"],
  ["activityLog.view", "administrator", "yes"],
  ["activityLog.view", "owner", "yes"],
  ["apiToken.use", "annotator", "no"],
  ["apiToken.use", "reviewer", "no"],
  ["apiToken.use", "manager", "ownOrWorkspace"],
  ["apiToken.use", "administrator", "yes"],
  ["apiToken.use", "owner", "yes"],
  ["workspace.read", "annotator", "yes"],
  ["workspace.read", "reviewer", "yes"],
  ["workspace.read", "manager", "yes"],
  ["workspace.read", "administrator", "yes"],
  ["workspace.read", "owner", "yes"],
  ["workspace.readLabel", "annotator", "yes"],
  ["workspace.readLabel", "reviewer", "yes"],
  ["workspace.readLabel", "manager", "yes"],
  ["workspace.readLabel", "administrator", "yes"],
  ["workspace.readLabel", "owner", "yes"],
  ["workspace.create", "annotator", "no"],
  ["workspace.create", "reviewer", "no"],
  ["workspace.create", "manager", "yes"],
  ["workspace.create", "administrator", "yes"],
  ["workspace.create", "owner", "yes"],
  ["workspace.update", "annotator", "no"],
  ["workspace.update", "reviewer", "no"],
  ["workspace.update", "manager", "ownOrWorkspace"],
  ["workspace.update", "administrator", "yes"],
  ["workspace.update", "owner", "yes"],
  ["workspace.delete", "annotator", "no"],
  ["workspace.delete", "reviewer", "no"],
  ["workspace.delete", "manager", "ownOrWorkspace"],
  ["workspace.delete", "administrator", "yes"],
  ["workspace.delete", "owner", "yes"],
  ["workspace.manageMembers", "annotator", "no"],
  ["workspace.manageMembers", "reviewer", "no"],
  ["workspace.manageMembers", "manager", "ownOrWorkspace"],
  ["workspace.manageMembers", "administrator", "yes"],
  ["workspace.manageMembers", "owner", "yes"],
  ["project.read", "annotator", "yes"],
  ["project.read", "reviewer", "yes"],
  ["project.read", "manager", "yes"],
  ["project.read", "administrator", "yes"],
  ["project.read", "owner", "yes"],
  ["project.create", "annotator", "no"],
  ["project.create", "reviewer", "no"],
  ["project.create", "manager", "ownOrWorkspace"],
  ["project.create", "administrator", "yes"],
  ["project.create", "owner", "yes"],
  ["project.update", "annotator", "no"],
  ["project.update", "reviewer", "no"],
  ["project.update", "manager", "ownOrWorkspace"],
  ["project.update", "administrator", "yes"],
  ["project.update", "owner", "yes"],
  ["project.delete", "annotator", "no"],
  ["project.delete", "reviewer", "no"],
  ["project.delete", "manager", "ownOrWorkspace"],
  ["project.delete", "administrator", "yes"],
  ["project.delete", "owner", "yes"],
  ["project.pin", "annotator", "no"],
  ["project.pin", "reviewer", "yes"],
  ["project.pin", "manager", "yes"],
  ["project.pin", "administrator", "yes"],
  ["project.pin", "owner", "yes"],
  ["project.duplicate", "annotator", "no"],
  ["project.duplicate", "reviewer", "no"],
  ["project.duplicate", "manager", "ownOrWorkspace"],
  ["project.duplicate", "administrator", "yes"],
  ["project.duplicate", "owner", "yes"],
  ["project.manageMembers", "annotator", "no"],
  ["project.manageMembers", "reviewer", "no"],
  ["project.manageMembers", "manager", "ownOrWorkspace"],
  ["project.manageMembers", "administrator", "yes"],
  ["project.manageMembers", "owner", "yes"],
  ["project.viewAccess", "annotator", "no"],
  ["project.viewAccess", "reviewer", "no"],
  ["project.viewAccess", "manager", "ownOrWorkspace"],
  ["project.viewAccess", "administrator", "yes"],
  ["project.viewAccess", "owner", "yes"],
  ["template.read", "annotator", "no"],
  ["template.read", "reviewer", "no"],
  ["template.read", "manager", "yes"],
  ["template.read", "administrator", "yes"],
  ["template.read", "owner", "yes"],
  ["template.save", "annotator", "no"],
  ["template.save", "reviewer", "no"],
  ["template.save", "manager", "yes"],
  ["template.save", "administrator", "yes"],
  ["template.save", "owner", "yes"],
  ["job.read", "annotator", "own"],
  ["job.read", "reviewer", "own"],
  ["job.read", "manager", "own"],
  ["job.read", "administrator", "yes"],
  ["job.read", "owner", "yes"],
  ["data.view", "annotator", "ownIfProjectAllows"],
  ["data.view", "reviewer", "yes"],
  ["data.view", "manager", "yes"],
  ["data.view", "administrator", "yes"],
  ["data.view", "owner", "yes"],
  ["data.import", "annotator", "no"],
  ["data.import", "reviewer", "no"],
  ["data.import", "manager", "ownOrWorkspace"],
  ["data.import", "administrator", "yes"],
  ["data.import", "owner", "yes"],
  ["data.export", "annotator", "no"],
  ["data.export", "reviewer", "no"],
  ["data.export", "manager", "ownOrWorkspace"],
  ["data.export", "administrator", "yes"],
  ["data.export", "owner", "yes"],
  ["task.assignAnnotators", "annotator", "no"],
  ["task.assignAnnotators", "reviewer", "yes"],
  ["task.assignAnnotators", "manager", "ownOrWorkspace"],
  ["task.assignAnnotators", "administrator", "yes"],
  ["task.assignAnnotators", "owner", "yes"],
  ["task.assignReviewers", "annotator", "no"],
  ["task.assignReviewers", "reviewer", "no"],
  ["task.assignReviewers", "manager", "ownOrWorkspace"],
  ["task.assignReviewers", "administrator", "yes"],
  ["task.assignReviewers", "owner", "yes"],
  ["labeling.access", "annotator", "yes"],
  ["labeling.access", "reviewer", "yes"],
  ["labeling.access", "manager", "yes"],
  ["labeling.access", "administrator", "yes"],
  ["labeling.access", "owner", "yes"],
  ["review.access", "annotator", "no"],
  ["review.access", "reviewer", "yes"],
  ["review.access", "manager", "yes"],
  ["review.access", "administrator", "yes"],
  ["review.access", "owner", "yes"],
  ["agreement.monitor", "annotator", "no"],
  ["agreement.monitor", "reviewer", "yes"],
  ["agreement.monitor", "manager", "yes"],
  ["agreement.monitor", "administrator", "yes"],
  ["agreement.monitor", "owner", "yes"],
  ["performance.review", "annotator", "own"],
  ["performance.review", "reviewer", "yes"],
  ["performance.review", "manager", "yes"],
  ["performance.review", "administrator", "yes"],
  ["performance.review", "owner", "yes"],
  ["annotation.verify", "annotator", "no"],
  ["annotation.verify", "reviewer", "yes"],
  ["annotation.verify", "manager", "yes"],
  ["annotation.verify", "administrator", "yes"],
  ["annotation.verify", "owner", "yes"],
  ["dashboard.view", "annotator", "own"],
  ["dashboard.view", "reviewer", "project"],
  ["dashboard.view", "manager", "workspace"],
  ["dashboard.view", "administrator", "organization"],
  ["dashboard.view", "owner", "organization"],
  ["annotatorDashboard.view", "annotator", "yes"],
  ["annotatorDashboard.view", "reviewer", "no"],
  ["annotatorDashboard.view", "manager", "no"],
  ["annotatorDashboard.view", "administrator", "no"],
  ["annotatorDashboard.view", "owner", "no"],
];

// ---- An independent restatement of the scope rules (PERMISSIONS.md, "Scope"). ----

const SEES_ALL: ReadonlySet<Role> = new Set<Role>(["manager", "administrator", "owner"]);

const seesProject = (role: Role, f: ProjectFacts): boolean =>
  f.ownSandbox || (!f.inSandbox && (SEES_ALL.has(role) || f.projectMember || f.workspaceMember || f.assigned));
const managesProject = (f: ProjectFacts): boolean => f.ownSandbox || (!f.inSandbox && (f.workspaceMember || f.createdByMe));
const seesWorkspace = (role: Role, f: WorkspaceFacts): boolean => f.ownSandbox || (!f.isSandbox && SEES_ALL.has(role));
const managesWorkspace = (f: WorkspaceFacts): boolean => f.ownSandbox || (!f.isSandbox && (f.workspaceMember || f.createdByMe));

/** Conditions some actions add for every role: a sandbox has no members, is not deleted, has no assignments. */
const REQUIRES: Partial<Record<Action, (f: never) => boolean>> = {
  "workspace.delete": (f: WorkspaceFacts) => !f.isSandbox,
  "workspace.manageMembers": (f: WorkspaceFacts) => !f.isSandbox,
  "project.manageMembers": (f: ProjectFacts) => !f.inSandbox,
  "task.assignAnnotators": (f: ProjectFacts) => !f.inSandbox,
  "task.assignReviewers": (f: ProjectFacts) => !f.inSandbox,
};

const RANK: Record<DashboardScope, number> = { own: 0, project: 1, workspace: 2, organization: 3 };

type Probe = ProjectFacts | WorkFacts | WorkspaceFacts | MemberFacts | JobFacts | DashboardTarget;

/** What the cell should allow on this resource, by PERMISSIONS.md. */
function oracle(action: Action, cell: Cell, role: Role, resource: Probe): boolean {
  if (cell === "no") return false;
  const required = REQUIRES[action] as ((f: Probe) => boolean) | undefined;
  if (required !== undefined && !required(resource)) return false;
  switch (KIND[action]) {
    case "none":
      return cell === "yes";
    case "project": {
      const f = resource as ProjectFacts;
      return cell === "yes" ? seesProject(role, f) : cell === "ownOrWorkspace" && managesProject(f);
    }
    case "work": {
      const f = resource as WorkFacts;
      if (!seesProject(role, f)) return false;
      if (cell === "yes") return true;
      if (cell === "own") return f.ownWork;
      return cell === "ownIfProjectAllows" && f.ownWork && f.annotatorsMayViewOwnData;
    }
    case "workspace": {
      const f = resource as WorkspaceFacts;
      return cell === "yes" ? seesWorkspace(role, f) : cell === "ownOrWorkspace" && managesWorkspace(f);
    }
    case "member": {
      const f = resource as MemberFacts;
      return cell === "yes" && !f.isSelf && !f.targetIsOwner;
    }
    case "job":
      return cell === "yes" || (cell === "own" && (resource as JobFacts).requestedByMe);
    case "dashboard": {
      const target = resource as DashboardTarget;
      const widest = cell as DashboardScope;
      if (RANK[target.scope] > RANK[widest]) return false;
      if (target.scope === "project") {
        const f = target.project;
        return widest === "workspace" ? managesProject(f) || (!f.inSandbox && f.projectMember) : seesProject(role, f);
      }
      if (target.scope === "workspace") {
        return widest === "workspace" ? managesWorkspace(target.workspace) : seesWorkspace(role, target.workspace);
      }
      return true;
    }
  }
}

// ---- Probes: every consistent combination of facts (your own sandbox is a sandbox). ----

function combos<K extends string>(names: readonly K[]): Record<K, boolean>[] {
  const out: Record<K, boolean>[] = [];
  for (let bits = 0; bits < 1 << names.length; bits++) {
    const facts = {} as Record<K, boolean>;
    names.forEach((name, i) => (facts[name] = ((bits >> i) & 1) === 1));
    out.push(facts);
  }
  return out;
}
const PROJECT_NAMES = ["inSandbox", "ownSandbox", "workspaceMember", "createdByMe", "projectMember", "assigned", "annotatorsMayViewOwnData"] as const;
const ALL_PROJECTS: ProjectFacts[] = combos(PROJECT_NAMES);
const ALL_WORK: WorkFacts[] = combos([...PROJECT_NAMES, "ownWork"] as const);
const ALL_WORKSPACES: WorkspaceFacts[] = combos(["isSandbox", "ownSandbox", "workspaceMember", "createdByMe"] as const);
const PROJECTS = ALL_PROJECTS.filter((f) => !f.ownSandbox || f.inSandbox);
const WORK = ALL_WORK.filter((f) => !f.ownSandbox || f.inSandbox);
const WORKSPACES = ALL_WORKSPACES.filter((f) => !f.ownSandbox || f.isSandbox);
const MEMBERS: MemberFacts[] = combos(["isSelf", "targetIsOwner"] as const);
const JOBS: JobFacts[] = combos(["requestedByMe"] as const);
const DASHBOARDS: DashboardTarget[] = [
  { scope: "own" },
  { scope: "organization" },
  ...PROJECTS.map((project) => ({ scope: "project" as const, project })),
  ...WORKSPACES.map((workspace) => ({ scope: "workspace" as const, workspace })),
];

function probes(kind: ResourceKind): readonly Probe[] {
  switch (kind) {
    case "none":
      return [];
    case "project":
      return PROJECTS;
    case "work":
      return WORK;
    case "workspace":
      return WORKSPACES;
    case "member":
      return MEMBERS;
    case "job":
      return JOBS;
    case "dashboard":
      return DASHBOARDS;
  }
}

/** `can` typed loosely, for driving every action from data. */
const check = can as (subject: { role: Role | null; status: "pending" | "active" | "deactivated" }, action: Action, resource?: Probe) => boolean;
const explainLoose = explain as (subject: { role: Role | null; status: "pending" | "active" | "deactivated" }, action: Action, resource?: Probe) => { allowed: boolean; reason: string };

/** Single-cell changes that no check can notice, because the answer stays the same everywhere. */
const EQUIVALENT_CHANGES: readonly string[] = [
  "workspace.delete/annotator: no -> yes",
  "workspace.delete/reviewer: no -> yes",
  "workspace.manageMembers/annotator: no -> yes",
  "workspace.manageMembers/reviewer: no -> yes",
];

describe("the permission table", () => {
  it("has exactly one expected row per action and role", () => {
    const seen = new Set(EXPECTED.map(([action, role]) => `${action}/${role}`));
    expect(seen.size).toBe(EXPECTED.length);
    expect(EXPECTED.length).toBe(ACTIONS.length * ROLES.length);
    for (const action of ACTIONS) for (const role of ROLES) expect(seen.has(`${action}/${role}`)).toBe(true);
    expect(Object.keys(KIND).sort()).toEqual([...ACTIONS].sort());
  });

  it.each(ACTIONS.map((action) => [action]))("%s is checked against the resource kind the test expects", (action) => {
    expect(actionSpec(action).kind).toBe(KIND[action]);
  });

  it.each(EXPECTED)("%s for %s is %s", (action, role, cell) => {
    expect(PERMISSIONS[action][role]).toBe(cell);
    const subject = { role, status: "active" as const };
    const resources = probes(KIND[action]);

    // Without a resource: allowed when the role holds the action anywhere at all.
    const anywhere = KIND[action] === "none" ? oracle(action, cell, role, {} as Probe) : resources.some((r) => oracle(action, cell, role, r));
    expect(check(subject, action)).toBe(anywhere);
    expect(explainLoose(subject, action).allowed).toBe(anywhere);

    // With every consistent combination of the resource's facts.
    for (const resource of resources) {
      const want = oracle(action, cell, role, resource);
      const got = check(subject, action, resource);
      if (got !== want) expect.fail(`${role} ${action} on ${JSON.stringify(resource)}: got ${got}, want ${want}`);
      expect(explainLoose(subject, action, resource).allowed).toBe(want);
    }

    // The same role, pending or deactivated, can do nothing but see its own status.
    for (const status of ["pending", "deactivated"] as const) {
      const inactive = { role, status };
      const only = action === "membership.viewOwnStatus";
      expect(check(inactive, action)).toBe(only);
      for (const resource of resources) expect(check(inactive, action, resource)).toBe(only);
    }
  });

  it("would fail for any single changed cell", () => {
    // For each row, every other value the cell could take gives a different answer somewhere
    // (with no resource, or on some probe), so the row's test above would catch the change.
    const CELLS: Record<ResourceKind, readonly Cell[]> = {
      none: ["no", "yes"],
      member: ["no", "yes"],
      project: ["no", "yes", "ownOrWorkspace"],
      workspace: ["no", "yes", "ownOrWorkspace"],
      work: ["no", "yes", "own", "ownIfProjectAllows"],
      job: ["no", "yes", "own"],
      dashboard: ["own", "project", "workspace", "organization"],
    };
    let mutants = 0;
    const unnoticed: string[] = [];
    for (const [action, role, cell] of EXPECTED) {
      const kind = KIND[action];
      for (const other of CELLS[kind]) {
        if (other === cell) continue;
        mutants++;
        const mutated = (resource: Probe): boolean => {
          if (kind === "dashboard") {
            const target = resource as DashboardTarget;
            const rules = dashboardRules(other as DashboardScope, role);
            if (target.scope === "project") return evaluateRule(rules.project, target.project);
            if (target.scope === "workspace") return evaluateRule(rules.workspace, target.workspace);
            return rules[target.scope].length > 0;
          }
          return evaluateRule(cellRule(action, other, role), resource as unknown as Record<string, boolean>);
        };
        const resources = kind === "none" ? [{} as Probe] : probes(kind);
        const detected =
          resources.some((r) => mutated(r)) !== resources.some((r) => oracle(action, cell, role, r)) ||
          resources.some((r) => mutated(r) !== oracle(action, cell, role, r));
        if (!detected) unnoticed.push(`${action}/${role}: ${cell} -> ${other}`);
      }
    }
    expect(mutants).toBeGreaterThan(EXPECTED.length);
    // Changes that do not change any answer (the literal check of each row still catches them):
    // reviewers and annotators see only their own sandbox, and these actions exclude sandboxes.
    expect(unnoticed).toEqual(EQUIVALENT_CHANGES);
  });
});

describe("can() evaluates exactly the exported scope rules", () => {
  const SCOPED = ACTIONS.filter((a) => !["none", "dashboard"].includes(KIND[a])) as ScopedAction[];

  it.each(SCOPED.map((a) => [a]))("%s: can() equals evaluateRule(scopeRule) on every fact combination", (action) => {
    const all = KIND[action] === "project" ? ALL_PROJECTS : KIND[action] === "work" ? ALL_WORK : KIND[action] === "workspace" ? ALL_WORKSPACES : probes(KIND[action]);
    for (const role of ROLES) {
      const rule = scopeRule(action, role) as readonly (readonly { fact: string; not?: boolean }[])[];
      for (const facts of all) {
        expect(check({ role, status: "active" }, action, facts)).toBe(evaluateRule(rule, facts as unknown as Record<string, boolean>));
      }
    }
  });

  it("dashboard.view equals evaluateRule(dashboardRule) on every fact combination", () => {
    for (const role of ROLES) {
      const subject = { role, status: "active" as const };
      for (const project of ALL_PROJECTS) {
        expect(can(subject, "dashboard.view", { scope: "project", project })).toBe(evaluateRule(dashboardRule(role, "project"), project));
      }
      for (const workspace of ALL_WORKSPACES) {
        expect(can(subject, "dashboard.view", { scope: "workspace", workspace })).toBe(evaluateRule(dashboardRule(role, "workspace"), workspace));
      }
      for (const scope of ["own", "organization"] as const) {
        expect(can(subject, "dashboard.view", { scope })).toBe(dashboardRule(role, scope).length > 0);
      }
    }
  });
});
