// SCIM 2.0 over HTTP (app.inject) on a real PostgreSQL database: the request sequences that
// Okta's and Microsoft Entra ID's provisioning send, replayed, with the responses and the
// resulting Lattice memberships checked; and bad input answered with SCIM errors, never a 500.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconcile } from "@lattice/api";
import { callerFor, createTestDatabase, seedOrganization, type TestDatabase } from "@lattice/api/testing";
import { buildServer } from "../app.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let db: TestDatabase;
let app: FastifyInstance;
beforeAll(async () => {
  db = await createTestDatabase();
  app = await buildServer({
    orm: db.orm,
    logger: { level: "error" },
    scimOnChange: async (organizationId) => void (await reconcile(db.orm.em, { organizationId, source: "scim", trigger: "scim" })),
  });
  // Reconcile at once after each change (the server queues a debounced job instead).
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

interface Org {
  orgId: number;
  token: string;
  workspace: number;
  project: number;
  ownerEmail: string;
}

async function setupOrg(guard = 1): Promise<Org> {
  const org = await seedOrganization(db.orm, { owner: "owner" });
  const caller = await callerFor(db.orm, { cookies: org.people.owner.cookies });
  const ws = await caller.workspace.create({ id: org.orgId, title: "Labelers" } as never);
  const em = db.orm.em.fork();
  const [pr] = await em.execute<{ id: number }[]>(
    `insert into projects (organization_id, workspace_id, title, description, label_config, settings, created_by_id, task_count, created_at, updated_at)
     values (?, ?, 'Cats', '', '', '{}'::jsonb, ?, 0, now(), now()) returning id`,
    [org.orgId, (ws as { id: number }).id, org.people.owner.userId],
  );
  const { token } = await caller.directory.scimToken({ id: org.orgId });
  await caller.directory.updateSettings({
    id: org.orgId,
    guard_threshold: guard,
    mappings: {
      roles: [
        { group: "Lattice Admins", role: "administrator" },
        { group: "Lattice Annotators", role: "annotator" },
        { group: "Lattice Reviewers", role: "reviewer" },
      ],
      workspaces: [{ group: "Lattice Annotators", workspace: (ws as { id: number }).id }],
      projects: [
        { group: "Lattice Annotators", project: pr!.id, role: "annotator" },
        { group: "Lattice Reviewers", project: pr!.id, role: "reviewer" },
      ],
    },
  });
  return { orgId: org.orgId, token, workspace: (ws as { id: number }).id, project: pr!.id, ownerEmail: org.people.owner.email };
}

async function scim(org: Org | string | null, method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", url: string, body?: unknown, raw?: string) {
  const token = typeof org === "string" ? org : org?.token;
  const res = await app.inject({
    method,
    url: `/scim/v2${url}`,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined || raw !== undefined ? { "content-type": "application/scim+json" } : {}) },
    payload: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Json) : null, headers: res.headers };
}

async function membership(orgId: number, email: string) {
  const [m] = await db.orm.em.fork().execute<{ role: string | null; status: string; source: string; user_id: number }[]>(
    `select m.role, m.status, m.source, m.user_id from memberships m join users u on u.id = m.user_id where m.organization_id = ? and u.email = ?`,
    [orgId, email],
  );
  return m ?? null;
}
async function inWorkspace(orgId: number, ws: number, email: string) {
  const rows = await db.orm.em.fork().execute(`select 1 from workspace_members wm join users u on u.id = wm.user_id where wm.organization_id = ? and wm.workspace_id = ? and u.email = ?`, [orgId, ws, email]);
  return rows.length > 0;
}
async function projectRole(orgId: number, pr: number, email: string) {
  const [r] = await db.orm.em.fork().execute<{ role: string | null }[]>(
    `select pm.role from project_members pm join users u on u.id = pm.user_id where pm.organization_id = ? and pm.project_id = ? and u.email = ?`,
    [orgId, pr, email],
  );
  return r ? r.role : null;
}

