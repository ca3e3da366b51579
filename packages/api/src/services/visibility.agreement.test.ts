// The SQL and the policy must never disagree. For random organizations (users of random roles
// and statuses, workspaces, sandboxes, workspace memberships, projects, direct and "assigned"
// project memberships, pins), inserted with set-based SQL, every active user's project list
// (all pages) is exactly the set of projects for which the policy's
// `can({ role, status: "active" }, "project.read", facts)` holds, with the facts computed here in
// TypeScript from the generated data, not by the SQL under test; likewise the workspace list
// and `workspace.read`. Opening each project and workspace agrees with the same decision
// (NOT_FOUND otherwise), and members who are not active are refused. Through an API token, the
// list is the projects for which `apiToken.use` holds as well (FORBIDDEN on opening the others).
import { can, type ProjectFacts, type Role, type WorkspaceFacts } from "@lattice/policy";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryCookieJar, SESSION_COOKIE, SESSION_TTL_MS } from "../auth/cookies.js";
import { newApiToken, randomToken, sha256 } from "../auth/crypto.js";
import { callerFor, createTestDatabase, refusal, type TestDatabase } from "../testing/index.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.close();
});

type Status = "active" | "pending" | "deactivated";
const OTHER_ROLES = ["administrator", "manager", "reviewer", "annotator"] as const;

/** An organization as generated: everything refers to users, workspaces and projects by index. */
interface OrgSpec {
  /** User 0 is the owner; the others have these roles and statuses. */
  users: { role: (typeof OTHER_ROLES)[number]; status: Status }[];
  /** Real workspaces, with the index of their creator (or null). Every user also has a sandbox. */
  workspaces: { creator: number | null }[];
  /** `workspace` indexes real workspaces first, then sandboxes (user i's is `real + i`). */
  projects: { workspace: number; creator: number | null; pinned: boolean; ownData: boolean }[];
  workspaceMembers: [user: number, workspace: number][];
  projectMembers: { user: number; project: number; direct: boolean; assigned: boolean }[];
}

const orgSpec: fc.Arbitrary<OrgSpec> = fc
  .record({
    users: fc.array(
      fc.record({
        role: fc.constantFrom(...OTHER_ROLES),
        status: fc.constantFrom<Status>("active", "active", "active", "active", "pending", "deactivated"),
      }),
      { maxLength: 7 },
    ),
    workspaces: fc.array(fc.record({ creator: fc.option(fc.nat(), { nil: null }) }), { maxLength: 4 }),
    projects: fc.array(
      fc.record({ workspace: fc.nat(), creator: fc.option(fc.nat(), { nil: null }), pinned: fc.boolean(), ownData: fc.boolean() }),
      { maxLength: 14 },
    ),
    workspaceMembers: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 14 }),
    projectMembers: fc.array(fc.record({ user: fc.nat(), project: fc.nat(), kind: fc.constantFrom("direct", "assigned", "both") }), { maxLength: 24 }),
  })
  .map((raw) => {
    const users = raw.users;
    const userCount = users.length + 1;
    const real = raw.workspaces.length;
    const allWorkspaces = real + userCount;
    const user = (n: number) => n % userCount;
    const workspaces = raw.workspaces.map((w) => ({ creator: w.creator === null ? null : user(w.creator) }));
    // Projects mostly in real workspaces when there are some, sometimes in a sandbox.
    const projects = raw.projects.map((p) => ({
      workspace: real > 0 && p.workspace % 4 !== 0 ? p.workspace % real : real + user(p.workspace >> 2),
      creator: p.creator === null ? null : user(p.creator),
      pinned: p.pinned,
      ownData: p.ownData,
    }));
    // Memberships are unique per (workspace, user) and (project, user); a sandbox may even
    // hold some (the procedures refuse them, a directory sync or a bug might not): they must grant nothing.
    const workspaceMembers = [...new Map(raw.workspaceMembers.map(([u, w]) => [`${user(u)}:${w % allWorkspaces}`, [user(u), w % allWorkspaces] as [number, number]])).values()];
    const pm = new Map<string, { user: number; project: number; direct: boolean; assigned: boolean }>();
    if (projects.length > 0) {
      for (const m of raw.projectMembers) {
        const key = `${user(m.user)}:${m.project % projects.length}`;
        const prev = pm.get(key) ?? { user: user(m.user), project: m.project % projects.length, direct: false, assigned: false };
        pm.set(key, { ...prev, direct: prev.direct || m.kind !== "assigned", assigned: prev.assigned || m.kind !== "direct" });
      }
    }
    return { users, workspaces, projects, workspaceMembers, projectMembers: [...pm.values()] };
  });

