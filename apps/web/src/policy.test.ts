// The web app reads the same rulebook as the server (to hide what a role may not do).
import { assignableRoles, can, explain, roleToCode } from "@lattice/policy";
import { describe, expect, it } from "vitest";

describe("@lattice/policy in the web app", () => {
  it("answers the same questions the server asks", () => {
    const annotator = { role: "annotator", status: "active" } as const;
    expect(can(annotator, "member.list")).toBe(false);
    expect(can({ role: "manager", status: "active" }, "member.list")).toBe(true);
    expect(explain({ role: null, status: "pending" }, "project.read").allowed).toBe(false);
    expect(assignableRoles("teams")).toEqual(["manager"]);
    expect(roleToCode("administrator")).toBe("AD");
  });
});