function expectScimError(res: { status: number; body: Json; headers: Record<string, unknown> }, status: number, scimType?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(String(res.headers["content-type"])).toMatch(/^application\/scim\+json/);
  expect(res.body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:Error"]);
  expect(res.body.status).toBe(String(status));
  if (scimType) expect(res.body.scimType).toBe(scimType);
  expect(typeof res.body.detail).toBe("string");
}

describe("SCIM discovery and authentication", () => {
  it("serves ServiceProviderConfig, ResourceTypes and Schemas, as application/scim+json", async () => {
    const org = await setupOrg();
    const spc = await scim(org, "GET", "/ServiceProviderConfig");
    expect(spc.status).toBe(200);
    expect(String(spc.headers["content-type"])).toMatch(/^application\/scim\+json/);
    expect(spc.body.patch.supported).toBe(true);
    expect(spc.body.filter.supported).toBe(true);
    const rt = await scim(org, "GET", "/ResourceTypes");
    expect(rt.body.Resources.map((r: Json) => r.id)).toEqual(["User", "Group"]);
    const sc = await scim(org, "GET", "/Schemas");
    expect(sc.body.totalResults).toBe(3);
  });

  it("refuses a missing, wrong or rotated token with a SCIM 401", async () => {
    const org = await setupOrg();
    expectScimError(await scim(null, "GET", "/Users"), 401);
    expectScimError(await scim("scim_nope", "GET", "/Users"), 401);
    const seeded = await seedOrganization(db.orm, { owner: "owner" });
    const caller = await callerFor(db.orm, { cookies: seeded.people.owner.cookies });
    const first = await caller.directory.scimToken({ id: seeded.orgId });
    expect((await scim(first.token, "GET", "/Users")).status).toBe(200);
    const second = await caller.directory.scimToken({ id: seeded.orgId });
    expectScimError(await scim(first.token, "GET", "/Users"), 401);
    expect((await scim(second.token, "GET", "/Users")).status).toBe(200);
    // Tokens are stored hashed.
    const rows = await db.orm.em.fork().execute<{ scim_token_hash: string }[]>(`select scim_token_hash from directory_settings where organization_id = ?`, [seeded.orgId]);
    expect(rows[0]!.scim_token_hash).not.toContain(second.token);
    expect(rows[0]!.scim_token_hash).toMatch(/^[0-9a-f]{64}$/);
    // Another organization's token does not see this one's users.
    await scim(org, "POST", "/Users", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "only.here@okta.test", emails: [{ value: "only.here@okta.test", primary: true }] });
    expect((await scim(second.token, "GET", `/Users?filter=${encodeURIComponent('userName eq "only.here@okta.test"')}`)).body.totalResults).toBe(0);
  });
});

