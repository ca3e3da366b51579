// Router-wide rules: every procedure declares what it needs, and the declaration is enforced.
import { ACTIONS } from "@lattice/policy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, createTestDatabase, procedureAt, procedures as walk, refusal, seedOrganization, type TestDatabase } from "./testing/index.js";

/** The only procedures that may be called without an organization membership. */
const PUBLIC = ["health", "auth.signup", "auth.login", "auth.session"];
const AUTHENTICATED = ["auth.logout", "auth.me", "organization.list", "organization.create", "organization.switch"];

const procedures = walk();

describe("every procedure of appRouter", () => {
  it("declares an action in its meta", () => {
    expect(procedures.length).toBeGreaterThan(10);
    const missing = procedures.filter((p) => !p.meta?.action).map((p) => p.path);
    expect(missing).toEqual([]);
  });

  it("is public or signed-in-only only when it is on the allow-list", () => {
    const loose = procedures.filter((p) => p.meta?.action === "public" || p.meta?.action === "authenticated");
    expect(loose.filter((p) => p.meta?.action === "public").map((p) => p.path).sort()).toEqual([...PUBLIC].sort());
    expect(loose.filter((p) => p.meta?.action === "authenticated").map((p) => p.path).sort()).toEqual([...AUTHENTICATED].sort());
  });

  it("otherwise names an action of the policy", () => {
    const known = new Set<string>(ACTIONS);
    const unknown = procedures
      .filter((p) => p.meta?.action !== "public" && p.meta?.action !== "authenticated")
      .filter((p) => !known.has(p.meta?.action as string))
      .map((p) => `${p.path}: ${String(p.meta?.action)}`);
    expect(unknown).toEqual([]);
  });
});

describe("the declarations are enforced", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.close();
  });

  it("signed out, every procedure off the public list is UNAUTHORIZED, whatever the input", async () => {
    const caller = await callerFor(db.orm);
    for (const { path } of procedures.filter((p) => !PUBLIC.includes(p.path))) {
      const err = await refusal(procedureAt(caller, path)({ id: 1 }));
      expect(`${path}: ${err.code}`).toBe(`${path}: UNAUTHORIZED`);
    }
  });

  it("every procedure with a policy action refuses a pending member (FORBIDDEN) and a deactivated one, before reading its input", async () => {
    const f = await seedOrganization(db.orm, { owner: "owner", pending: "pending", deactivated: "deactivated" });
    for (const who of ["pending", "deactivated"] as const) {
      const caller = await callerFor(db.orm, { cookies: f.people[who].cookies });
      for (const { path } of procedures.filter((p) => !PUBLIC.includes(p.path) && !AUTHENTICATED.includes(p.path))) {
        const err = await refusal(procedureAt(caller, path)({ id: 0 }));
        expect(`${who} ${path}: ${err.code}`).toBe(`${who} ${path}: FORBIDDEN`);
      }
    }
  });
});