let run = 0;

interface Inserted {
  orgId: number;
  userIds: number[];
  /** Real workspaces, then sandboxes in user order. */
  workspaceIds: number[];
  projectIds: number[];
  sessions: string[];
  /** An API token of each user in the organization (refused where the role may not use one). */
  tokens: string[];
}

/** The organization in one statement per table (INSERT … SELECT from a JSON recordset). */
async function insert(spec: OrgSpec): Promise<Inserted> {
  const em = db.orm.em.fork();
  const tag = `r${++run}x${randomToken(3).toLowerCase().replace(/[^a-z0-9]/g, "")}`;
  const json = (rows: unknown[]) => JSON.stringify(rows);
  const [org] = await em.execute<{ id: number }[]>(`insert into organizations (title, created_at, updated_at) values (?, now(), now()) returning id`, [`Agreement ${tag}`]);
  const orgId = org!.id;
  const userCount = spec.users.length + 1;
  const users = await em.execute<{ id: number; email: string }[]>(
    `insert into users (email, name, active_organization_id, created_at, updated_at)
     select x.email, x.name, ?, now(), now() from jsonb_to_recordset(?::jsonb) as x(email text, name text) returning id, email`,
    [orgId, json(Array.from({ length: userCount }, (_, i) => ({ email: `u${i}.${tag}@agreement.test`, name: `U${i}` })))],
  );
  const userIds = Array.from({ length: userCount }, (_, i) => users.find((u) => u.email === `u${i}.${tag}@agreement.test`)!.id);
  const memberships = [{ user_id: userIds[0], role: "owner", status: "active" }].concat(
    spec.users.map((u, i) => ({ user_id: userIds[i + 1], role: u.status === "pending" ? null : u.role, status: u.status })) as never[],
  );
  await em.execute(`update organizations set created_by_id = ? where id = ?`, [userIds[0], orgId]);
  await em.execute(
    `insert into memberships (organization_id, user_id, role, status, source, created_at, updated_at)
     select ?, x.user_id, x.role, x.status, 'manual', now(), now() from jsonb_to_recordset(?::jsonb) as x(user_id int, role text, status text)`,
    [orgId, json(memberships)],
  );
  const sessions = userIds.map(() => randomToken(32));
  await em.execute(
    `insert into sessions (user_id, token_hash, created_at, last_seen_at, expires_at)
     select x.user_id, x.token_hash, now(), now(), ? from jsonb_to_recordset(?::jsonb) as x(user_id int, token_hash text)`,
    [new Date(Date.now() + SESSION_TTL_MS), json(userIds.map((id, i) => ({ user_id: id, token_hash: sha256(sessions[i]!) })))],
  );
  const tokens = userIds.map(() => newApiToken());
  await em.execute(
    `insert into api_tokens (organization_id, user_id, name, prefix, token_hash, created_at)
     select ?, x.user_id, 'agreement', x.prefix, x.token_hash, now() from jsonb_to_recordset(?::jsonb) as x(user_id int, prefix text, token_hash text)`,
    [orgId, json(userIds.map((id, i) => ({ user_id: id, prefix: tokens[i]!.prefix, token_hash: tokens[i]!.hash })))],
  );
  const wsRows = [
    ...spec.workspaces.map((w, i) => ({ title: `w${i}`, is_sandbox: false, sandbox_user_id: null, created_by_id: w.creator === null ? null : userIds[w.creator] })),
    ...userIds.map((id, i) => ({ title: `s${i}`, is_sandbox: true, sandbox_user_id: id, created_by_id: id })),
  ];
  const workspaces = await em.execute<{ id: number; title: string }[]>(
    `insert into workspaces (organization_id, title, color, description, is_sandbox, sandbox_user_id, created_by_id, created_at, updated_at)
     select ?, x.title, '#1c7ed6', '', x.is_sandbox, x.sandbox_user_id, x.created_by_id, now(), now()
       from jsonb_to_recordset(?::jsonb) as x(title text, is_sandbox boolean, sandbox_user_id int, created_by_id int) returning id, title`,
    [orgId, json(wsRows)],
  );
  const workspaceIds = wsRows.map((w) => workspaces.find((r) => r.title === w.title)!.id);
  let projectIds: number[] = [];
  if (spec.projects.length > 0) {
    const projects = await em.execute<{ id: number; title: string }[]>(
      `insert into projects (organization_id, workspace_id, title, settings, created_by_id, pinned_at, created_at, updated_at)
       select ?, x.workspace_id, x.title, jsonb_build_object('annotators_may_view_own_data', x.own_data), x.created_by_id,
              case when x.pinned then now() - make_interval(secs => x.n) end, now(), now()
         from jsonb_to_recordset(?::jsonb) as x(n int, title text, workspace_id int, created_by_id int, pinned boolean, own_data boolean)
       returning id, title`,
      [
        orgId,
        json(
          spec.projects.map((p, i) => ({
            n: i,
            title: `p${i}`,
            workspace_id: workspaceIds[p.workspace],
            created_by_id: p.creator === null ? null : userIds[p.creator],
            pinned: p.pinned,
            own_data: p.ownData,
          })),
        ),
      ],
    );
    projectIds = spec.projects.map((_, i) => projects.find((r) => r.title === `p${i}`)!.id);
  }
  if (spec.workspaceMembers.length > 0) {
    await em.execute(
      `insert into workspace_members (organization_id, workspace_id, user_id, source, created_at)
       select ?, x.workspace_id, x.user_id, 'manual', now() from jsonb_to_recordset(?::jsonb) as x(workspace_id int, user_id int)`,
      [orgId, json(spec.workspaceMembers.map(([u, w]) => ({ workspace_id: workspaceIds[w], user_id: userIds[u] })))],
    );
  }
  if (spec.projectMembers.length > 0) {
    await em.execute(
      `insert into project_members (organization_id, project_id, user_id, direct, assigned, source, created_at)
       select ?, x.project_id, x.user_id, x.direct, x.assigned, 'manual', now()
         from jsonb_to_recordset(?::jsonb) as x(project_id int, user_id int, direct boolean, assigned boolean)`,
      [orgId, json(spec.projectMembers.map((m) => ({ project_id: projectIds[m.project], user_id: userIds[m.user], direct: m.direct, assigned: m.assigned })))],
    );
  }
  return { orgId, userIds, workspaceIds, projectIds, sessions, tokens: tokens.map((t) => t.token) };
}