describe("Okta provisioning, replayed", () => {
  it("create, look up by userName eq, patch, deactivate, reactivate, group push, membership add/remove, rename, delete", async () => {
    const org = await setupOrg();
    const email = "Dana.Okta@Example.com";
    // 1. Okta checks whether the user exists (userName eq, case-insensitive).
    let res = await scim(org, "GET", `/Users?filter=${encodeURIComponent(`userName eq "${email}"`)}&startIndex=1&count=100`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
    // 2. Create.
    res = await scim(org, "POST", "/Users", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: email,
      name: { givenName: "Dana", familyName: "Okta" },
      emails: [{ primary: true, value: email, type: "work" }],
      displayName: "Dana Okta",
      locale: "en-US",
      externalId: "00u1okta",
      groups: [],
      password: "ignored-Secret1",
      active: true,
    });
    expect(res.status).toBe(201);
    const userId = res.body.id as string;
    expect(res.body).toMatchObject({ userName: email, active: true, externalId: "00u1okta", name: { givenName: "Dana", familyName: "Okta" }, meta: { resourceType: "User" } });
    expect(res.headers.location).toMatch(new RegExp(`/scim/v2/Users/${userId}$`));
    expect(JSON.stringify(res.body)).not.toContain("ignored-Secret1");
    // Creating again is a uniqueness conflict (userName compared case-insensitively).
    expectScimError(await scim(org, "POST", "/Users", { userName: email.toUpperCase(), emails: [{ value: "x@example.com" }] }), 409, "uniqueness");
    // In no mapped group yet: no membership (the directory creates accounts only for members it maps).
    expect(await membership(org.orgId, email.toLowerCase())).toBeNull();
    // 3. Lookup again: found, with any case of the value and operator.
    res = await scim(org, "GET", `/Users?filter=${encodeURIComponent(`USERNAME EQ "${email.toUpperCase()}"`)}`);
    expect(res.body.totalResults).toBe(1);
    expect(res.body.Resources[0].id).toBe(userId);
    // 4. Group push: create the group with the user in it.
    res = await scim(org, "POST", "/Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Lattice Annotators", members: [{ value: userId, display: email }] });
    expect(res.status).toBe(201);
    const groupId = res.body.id as string;
    expect(res.body.members).toEqual([expect.objectContaining({ value: userId })]);
    let m = await membership(org.orgId, email.toLowerCase());
    expect(m).toMatchObject({ role: "annotator", status: "active", source: "scim" });
    expect(await inWorkspace(org.orgId, org.workspace, email.toLowerCase())).toBe(true);
    expect(await projectRole(org.orgId, org.project, email.toLowerCase())).toBe("annotator");
    // The created account has no password.
    const [u] = await db.orm.em.fork().execute<{ password_hash: string | null }[]>(`select password_hash from users where email = ?`, [email.toLowerCase()]);
    expect(u!.password_hash).toBeNull();
    // 5. Okta's profile update: PATCH replace without path, id repeated.
    res = await scim(org, "PATCH", `/Users/${userId}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", value: { id: userId, name: { givenName: "Danielle", familyName: "Okta" }, displayName: "Danielle Okta" } }],
    });
    expect(res.status).toBe(200);
    expect(res.body.name.givenName).toBe("Danielle");
    expect(res.body.userName).toBe(email);
    // 6. A second user, and a membership add through PATCH on the group (Okta's op shape).
    res = await scim(org, "POST", "/Users", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "eli@example.com", name: { givenName: "Eli", familyName: "Admin" }, emails: [{ primary: true, value: "eli@example.com" }], active: true });
    const eli = res.body.id as string;
    res = await scim(org, "POST", "/Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Lattice Admins", members: [] });
    const admins = res.body.id as string;
    res = await scim(org, "PATCH", `/Groups/${admins}`, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "add", path: "members", value: [{ value: eli, display: "eli@example.com" }, { value: userId, display: email }] }] });
    expect(res.status).toBe(200);
    // The most elevated role wins.
    expect(await membership(org.orgId, email.toLowerCase())).toMatchObject({ role: "administrator", status: "active" });
    expect(await membership(org.orgId, "eli@example.com")).toMatchObject({ role: "administrator", status: "active" });
    // 7. Okta removes one member: path with a value filter.
    res = await scim(org, "PATCH", `/Groups/${admins}`, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "remove", path: `members[value eq "${userId}"]` }] });
    expect(res.status).toBe(200);
    expect(res.body.members.map((x: Json) => x.value)).toEqual([eli]);
    expect(await membership(org.orgId, email.toLowerCase())).toMatchObject({ role: "annotator", status: "active" });
    // 8. Group rename (Okta: pathless replace with id repeated) — the mapping no longer applies.
    res = await scim(org, "PATCH", `/Groups/${groupId}`, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", value: { id: groupId, displayName: "Former Annotators" } }] });
    expect(res.status).toBe(200);
    expect(res.body.displayName).toBe("Former Annotators");
    m = await membership(org.orgId, email.toLowerCase());
    expect(m).toMatchObject({ status: "deactivated", role: null, source: "scim" });
    expect(await inWorkspace(org.orgId, org.workspace, email.toLowerCase())).toBe(false);
    expect(await projectRole(org.orgId, org.project, email.toLowerCase())).toBeNull();
    // Renamed back: active again.
    await scim(org, "PATCH", `/Groups/${groupId}`, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", path: "displayName", value: "Lattice Annotators" }] });
    expect(await membership(org.orgId, email.toLowerCase())).toMatchObject({ status: "active", role: "annotator" });
    // 9. Deactivate (Okta: replace active false, pathless with id).
    res = await scim(org, "PATCH", `/Users/${userId}`, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", value: { id: userId, active: false } }] });
    expect(res.status).toBe(200);
    expect(res.body.active).toBe(false);
    expect(await membership(org.orgId, email.toLowerCase())).toMatchObject({ status: "deactivated", role: null });
    // Never deleted: the user row and the membership remain.
    expect(await membership(org.orgId, email.toLowerCase())).not.toBeNull();
    // 10. Reactivate through PUT (Okta's full replace).
    res = await scim(org, "PUT", `/Users/${userId}`, { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], id: userId, userName: email, name: { givenName: "Dana", familyName: "Okta" }, emails: [{ primary: true, value: email }], active: true });
    expect(res.status).toBe(200);
    expect(await membership(org.orgId, email.toLowerCase())).toMatchObject({ status: "active", role: "annotator" });
    // The owner is never touched.
    expect(await membership(org.orgId, org.ownerEmail)).toMatchObject({ role: "owner", status: "active", source: "manual" });
    // 11. Group list as Okta reads it, without members.
    res = await scim(org, "GET", `/Groups?filter=${encodeURIComponent('displayName eq "lattice annotators"')}&excludedAttributes=members`);
    expect(res.body.totalResults).toBe(1);
    expect(res.body.Resources[0].members).toBeUndefined();
    // 12. Delete the group, then the user: deactivated, never deleted.
    expect((await scim(org, "DELETE", `/Groups/${groupId}`)).status).toBe(204);
    expect(await membership(org.orgId, email.toLowerCase())).toMatchObject({ status: "deactivated" });
    expect((await scim(org, "DELETE", `/Users/${userId}`)).status).toBe(204);
    expectScimError(await scim(org, "GET", `/Users/${userId}`), 404);
    expect(await membership(org.orgId, email.toLowerCase())).toMatchObject({ status: "deactivated" });
    expect(await membership(org.orgId, "eli@example.com")).toMatchObject({ status: "active", role: "administrator" });
  });
});

describe("Microsoft Entra ID provisioning, replayed", () => {
  it("handles capitalised ops, \"True\"/\"False\" strings, dotted and URN keys, members removed as a value list", async () => {
    const org = await setupOrg();
    // Entra's connectivity test: a filter on a random attribute value.
    let res = await scim(org, "GET", `/Users?filter=${encodeURIComponent('userName eq "non-existent-user-3fa85f64"')}`);
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(0);
    // Create (Entra sends the enterprise extension and externalId = mailNickname).
    const users: string[] = [];
    for (const [i, name] of ["ana", "ben", "cy"].entries()) {
      res = await scim(org, "POST", "/Users", {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        externalId: name,
        userName: `${name}@contoso.test`,
        active: true,
        displayName: name.toUpperCase(),
        emails: [{ primary: true, type: "work", value: `${name}@contoso.test` }],
        name: { formatted: name, familyName: "Contoso", givenName: name },
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { employeeNumber: String(100 + i), department: "Labeling" },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]).toEqual({ employeeNumber: String(100 + i), department: "Labeling" });
      users.push(res.body.id);
    }
    // Lookup by externalId, and sw.
    res = await scim(org, "GET", `/Users?filter=${encodeURIComponent('externalId eq "ben"')}`);
    expect(res.body.Resources.map((r: Json) => r.id)).toEqual([users[1]]);
    res = await scim(org, "GET", `/Users?filter=${encodeURIComponent('userName sw "A" and active eq true')}`);
    expect(res.body.Resources.map((r: Json) => r.id)).toEqual([users[0]]);
    // Entra updates: capitalised ops, "False"/"True", dotted paths and URN paths.
    res = await scim(org, "PATCH", `/Users/${users[0]}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [
        { op: "Replace", path: "displayName", value: "Ana C." },
        { op: "Replace", path: "name.givenName", value: "Anastasia" },
        { op: "Add", path: 'emails[type eq "work"].value', value: "ana@contoso.test" },
        { op: "Add", path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", value: "QA" },
        { op: "Replace", value: { "name.familyName": "Smith", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "999" } },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ displayName: "Ana C.", name: { givenName: "Anastasia", familyName: "Smith" } });
    expect(res.body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]).toEqual({ employeeNumber: "999", department: "QA" });
    // Group with all three; Entra adds members in a later PATCH.
    res = await scim(org, "POST", "/Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], externalId: "grp-1", displayName: "Lattice Reviewers", members: [] });
    expect(res.status).toBe(201);
    const group = res.body.id as string;
    res = await scim(org, "PATCH", `/Groups/${group}`, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "Add", path: "members", value: users.map((value) => ({ value })) }] });
    expect(res.status).toBe(200);
    for (const n of ["ana", "ben", "cy"]) expect(await membership(org.orgId, `${n}@contoso.test`)).toMatchObject({ role: "reviewer", status: "active", source: "scim" });
    expect(await projectRole(org.orgId, org.project, "ben@contoso.test")).toBe("reviewer");
    // Entra's removal: path "members" with a value list; only those go.
    res = await scim(org, "PATCH", `/Groups/${group}`, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "Remove", path: "members", value: [{ value: users[1] }] }] });
    expect(res.status).toBe(200);
    expect(res.body.members.map((x: Json) => x.value).sort()).toEqual([users[0], users[2]].sort());
    expect(await membership(org.orgId, "ben@contoso.test")).toMatchObject({ status: "deactivated" });
    expect(await membership(org.orgId, "ana@contoso.test")).toMatchObject({ status: "active", role: "reviewer" });
    expect(await projectRole(org.orgId, org.project, "ben@contoso.test")).toBeNull();
    // Soft delete: active "False".
    res = await scim(org, "PATCH", `/Users/${users[2]}`, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "Replace", path: "active", value: "False" }] });
    expect(res.status).toBe(200);
    expect(res.body.active).toBe(false);
    expect(await membership(org.orgId, "cy@contoso.test")).toMatchObject({ status: "deactivated" });
    res = await scim(org, "PATCH", `/Users/${users[2]}`, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "Replace", path: "active", value: "True" }] });
    expect(res.body.active).toBe(true);
    expect(await membership(org.orgId, "cy@contoso.test")).toMatchObject({ status: "active", role: "reviewer" });
    // Membership filter on groups (Entra checks membership this way).
    res = await scim(org, "GET", `/Groups?filter=${encodeURIComponent(`id eq "${group}" and members eq "${users[0]}"`)}&excludedAttributes=members`);
    expect(res.body.totalResults).toBe(1);
    res = await scim(org, "GET", `/Groups?filter=${encodeURIComponent(`id eq "${group}" and members eq "${users[1]}"`)}&excludedAttributes=members`);
    expect(res.body.totalResults).toBe(0);
    res = await scim(org, "GET", "/Groups");
    expect(res.body.Resources).toHaveLength(1);
    expect(res.body.Resources[0].members.map((x: Json) => x.value).sort()).toEqual([users[0], users[2]].sort());
    // Entra's group rename.
    res = await scim(org, "PATCH", `/Groups/${group}`, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "Replace", path: "displayName", value: "Lattice Annotators" }] });
    expect(res.status).toBe(200);
    expect(await membership(org.orgId, "ana@contoso.test")).toMatchObject({ status: "active", role: "annotator" });
    expect(await inWorkspace(org.orgId, org.workspace, "ana@contoso.test")).toBe(true);
    // Hard delete.
    expect((await scim(org, "DELETE", `/Users/${users[0]}`)).status).toBe(204);
    expect(await membership(org.orgId, "ana@contoso.test")).toMatchObject({ status: "deactivated" });
  });

  it("pages with startIndex and count", async () => {
    const org = await setupOrg();
    for (let i = 0; i < 7; i++) await scim(org, "POST", "/Users", { userName: `p${i}@page.test`, emails: [{ value: `p${i}@page.test`, primary: true }] });
    const res = await scim(org, "GET", "/Users?startIndex=3&count=2");
    expect(res.body).toMatchObject({ totalResults: 7, startIndex: 3, itemsPerPage: 2 });
    expect(res.body.Resources.map((r: Json) => r.userName)).toEqual(["p2@page.test", "p3@page.test"]);
    const past = await scim(org, "GET", "/Users?startIndex=50&count=2");
    expect(past.body).toMatchObject({ totalResults: 7, itemsPerPage: 0 });
    const zero = await scim(org, "GET", "/Users?count=0");
    expect(zero.body).toMatchObject({ totalResults: 7, itemsPerPage: 0 });
  });
});

