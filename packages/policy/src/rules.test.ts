import { describe, expect, it } from "vitest";
import {
  FACT_NAMES,
  JOB_FACTS,
  MEMBER_FACTS,
  PROJECT_FACTS,
  ROLES,
  WORK_FACTS,
  WORKSPACE_FACTS,
  evaluateRule,
  foldRule,
  formatRule,
  projectManageRule,
  projectReadRule,
  scopeRule,
  tokenProjectRule,
  workspaceManageRule,
  workspaceReadRule,
} from "./index.js";
import type { Rule } from "./index.js";
import { factsFromBits, simplifyRule } from "./facts.js";

describe("rules", () => {
  it("[] is false, [[]] is true, literals may be negated", () => {
    expect(evaluateRule([], {})).toBe(false);
    expect(evaluateRule([[]], {})).toBe(true);
    const rule: Rule<"a" | "b"> = [[{ fact: "a" }, { fact: "b", not: true }]];
    expect(evaluateRule(rule, { a: true, b: false })).toBe(true);
    expect(evaluateRule(rule, { a: true, b: true })).toBe(false);
    expect(evaluateRule(rule, { a: false, b: false })).toBe(false);
  });

  it("fold into SQL, the way the api compiles visibility", () => {
    const sql = foldRule(projectReadRule("reviewer"), {
      literal: (fact, negated) => (negated ? `NOT (${fact})` : `(${fact})`),
      and: (terms) => (terms.length === 0 ? "TRUE" : terms.join(" AND ")),
      or: (terms) => (terms.length === 0 ? "FALSE" : terms.map((t) => `(${t})`).join(" OR ")),
    });
    expect(sql).toBe(
      "((ownSandbox)) OR (NOT (inSandbox) AND (projectMember)) OR (NOT (inSandbox) AND (workspaceMember)) OR (NOT (inSandbox) AND (assigned))",
    );
  });

  it("read as text", () => {
    expect(formatRule([])).toBe("false");
    expect(formatRule([[]])).toBe("true");
    expect(formatRule(projectManageRule("manager"))).toBe("ownSandbox OR (NOT inSandbox AND workspaceMember) OR (NOT inSandbox AND createdByMe)");
    expect(formatRule(workspaceReadRule("annotator"))).toBe("ownSandbox");
  });

  it("state PERMISSIONS.md's scopes", () => {
    for (const role of ["owner", "administrator", "manager"] as const) {
      expect(formatRule(projectReadRule(role))).toBe("ownSandbox OR NOT inSandbox");
      expect(formatRule(workspaceReadRule(role))).toBe("ownSandbox OR NOT isSandbox");
    }
    for (const role of ["owner", "administrator"] as const) {
      expect(formatRule(projectManageRule(role))).toBe("ownSandbox OR NOT inSandbox");
      expect(formatRule(workspaceManageRule(role))).toBe("ownSandbox OR NOT isSandbox");
    }
    expect(formatRule(workspaceManageRule("manager"))).toBe("ownSandbox OR (NOT isSandbox AND workspaceMember) OR (NOT isSandbox AND createdByMe)");
    for (const role of ["reviewer", "annotator"] as const) {
      expect(projectManageRule(role)).toEqual([]);
      expect(workspaceManageRule(role)).toEqual([]);
    }
    // The manage scope is the scope of every other manager write on a project.
    for (const role of ROLES) {
      for (const action of ["project.delete", "project.duplicate", "data.import", "data.export", "project.viewAccess", "apiToken.use"] as const) {
        expect(scopeRule(action, role)).toEqual(projectManageRule(role));
      }
    }
  });

  it("are frozen, so no caller can widen them", () => {
    const rule = projectReadRule("annotator") as unknown as unknown[][];
    expect(() => rule.push([])).toThrow(TypeError);
    expect(() => (rule[0] as unknown[]).push({ fact: "assigned" })).toThrow(TypeError);
  });

  it("simplify: repeats, contradictions, broken implications, subsumed conjunctions", () => {
    type F = "a" | "b" | "c";
    const rule: Rule<F> = [
      [{ fact: "a" }, { fact: "a" }],
      [{ fact: "b" }, { fact: "b", not: true }],
      [{ fact: "c" }, { fact: "a", not: true }],
      [{ fact: "a" }, { fact: "b" }],
      [{ fact: "a" }],
    ];
    expect(simplifyRule(rule, [["c", "a"]])).toEqual([[{ fact: "a" }]]);
  });
});

describe("fact names", () => {
  it("are listed once each and match the kinds' tuples", () => {
    expect(new Set(FACT_NAMES).size).toBe(FACT_NAMES.length);
    expect(new Set([...PROJECT_FACTS, ...WORK_FACTS, ...WORKSPACE_FACTS, ...MEMBER_FACTS, ...JOB_FACTS])).toEqual(new Set(FACT_NAMES));
    expect(WORK_FACTS).toEqual([...PROJECT_FACTS, "ownWork"]);
  });

  it("tokenProjectRule reaches exactly where the rule and apiToken.use both hold, for every role and fact combination", () => {
    for (const role of ROLES) {
      for (const rule of [projectReadRule(role), projectManageRule(role)]) {
        const token = tokenProjectRule(role, rule);
        for (let bits = 0; bits < 1 << PROJECT_FACTS.length; bits++) {
          const facts = factsFromBits(PROJECT_FACTS, bits);
          expect(evaluateRule(token, facts)).toBe(evaluateRule(rule, facts) && evaluateRule(scopeRule("apiToken.use", role), facts));
        }
      }
    }
    // A manager's token does not reach projects they were only invited to.
    const invited = factsFromBits(PROJECT_FACTS, 1 << PROJECT_FACTS.indexOf("projectMember"));
    expect(evaluateRule(projectReadRule("manager"), invited)).toBe(true);
    expect(evaluateRule(tokenProjectRule("manager", projectReadRule("manager")), invited)).toBe(false);
  });
});