// ---- The facts, from the generated data alone ----

function roleOf(spec: OrgSpec, u: number): { role: Role | null; status: Status } {
  if (u === 0) return { role: "owner", status: "active" };
  const m = spec.users[u - 1]!;
  return { role: m.status === "pending" ? null : m.role, status: m.status };
}

function workspaceFacts(spec: OrgSpec, u: number, w: number): WorkspaceFacts {
  const real = spec.workspaces.length;
  const isSandbox = w >= real;
  return {
    isSandbox,
    ownSandbox: isSandbox && w - real === u,
    workspaceMember: spec.workspaceMembers.some(([mu, mw]) => mu === u && mw === w),
    createdByMe: isSandbox ? w - real === u : spec.workspaces[w]!.creator === u,
  };
}

function projectFacts(spec: OrgSpec, u: number, p: number): ProjectFacts {
  const project = spec.projects[p]!;
  const ws = workspaceFacts(spec, u, project.workspace);
  const membership = spec.projectMembers.find((m) => m.user === u && m.project === p);
  return {
    inSandbox: ws.isSandbox,
    ownSandbox: ws.ownSandbox,
    workspaceMember: ws.workspaceMember,
    createdByMe: project.creator === u,
    projectMember: membership?.direct ?? false,
    assigned: membership?.assigned ?? false,
    annotatorsMayViewOwnData: project.ownData,
  };
}

const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