describe("bad SCIM input gets a SCIM error, never a 500", () => {
  it("malformed JSON, unknown attributes and paths, bad filters, bad ops, unknown ids", async () => {
    const org = await setupOrg();
    const created = await scim(org, "POST", "/Users", { userName: "bad@input.test", emails: [{ value: "bad@input.test" }] });
    const id = created.body.id as string;
    expectScimError(await scim(org, "POST", "/Users", undefined, "{not json"), 400, "invalidSyntax");
    expectScimError(await scim(org, "PATCH", `/Users/${id}`, undefined, '{"Operations": [}'), 400, "invalidSyntax");
    expectScimError(await scim(org, "POST", "/Users", { userName: "x@input.test", favouriteColour: "blue" }), 400, "invalidSyntax");
    expectScimError(await scim(org, "POST", "/Users", { emails: [{ value: "no-username@input.test" }] }), 400, "invalidValue");
    expectScimError(await scim(org, "POST", "/Users", { userName: "nul\u0000@input.test" }), 400, "invalidValue");
    expectScimError(await scim(org, "POST", "/Users", [1, 2]), 400, "invalidSyntax");
    expectScimError(await scim(org, "PATCH", `/Users/${id}`, { Operations: [{ op: "replace", path: "favouriteColour", value: "x" }] }), 400, "invalidPath");
    expectScimError(await scim(org, "PATCH", `/Users/${id}`, { Operations: [{ op: "replace", path: "id", value: "x" }] }), 400, "invalidPath");
    expectScimError(await scim(org, "PATCH", `/Users/${id}`, { Operations: [{ op: "remove" }] }), 400, "noTarget");
    expectScimError(await scim(org, "PATCH", `/Users/${id}`, { Operations: [{ op: "merge", path: "active", value: true }] }), 400, "invalidSyntax");
    expectScimError(await scim(org, "PATCH", `/Users/${id}`, { Operations: [{ op: "replace", path: "active", value: "maybe" }] }), 400, "invalidValue");
    expectScimError(await scim(org, "PATCH", `/Users/${id}`, { Operations: [] }), 400, "invalidSyntax");
    expectScimError(await scim(org, "PATCH", `/Users/${id}`, { Operations: [{ op: "replace", path: 42, value: 1 }] }), 400, "invalidPath");
    expectScimError(await scim(org, "GET", `/Users?filter=${encodeURIComponent("userName eq")}`), 400, "invalidFilter");
    expectScimError(await scim(org, "GET", `/Users?filter=${encodeURIComponent('favouriteColour eq "blue"')}`), 400, "invalidFilter");
    expectScimError(await scim(org, "GET", `/Users?filter=${encodeURIComponent("((((")}`), 400, "invalidFilter");
    expectScimError(await scim(org, "GET", `/Groups?filter=${encodeURIComponent('members eq 5')}`), 400, "invalidFilter");
    expectScimError(await scim(org, "GET", "/Users/not-a-uuid"), 404);
    expectScimError(await scim(org, "GET", "/Users/3fa85f64-5717-4562-b3fc-2c963f66afa6"), 404);
    expectScimError(await scim(org, "GET", "/Nothing"), 404);
    expectScimError(await scim(org, "POST", "/Groups", { displayName: "G", members: [{ value: "3fa85f64-5717-4562-b3fc-2c963f66afa6" }] }), 400, "invalidValue");
    await scim(org, "POST", "/Groups", { displayName: "Dup" });
    expectScimError(await scim(org, "POST", "/Groups", { displayName: "Dup" }), 409, "uniqueness");
    expectScimError(await scim(org, "PATCH", `/Users/${id}`, { Operations: [{ op: "replace", path: "userName", value: "x".repeat(600) }] }), 400, "invalidValue");
    // A refused request wrote nothing.
    const still = await scim(org, "GET", `/Users/${id}`);
    expect(still.body.userName).toBe("bad@input.test");
  });
});
