import { describe, expect, it } from "vitest";
import {
  EDITIONS,
  MEMBERSHIP_STATUSES,
  ROLES,
  ROLE_CODES,
  assignableRoles,
  codeToMembership,
  codeToRole,
  highestRole,
  isMembershipStatus,
  isRole,
  isRoleCode,
  membershipToCode,
  roleRank,
  roleToCode,
} from "./index.js";
import type { ActiveRoleCode, MembershipState, RoleCode } from "./index.js";

describe("roles and statuses", () => {
  it("lists the five roles lowest to highest and the three statuses", () => {
    expect(ROLES).toEqual(["annotator", "reviewer", "manager", "administrator", "owner"]);
    expect(MEMBERSHIP_STATUSES).toEqual(["pending", "active", "deactivated"]);
    expect(ROLES.map(roleRank)).toEqual([0, 1, 2, 3, 4]);
  });

  it("picks the highest role, as directory sync does when several groups apply", () => {
    expect(highestRole(["annotator", "manager", "reviewer"])).toBe("manager");
    expect(highestRole(["owner", "administrator"])).toBe("owner");
    expect(highestRole([])).toBeUndefined();
  });

  it("narrows untrusted input", () => {
    for (const role of ROLES) expect(isRole(role)).toBe(true);
    for (const status of MEMBERSHIP_STATUSES) expect(isMembershipStatus(status)).toBe(true);
    for (const bad of ["Owner", "admin", "", null, 3, undefined]) {
      expect(isRole(bad)).toBe(false);
      expect(isMembershipStatus(bad)).toBe(false);
    }
  });
});

describe("role codes", () => {
  it("spell each role as the REST face does", () => {
    expect(Object.fromEntries(ROLES.map((r) => [r, roleToCode(r)]))).toEqual({
      owner: "OW",
      administrator: "AD",
      manager: "MA",
      reviewer: "RE",
      annotator: "AN",
    });
  });

  it("convert both ways, totally, and round-trip", () => {
    const active: ActiveRoleCode[] = ["OW", "AD", "MA", "RE", "AN"];
    for (const code of active) expect(roleToCode(codeToRole(code))).toBe(code);
    for (const role of ROLES) expect(codeToRole(roleToCode(role))).toBe(role);
    expect(new Set(ROLES.map(roleToCode)).size).toBe(ROLES.length);
  });

  it("cover pending as NO and deactivated as DI", () => {
    expect(ROLE_CODES).toEqual(["OW", "AD", "MA", "RE", "AN", "NO", "DI"]);
    expect(codeToMembership("NO")).toEqual({ status: "pending", role: null });
    expect(codeToMembership("DI")).toEqual({ status: "deactivated", role: null });
    expect(codeToMembership("MA")).toEqual({ status: "active", role: "manager" });
    expect(membershipToCode({ status: "pending" })).toBe("NO");
    // A deactivated member's remembered role does not show.
    expect(membershipToCode({ status: "deactivated", role: "administrator" })).toBe("DI");
    expect(membershipToCode({ status: "active", role: "reviewer" })).toBe("RE");
  });

  it("round-trip every code and every normalised membership", () => {
    for (const code of ROLE_CODES) expect(membershipToCode(codeToMembership(code))).toBe(code);
    const states: MembershipState[] = [
      ...ROLES.map((role) => ({ status: "active" as const, role })),
      { status: "pending", role: null },
      { status: "deactivated", role: null },
    ];
    for (const state of states) expect(codeToMembership(membershipToCode(state))).toEqual(state);
    expect(new Set(states.map(membershipToCode)).size).toBe(ROLE_CODES.length);
  });

  it("parse untrusted codes, and only the seven", () => {
    for (const code of ROLE_CODES) expect(isRoleCode(code)).toBe(true);
    for (const bad of ["ow", "XX", "", "OWNER", 0, null]) expect(isRoleCode(bad)).toBe(false);
    const parsed = "AN,RE,ZZ".split(",").filter(isRoleCode);
    expect(parsed).toEqual<RoleCode[]>(["AN", "RE"]);
  });
});

describe("assignableRoles", () => {
  it("enterprise assigns administrator, manager, reviewer and annotator", () => {
    expect(assignableRoles("enterprise")).toEqual(["administrator", "manager", "reviewer", "annotator"]);
  });

  it("teams assigns only manager", () => {
    expect(assignableRoles("teams")).toEqual(["manager"]);
  });

  it("never offers owner", () => {
    for (const edition of EDITIONS) expect(assignableRoles(edition)).not.toContain("owner");
  });
});
