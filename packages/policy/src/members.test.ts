import { describe, expect, it } from "vitest";
import {
  EDITIONS,
  MEMBERSHIP_STATUSES,
  ROLES,
  canChangeRole,
  canTransferOwnership,
  explainChangeRole,
  explainTransferOwnership,
} from "./index.js";
import type { Edition, MemberRef, MembershipStatus, Role, RoleChange } from "./index.js";

const ROLE_OR_NONE: readonly (Role | null)[] = [...ROLES, null];
const CHANGES: readonly RoleChange[] = [...ROLES, "deactivated"];

/** PERMISSIONS.md's rules, restated: only an active administrator or owner; never oneself; never to or from owner; only the edition's roles. */
function expectedChange(actor: MemberRef, target: MemberRef, newRole: RoleChange, edition: Edition): boolean {
  if (actor.status !== "active" || (actor.role !== "administrator" && actor.role !== "owner")) return false;
  if (actor.userId === target.userId) return false;
  if (target.role === "owner" || newRole === "owner") return false;
  if (newRole === "deactivated") return true;
  return edition === "enterprise" || newRole === "manager";
}

describe("canChangeRole", () => {
  it("follows the rules for every actor, target, new role and edition", () => {
    let cases = 0;
    let allowed = 0;
    for (const edition of EDITIONS)
      for (const actorRole of ROLE_OR_NONE)
        for (const actorStatus of MEMBERSHIP_STATUSES)
          for (const targetRole of ROLE_OR_NONE)
            for (const targetStatus of MEMBERSHIP_STATUSES)
              for (const self of [false, true])
                for (const newRole of CHANGES) {
                  const actor: MemberRef = { userId: 1, role: actorRole, status: actorStatus };
                  const target: MemberRef = { userId: self ? 1 : 2, role: targetRole, status: targetStatus };
                  const want = expectedChange(actor, target, newRole, edition);
                  expect(canChangeRole(actor, target, newRole, edition)).toBe(want);
                  const decision = explainChangeRole(actor, target, newRole, edition);
                  expect(decision.allowed).toBe(want);
                  expect(decision.reason).toMatch(/\.$/);
                  cases++;
                  if (want) allowed++;
                }
    expect(cases).toBe(2 * 6 * 3 * 6 * 3 * 2 * 6);
    expect(allowed).toBeGreaterThan(0);
  });

  const admin: MemberRef = { userId: "a", role: "administrator", status: "active" };
  const owner: MemberRef = { userId: "o", role: "owner", status: "active" };
  const annotator: MemberRef = { userId: "n", role: "annotator", status: "active" };
  const pending: MemberRef = { userId: "p", role: null, status: "pending" };
  const deactivated: MemberRef = { userId: "d", role: null, status: "deactivated" };

  it("lets an administrator activate, change and deactivate members", () => {
    expect(explainChangeRole(admin, pending, "reviewer")).toEqual({ allowed: true, reason: "Administrators can activate this member as reviewer." });
    expect(canChangeRole(admin, deactivated, "annotator")).toBe(true);
    expect(canChangeRole(admin, annotator, "manager")).toBe(true);
    expect(explainChangeRole(owner, annotator, "deactivated")).toEqual({ allowed: true, reason: "The owner can deactivate this member." });
  });

  it("keeps administrators off the owner's account", () => {
    expect(explainChangeRole(admin, owner, "manager")).toEqual({
      allowed: false,
      reason: "Nobody can change the owner's role or status; only the owner can hand over ownership.",
    });
    expect(canChangeRole(admin, owner, "deactivated")).toBe(false);
  });

  it("refuses to change one's own role, even for the owner", () => {
    expect(explainChangeRole(owner, owner, "administrator").reason).toBe("Nobody can change their own role or status.");
    expect(canChangeRole(admin, admin, "manager")).toBe(false);
  });

  it("never makes anyone owner", () => {
    expect(explainChangeRole(owner, admin, "owner")).toEqual({
      allowed: false,
      reason: "Nobody can be made owner; the owner hands over ownership to an administrator instead.",
    });
  });

  it("assigns only manager in the teams edition", () => {
    expect(canChangeRole(owner, pending, "manager", "teams")).toBe(true);
    expect(explainChangeRole(owner, pending, "reviewer", "teams")).toEqual({
      allowed: false,
      reason: "The teams edition assigns only the manager role.",
    });
  });

  it("refuses managers and everyone below", () => {
    for (const role of ["annotator", "reviewer", "manager"] as const) {
      const actor: MemberRef = { userId: "x", role, status: "active" };
      expect(canChangeRole(actor, annotator, "reviewer")).toBe(false);
    }
    expect(explainChangeRole({ userId: "m", role: "manager", status: "active" }, annotator, "reviewer").reason).toBe(
      "Managers cannot change members' roles and status.",
    );
  });
});

describe("canTransferOwnership", () => {
  it("lets only the owner hand over, and only to another active administrator", () => {
    for (const actorRole of ROLE_OR_NONE)
      for (const actorStatus of MEMBERSHIP_STATUSES)
        for (const targetRole of ROLE_OR_NONE)
          for (const targetStatus of MEMBERSHIP_STATUSES as readonly MembershipStatus[])
            for (const self of [false, true]) {
              const actor: MemberRef = { userId: 1, role: actorRole, status: actorStatus };
              const target: MemberRef = { userId: self ? 1 : 2, role: targetRole, status: targetStatus };
              const want = actorRole === "owner" && actorStatus === "active" && !self && targetRole === "administrator" && targetStatus === "active";
              expect(canTransferOwnership(actor, target)).toBe(want);
              expect(explainTransferOwnership(actor, target).allowed).toBe(want);
            }
  });

  it("explains a refusal", () => {
    const owner: MemberRef = { userId: 1, role: "owner", status: "active" };
    expect(explainTransferOwnership(owner, { userId: 2, role: "manager", status: "active" }).reason).toBe(
      "Ownership can only be handed to an active administrator.",
    );
    expect(explainTransferOwnership({ userId: 2, role: "administrator", status: "active" }, owner).reason).toBe(
      "Administrators cannot hand over ownership of the organization.",
    );
  });
});