describe("the lists agree with the policy", () => {
  it("for random organizations, every user's project and workspace list is exactly what can() allows", async () => {
    let checkedUsers = 0;
    let seenByMembers = 0;
    let beyondManagerTokens = 0;
    await fc.assert(
      fc.asyncProperty(orgSpec, async (spec) => {
        const ids = await insert(spec);
        for (let u = 0; u < ids.userIds.length; u++) {
          const { role, status } = roleOf(spec, u);
          const caller = await callerFor(db.orm, { cookies: new MemoryCookieJar({ [SESSION_COOKIE]: ids.sessions[u]! }) });
          if (status !== "active") {
            expect((await refusal(caller.project.list({ filter: "all", page: 1, page_size: 7 }))).code).toBe("FORBIDDEN");
            expect((await refusal(caller.workspace.list())).code).toBe("FORBIDDEN");
            continue;
          }
          const subject = { role, status: "active" as const };
          const expectedProjects = spec.projects.flatMap((_, p) => (can(subject, "project.read", projectFacts(spec, u, p)) ? [ids.projectIds[p]!] : []));
          const expectedWorkspaces = ids.workspaceIds.filter((_, w) => can(subject, "workspace.read", workspaceFacts(spec, u, w)));

          // Every page of the list, 7 at a time.
          const listed: number[] = [];
          for (let page = 1; ; page++) {
            const res = await caller.project.list({ filter: "all", page, page_size: 7 });
            expect(res.count).toBe(expectedProjects.length);
            listed.push(...res.results.map((r) => r.id));
            // Each row's facts (what the web's card menus ask can() with) are the model's.
            for (const r of res.results) {
              const p = ids.projectIds.indexOf(r.id);
              expect({ user: u, project: p, facts: r.facts }).toEqual({ user: u, project: p, facts: projectFacts(spec, u, p) });
            }
            if (!res.next) break;
          }
          expect(new Set(listed).size).toBe(listed.length);
          expect({ user: u, role, projects: sorted(listed) }).toEqual({ user: u, role, projects: sorted(expectedProjects) });
          expect({ user: u, role, workspaces: sorted((await caller.workspace.list()).map((w) => w.id)) }).toEqual({ user: u, role, workspaces: sorted(expectedWorkspaces) });

          // Opening one agrees with the same decision (the per-resource facts are computed by other
          // SQL), and the facts it reports (what the web asks can() with) are the model's.
          for (const [p, id] of ids.projectIds.entries()) {
            const allowed = expectedProjects.includes(id);
            if (allowed) {
              const got = await caller.project.get({ id });
              expect({ user: u, project: p, id: got.id, facts: got.facts }).toEqual({ user: u, project: p, id, facts: projectFacts(spec, u, p) });
            } else expect({ project: p, code: (await refusal(caller.project.get({ id }))).code }).toEqual({ project: p, code: "NOT_FOUND" });
          }
          for (const [w, id] of ids.workspaceIds.entries()) {
            const allowed = expectedWorkspaces.includes(id);
            if (allowed) expect((await caller.workspace.get({ id })).id).toBe(id);
            else expect({ workspace: w, code: (await refusal(caller.workspace.get({ id }))).code }).toEqual({ workspace: w, code: "NOT_FOUND" });
          }

          // Through the user's API token: the projects `apiToken.use` reaches too, every page.
          if (can(subject, "apiToken.use")) {
            const api = await callerFor(db.orm, { token: ids.tokens[u]! });
            const reached = expectedProjects.filter((id) => can(subject, "apiToken.use", projectFacts(spec, u, ids.projectIds.indexOf(id))));
            const viaToken: number[] = [];
            for (let page = 1; ; page++) {
              const res = await api.project.list({ filter: "all", page, page_size: 7 });
              expect(res.count).toBe(reached.length);
              viaToken.push(...res.results.map((r) => r.id));
              if (!res.next) break;
            }
            expect({ user: u, role, token: sorted(viaToken) }).toEqual({ user: u, role, token: sorted(reached) });
            for (const [p, id] of ids.projectIds.entries()) {
              const code = reached.includes(id) ? "OK" : expectedProjects.includes(id) ? "FORBIDDEN" : "NOT_FOUND";
              const got = code === "OK" ? ((await api.project.get({ id })).id === id ? "OK" : "WRONG") : (await refusal(api.project.get({ id }))).code;
              expect({ user: u, project: p, code: got }).toEqual({ user: u, project: p, code });
            }
            if (role === "manager") beyondManagerTokens += expectedProjects.length - reached.length;
          }
          checkedUsers++;
          if (role === "reviewer" || role === "annotator") {
            seenByMembers += spec.projects.filter((_, p) => expectedProjects.includes(ids.projectIds[p]!) && !projectFacts(spec, u, p).ownSandbox).length;
          }
        }
      }),
      { numRuns: 40 },
    );
    // The generator reaches the interesting cases: members who see projects through memberships.
    // (Random seeds: over 40 runs these were 108–142 users and 10–45 such projects in four runs,
    // so the floors are well below what any working generator gives.)
    expect(checkedUsers).toBeGreaterThan(60);
    expect(seenByMembers).toBeGreaterThan(2);
    // And managers' tokens that reach less than the managers do (63–85 projects in three runs).
    expect(beyondManagerTokens).toBeGreaterThan(10);
  });
});
