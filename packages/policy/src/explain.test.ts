import { describe, expect, it } from "vitest";
import { ACTIONS, ROLES, can, explain } from "./index.js";
import type { Action, ProjectFacts, Subject, WorkspaceFacts } from "./index.js";

const NOTHING: ProjectFacts = {
  inSandbox: false,
  ownSandbox: false,
  workspaceMember: false,
  createdByMe: false,
  projectMember: false,
  assigned: false,
  annotatorsMayViewOwnData: false,
};
const WORKSPACE: WorkspaceFacts = { isSandbox: false, ownSandbox: false, workspaceMember: false, createdByMe: false };
const as = (role: Subject["role"], status: Subject["status"] = "active"): Subject => ({ role, status });

describe("explain()", () => {
  it("says why an annotator may not view data the project keeps from them", () => {
    expect(explain(as("annotator"), "data.view", { ...NOTHING, projectMember: true, ownWork: true })).toEqual({
      allowed: false,
      reason: "Annotators can view only their own data, and this project does not allow it.",
    });
    expect(explain(as("annotator"), "data.view", { ...NOTHING, projectMember: true, annotatorsMayViewOwnData: true, ownWork: false })).toEqual({
      allowed: false,
      reason: "Annotators can view only their own data, and this is not theirs.",
    });
    expect(explain(as("annotator"), "performance.review", { ...NOTHING, assigned: true, ownWork: false }).reason).toBe(
      "Annotators can review only their own performance, and this is not theirs.",
    );
  });

  it("names the facts that allowed a scoped action", () => {
    expect(explain(as("annotator"), "data.view", { ...NOTHING, projectMember: true, annotatorsMayViewOwnData: true, ownWork: true })).toEqual({
      allowed: true,
      reason:
        "Annotators can view project data here: the project is not in a sandbox, and they are a member of the project, and the project lets annotators view their own data, and it is their own work.",
    });
    expect(explain(as("manager"), "project.update", { ...NOTHING, createdByMe: true }).reason).toBe(
      "Managers can change projects here: the project is not in a sandbox, and they created it.",
    );
    expect(explain(as("owner"), "workspace.update", { ...WORKSPACE, isSandbox: true, ownSandbox: true }).reason).toBe(
      "The owner can change workspaces here: it is their own sandbox.",
    );
  });

  it("refuses blank cells by role", () => {
    expect(explain(as("annotator"), "data.import")).toEqual({ allowed: false, reason: "Annotators cannot import data." });
    expect(explain(as("reviewer"), "annotatorDashboard.view", undefined)).toEqual({
      allowed: false,
      reason: "Reviewers cannot view the annotator dashboard.",
    });
    expect(explain(as("manager"), "activityLog.view").reason).toBe("Managers cannot view the system-wide activity log.");
  });

  it("states the scope of a role-level permission", () => {
    expect(explain(as("manager"), "project.update")).toEqual({
      allowed: true,
      reason: "Managers can change projects (projects they created, projects of workspaces they created or belong to, and their own sandbox).",
    });
    expect(explain(as("administrator"), "invite.manage")).toEqual({ allowed: true, reason: "Administrators can see and reset the invitation link." });
  });

  it("keeps other users' sandboxes private, even from the owner", () => {
    expect(explain(as("owner"), "project.read", { ...NOTHING, inSandbox: true })).toEqual({
      allowed: false,
      reason: "This project is in another user's sandbox, which only that user can see.",
    });
    expect(explain(as("administrator"), "workspace.read", { ...WORKSPACE, isSandbox: true }).reason).toBe(
      "This workspace is another user's sandbox, which only that user can see.",
    );
  });

  it("tells reviewers and annotators which projects and workspaces they see", () => {
    expect(explain(as("reviewer"), "project.read", NOTHING).reason).toBe(
      "Reviewers can see only projects they are members of (directly, through its workspace, or by a task assignment), and this is not one of them.",
    );
    expect(explain(as("annotator"), "workspace.read", WORKSPACE).reason).toBe(
      "Annotators can see no workspace but their own sandbox; they see only the name and colour of the workspace of a project they can see.",
    );
  });

  it("explains a manager's scope", () => {
    expect(explain(as("manager"), "data.export", NOTHING).reason).toBe(
      "Managers can export data only where they manage the project (they created it, belong to its workspace, or it is in their own sandbox), and they do not manage this one.",
    );
    expect(explain(as("manager"), "workspace.delete", WORKSPACE).reason).toBe(
      "Managers can delete workspaces only where they manage the workspace (they created it, belong to it, or it is their own sandbox), and they do not manage this one.",
    );
  });

  it("explains what a sandbox cannot do", () => {
    expect(explain(as("manager"), "workspace.manageMembers", { ...WORKSPACE, isSandbox: true, ownSandbox: true })).toEqual({
      allowed: false,
      reason: "A sandbox cannot have members.",
    });
    expect(explain(as("owner"), "project.manageMembers", { ...NOTHING, inSandbox: true, ownSandbox: true }).reason).toBe(
      "A project in a sandbox cannot have members; move it to a workspace first.",
    );
  });

  it("explains member and job refusals", () => {
    expect(explain(as("administrator"), "member.remove", { isSelf: false, targetIsOwner: true }).reason).toBe(
      "Nobody can remove the owner from the organization.",
    );
    expect(explain(as("manager"), "job.read", { requestedByMe: false }).reason).toBe(
      "Managers can follow only the jobs they started, and this one is not theirs.",
    );
  });

  it("explains dashboard levels", () => {
    expect(explain(as("reviewer"), "dashboard.view", { scope: "organization" })).toEqual({
      allowed: false,
      reason: "Reviewers can view dashboards of the projects they see only, not of the whole organization.",
    });
    expect(explain(as("annotator"), "dashboard.view", { scope: "project", project: { ...NOTHING, projectMember: true } }).reason).toBe(
      "Annotators can view dashboards of their own work only, not of a project.",
    );
    expect(explain(as("manager"), "dashboard.view", { scope: "workspace", workspace: WORKSPACE }).reason).toBe(
      "Managers can view dashboards of the workspaces they manage and the projects they were invited to only, and this workspace is not one of them.",
    );
    expect(explain(as("manager"), "dashboard.view", { scope: "project", project: { ...NOTHING, projectMember: true } })).toEqual({
      allowed: true,
      reason: "Managers can view dashboards here: the project is not in a sandbox, and they are a member of the project.",
    });
    expect(explain(as("administrator"), "dashboard.view", { scope: "organization" }).reason).toBe(
      "Administrators can view dashboards of the whole organization.",
    );
  });

  it("tells pending and deactivated members they can only see their status", () => {
    for (const role of [null, ...ROLES]) {
      expect(explain(as(role, "pending"), "project.read", NOTHING)).toEqual({
        allowed: false,
        reason: "Pending members can only see their own status until an administrator or the owner activates them.",
      });
      expect(explain(as(role, "deactivated"), "member.list")).toEqual({
        allowed: false,
        reason: "Deactivated members have no access to this organization; they can only see their own status.",
      });
      expect(explain(as(role, "pending"), "membership.viewOwnStatus")).toEqual({ allowed: true, reason: "Pending members can see their own status." });
      expect(explain(as(role, "deactivated"), "membership.viewOwnStatus").allowed).toBe(true);
    }
  });

  it("always agrees with can() and gives a sentence", () => {
    for (const role of ROLES)
      for (const action of ACTIONS) {
        const decision = explain(as(role), action);
        expect(decision.allowed).toBe(can(as(role), action));
        expect(decision.reason).toMatch(/^[A-Z"].*\.$/);
      }
  });
});

describe("can() on untrusted input", () => {
  it("refuses unknown actions and roles, and active members without a role", () => {
    const loose = can as (subject: { role: string | null; status: string }, action: string) => boolean;
    expect(loose({ role: "owner", status: "active" }, "project.launchMissiles")).toBe(false);
    expect(loose({ role: "owner", status: "active" }, "toString")).toBe(false);
    expect(loose({ role: "superuser", status: "active" }, "project.read")).toBe(false);
    expect(loose({ role: "owner", status: "suspended" }, "project.read")).toBe(false);
    expect(can({ role: null, status: "active" }, "project.read")).toBe(false);
    expect(can({ role: null, status: "active" }, "membership.viewOwnStatus")).toBe(true);
    const anyAction: Action = "member.list";
    expect(can(as("manager"), anyAction)).toBe(true);
  });
});
