// How fast is the project list at scale? Builds one organization of 5,000 users with 20,000
// projects in 50 workspaces (plus 2,000 projects in users' sandboxes) with set-based SQL, then
// times `listProjects` (the service behind project.list, server side) for an annotator who is
// a member of a few projects and for the heaviest user (the owner, who sees every project),
// each next to the same page fetched by a hand-written SQL query in the same run. Prints the
// ratio (goal ≤ 2) and the SQL statements one request sends (goal ≤ 3).
// Run: pnpm bench (root, with a throwaway PostgreSQL) or pnpm --filter @lattice/api bench.
// DATABASE_URL names the server; without it an embedded PostgreSQL is started. The bench
// creates its own database there and drops it at the end (BENCH_KEEP=1 keeps it; BENCH_VERBOSE=1
// prints how long each step of the build took).
import path from "node:path";
import { compare, formatComparison, stats, type Comparison } from "@lattice/bench";
import { dropDatabases, ensureDatabase, freePort, startEmbeddedPostgres, withDatabase } from "@lattice/devdb";
import type { Knex } from "@mikro-orm/postgresql";
import { MemoryCookieJar, SESSION_COOKIE, SESSION_TTL_MS } from "../src/auth/cookies.js";
import { randomToken, sha256 } from "../src/auth/crypto.js";
import { loadConfig } from "../src/config.js";
import { createContext } from "../src/context.js";
import { Membership, type IMembership, type IOrganization, type IUser } from "../src/db/entities.js";
import { migrate, openOrm, type Orm } from "../src/db/orm.js";
import { createCaller } from "../src/root.js";
import { listProjects, type ListProjectsInput } from "../src/services/projects.js";

const USERS = 5_000;
const WORKSPACES = 50;
const PROJECTS = 20_000;
const SANDBOX_PROJECTS = 2_000;
const PIN_EVERY = 150;
const PAGE_SIZE = 30;
const RATIO_GOAL = 2;
const STATEMENT_GOAL = 3;

// Users are numbered k = 1..USERS: 1 owner, then administrators, managers, reviewers, annotators.
const ADMINS = 20;
const MANAGERS = 200;
const REVIEWERS = 800;
const ROLE_OF_K = `case when k = 1 then 'owner' when k <= ${1 + ADMINS} then 'administrator'
  when k <= ${1 + ADMINS + MANAGERS} then 'manager' when k <= ${1 + ADMINS + MANAGERS + REVIEWERS} then 'reviewer' else 'annotator' end`;
/** The annotator measured: a member of 5 projects (3 directly, 2 by task assignment), of no workspace. */
const ANNOTATOR_K = USERS - 1;
/** A reviewer measured too: a member of one workspace (400 projects) and of 10 projects directly. */
const REVIEWER_K = ADMINS + MANAGERS + 2;

let pgServer: Awaited<ReturnType<typeof startEmbeddedPostgres>> | null = null;
let baseUrl = process.env.DATABASE_URL;
if (!baseUrl) {
  const root = path.resolve(import.meta.dirname, "../../..");
  pgServer = await startEmbeddedPostgres({
    dataDir: path.join(root, ".lattice", `bench-${process.pid}`),
    port: await freePort(),
    ephemeral: true,
    fast: true,
  });
  baseUrl = pgServer.url;
}
const prefix = `lt_bench_${process.pid}_${Math.random().toString(36).slice(2, 7)}`;
await ensureDatabase(withDatabase(baseUrl, "postgres"), prefix);
const orm = await openOrm({ databaseUrl: withDatabase(baseUrl, prefix), poolMax: 4 });

try {
  await migrate(orm);
  const t0 = performance.now();
  const ids = await build(orm);
  console.log(
    `built ${USERS.toLocaleString("en")} users, ${PROJECTS.toLocaleString("en")} projects in ${WORKSPACES} workspaces ` +
      `(+ ${SANDBOX_PROJECTS.toLocaleString("en")} in sandboxes, ${ids.memberships.toLocaleString("en")} project memberships) ` +
      `in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  await run(orm, ids);
} finally {
  await orm.close(true);
  if (process.env.BENCH_KEEP === "1") console.log(`kept database ${withDatabase(baseUrl, prefix)}`);
  else await dropDatabases(baseUrl, prefix);
  await pgServer?.stop();
}

interface Built {
  orgId: number;
  /** users.id of user number k is `base + k`. */
  base: number;
  memberships: number;
}

/** The organization, set-based: every table filled by one INSERT … SELECT generate_series. */
async function build(orm: Orm): Promise<Built> {
  const em = orm.em.fork();
  const [org] = await em.execute<{ id: number }[]>(
    `insert into organizations (title, created_at, updated_at) values ('Bench organization', now(), now()) returning id`,
  );
  const orgId = org!.id;
  await em.execute(
    `insert into users (email, name, active_organization_id, created_at, updated_at)
     select 'user' || k || '@bench.test', 'User ' || k, ?, now(), now() from generate_series(1, ?) k order by k`,
    [orgId, USERS],
  );
  const [b] = await em.execute<{ base: number }[]>(`select min(id) - 1 as base from users where email like '%@bench.test'`);
  const base = Number(b!.base);
  const run = async (sql: string, params: unknown[] = []) => {
    const t = performance.now();
    const r = await em.execute(sql.replaceAll(":org", String(orgId)).replaceAll(":base", String(base)), params);
    if (process.env.BENCH_VERBOSE) console.log(`${(performance.now() - t).toFixed(0)} ms: ${sql.trim().slice(0, 60)}`);
    return r;
  };

  await run(`update organizations set created_by_id = :base + 1 where id = :org`);
  await run(
    `insert into memberships (organization_id, user_id, role, status, source, created_at, updated_at)
     select :org, :base + k, ${ROLE_OF_K}, 'active', 'manual', now(), now() from generate_series(1, ${USERS}) k`,
  );
  // Every member's sandbox, then the real workspaces (created by administrators and managers).
  await run(
    `insert into workspaces (organization_id, title, color, description, is_sandbox, sandbox_user_id, created_by_id, created_at, updated_at)
     select :org, 'Sandbox', '#868e96', '', true, :base + k, :base + k, now(), now() from generate_series(1, ${USERS}) k`,
  );
  await run(
    `insert into workspaces (organization_id, title, color, description, is_sandbox, created_by_id, created_at, updated_at)
     select :org, 'Workspace ' || g, '#1c7ed6', '', false, :base + 2 + (g % ${ADMINS + MANAGERS}), now(), now()
       from generate_series(1, ${WORKSPACES}) g order by g`,
  );
  const [w0] = await run(`select min(id) - 1 as w0 from workspaces where organization_id = :org and not is_sandbox`);
  const ws0 = Number((w0 as { w0: number }).w0);
  // Managers belong to two workspaces each, half the reviewers and a tenth of the annotators to one.
  await run(
    `insert into workspace_members (organization_id, workspace_id, user_id, source, created_at)
     select :org, ${ws0} + 1 + x.n, :base + m.k, 'manual', now()
       from (select k, ${ROLE_OF_K} as role from generate_series(1, ${USERS}) k) m
       cross join lateral unnest(case when m.role = 'manager' then array[m.k % ${WORKSPACES}, (m.k + 25) % ${WORKSPACES}]
                                      when m.role = 'reviewer' and m.k % 2 = 0 then array[m.k % ${WORKSPACES}]
                                      when m.role = 'annotator' and m.k % 10 = 0 and m.k <> ${ANNOTATOR_K} then array[m.k % ${WORKSPACES}]
                                      else array[]::int[] end) as x(n)`,
  );
  // Projects: newest = highest id = latest created_at; one in PIN_EVERY pinned, at distinct times.
  await run(
    `insert into projects (organization_id, workspace_id, title, description, label_config, settings, created_by_id, pinned_at, pinned_by_id, task_count, created_at, updated_at)
     select :org, ${ws0} + 1 + g % ${WORKSPACES}, 'Project ' || g, 'Generated for the bench', '<View/>',
            '{"annotators_may_view_own_data": false, "labeling_restricted_to_assigned": true}'::jsonb,
            :base + 2 + (g % ${ADMINS + MANAGERS}),
            case when g % ${PIN_EVERY} = 0 then now() - make_interval(secs => g) end,
            case when g % ${PIN_EVERY} = 0 then :base + 1 end,
            g % 1000, now() - make_interval(mins => ${PROJECTS} - g), now()
       from generate_series(1, ${PROJECTS}) g order by g`,
  );
  await run(
    `insert into projects (organization_id, workspace_id, title, description, label_config, settings, created_by_id, task_count, created_at, updated_at)
     select :org, w.id, 'Draft ' || w.sandbox_user_id, '', '', '{}'::jsonb, w.sandbox_user_id, 0, now(), now()
       from workspaces w where w.organization_id = :org and w.is_sandbox and w.sandbox_user_id <= :base + ${SANDBOX_PROJECTS}
      order by w.sandbox_user_id`,
  );
  // Project members: annotators in 5 projects (3 direct, 2 by task assignment), reviewers in 10.
  const [p0] = await run(`select min(id) - 1 as p0 from projects where organization_id = :org`);
  const pr0 = Number((p0 as { p0: number }).p0);
  const [pm] = await run(
    `with ins as (
       insert into project_members (organization_id, project_id, user_id, direct, assigned, source, created_at)
       select :org, ${pr0} + 1 + (m.k * 7919 + j * 104729) % ${PROJECTS}, :base + m.k,
              j <= 3 or m.role = 'reviewer', j > 3 and m.role = 'annotator', 'manual', now()
         from (select k, ${ROLE_OF_K} as role from generate_series(1, ${USERS}) k) m
         cross join generate_series(1, 10) j
        where (m.role = 'annotator' and j <= 5) or m.role = 'reviewer'
       on conflict (project_id, user_id) do nothing returning 1)
     select count(*)::int as n from ins`,
  );
  await run(`analyze`);
  return { orgId, base, memberships: (pm as { n: number } | undefined)?.n ?? 0 };
}

type ListContext = Parameters<typeof listProjects>[0];

/** Statements sent through the ORM's connection while `fn` runs. */
function statementCounter(orm: Orm) {
  const knex = orm.em.getConnection().getKnex() as Knex;
  let n = 0;
  knex.on("query", () => {
    n++;
  });
  return async (fn: () => Promise<unknown>) => {
    const before = n;
    await fn();
    return n - before;
  };
}

async function run(orm: Orm, built: Built) {
  const count = statementCounter(orm);
  const config = loadConfig();
  const request = { method: "GET", path: "/trpc/project.list", ip: "127.0.0.1" };

  async function contextOf(k: number) {
    const em = orm.em.fork();
    const membership = await em.findOneOrFail(Membership, { organization: built.orgId, user: built.base + k }, { populate: ["organization", "user"] });
    return {
      orm,
      config,
      request,
      cookies: new MemoryCookieJar(),
      principal: null,
      authError: null,
      organization: membership.organization as IOrganization,
      membership: membership as IMembership,
      user: membership.user as IUser,
    };
  }
  const owner = await contextOf(1);
  const annotator = await contextOf(ANNOTATOR_K);
  const reviewer = await contextOf(REVIEWER_K);
  /** The service as a request runs it: a fresh EntityManager fork each time. */
  const service = (base: Omit<ListContext, "em">, input: ListProjectsInput) => () =>
    listProjects({ ...base, em: orm.em.fork() } as ListContext, input);

  const em = orm.em.fork();
  const cols = `p.id, p.title, p.description, p.workspace_id, w.title as workspace_title, w.color as workspace_color,
                p.pinned_at, p.created_by_id, p.created_at, p.task_count, p.settings, w.is_sandbox, w.sandbox_user_id`;
  // The caller's facts about each row of a page (the web asks can() with them), written by
  // hand over the page's rows: a probe of workspace membership, one of project membership.
  const withFacts = (uid: number, pageSql: string) => `
    select page.*, page.is_sandbox as "inSandbox", (page.is_sandbox and page.sandbox_user_id = ${uid}) as "ownSandbox",
           exists (select 1 from workspace_members wm where wm.workspace_id = page.workspace_id and wm.user_id = ${uid}) as "workspaceMember",
           page.created_by_id is not distinct from ${uid} as "createdByMe",
           coalesce(pm.direct, false) as "projectMember", coalesce(pm.assigned, false) as "assigned",
           coalesce((page.settings->>'annotators_may_view_own_data')::boolean, false) as "annotatorsMayViewOwnData"
      from (${pageSql}) page left join project_members pm on pm.project_id = page.id and pm.user_id = ${uid}
     order by page.pinned_at desc nulls last, page.id desc`;
  // The owner's page by hand: every project but other users' sandboxes, the page by the list
  // index, and the total counted apart.
  const ownerPage = (page: number) => async () => {
    const rows = await em.execute(
      withFacts(
        built.base + 1,
        `select ${cols} from projects p join workspaces w on w.id = p.workspace_id
          where p.organization_id = ? and w.organization_id = ? and (not w.is_sandbox or w.sandbox_user_id = ?)
          order by p.pinned_at desc nulls last, p.id desc limit ? offset ?`,
      ),
      [built.orgId, built.orgId, built.base + 1, PAGE_SIZE, (page - 1) * PAGE_SIZE],
    );
    const [c] = await em.execute(
      `select count(*) from projects p join workspaces w on w.id = p.workspace_id
        where p.organization_id = ? and w.organization_id = ? and (not w.is_sandbox or w.sandbox_user_id = ?)`,
      [built.orgId, built.orgId, built.base + 1],
    );
    return { rows, c };
  };
  // A member's page by hand: the ids of their projects (memberships, workspaces, own sandbox)
  // looked up first, then those projects by primary key, counted with the page.
  const memberPage = (k: number, page: number) => async () => {
    const uid = built.base + k;
    return em.execute(
      withFacts(
        uid,
        `select ${cols}, count(*) over () as total
         from projects p join workspaces w on w.id = p.workspace_id
        where p.id = any(array(
                select pm.project_id from project_members pm where pm.organization_id = ? and pm.user_id = ?
                union select p.id from workspace_members wm join projects p on p.organization_id = wm.organization_id and p.workspace_id = wm.workspace_id
                       where wm.organization_id = ? and wm.user_id = ?
                union select p.id from workspaces w join projects p on p.organization_id = w.organization_id and p.workspace_id = w.id
                       where w.organization_id = ? and w.is_sandbox and w.sandbox_user_id = ?))
          and w.organization_id = ? and (not w.is_sandbox or w.sandbox_user_id = ?)
        order by p.pinned_at desc nulls last, p.id desc limit ? offset ?`,
      ),
      [built.orgId, uid, built.orgId, uid, built.orgId, uid, built.orgId, uid, PAGE_SIZE, (page - 1) * PAGE_SIZE],
    );
  };

  const input = (page: number): ListProjectsInput => ({ filter: "all", page, page_size: PAGE_SIZE });
  const deepPage = Math.floor(PROJECTS / PAGE_SIZE) - 10;
  const cases: { name: string; candidate: () => Promise<unknown>; baseline: () => Promise<unknown>; runs: number }[] = [
    { name: "annotator (5 projects), page 1", candidate: service(annotator, input(1)), baseline: memberPage(ANNOTATOR_K, 1), runs: 300 },
    { name: "reviewer (1 workspace + 10 projects), page 3", candidate: service(reviewer, input(3)), baseline: memberPage(REVIEWER_K, 3), runs: 150 },
    { name: "owner (all projects), page 1", candidate: service(owner, input(1)), baseline: ownerPage(1), runs: 100 },
    { name: `owner (all projects), page ${deepPage}`, candidate: service(owner, input(deepPage)), baseline: ownerPage(deepPage), runs: 60 },
  ];

  // Same results first: the benchmark compares equal work.
  for (const c of cases) {
    const got = (await c.candidate()) as { count: number; results: { id: number; facts: Record<string, unknown> }[] };
    const want = await c.baseline();
    const wantRows = (Array.isArray(want) ? want : (want as { rows: Record<string, unknown>[] }).rows) as (Record<string, unknown> & { id: number })[];
    const page = (rows: { id: number; facts: Record<string, unknown> }[]) => JSON.stringify(rows.map((r) => [r.id, r.facts]));
    const FACTS = ["inSandbox", "ownSandbox", "workspaceMember", "createdByMe", "projectMember", "assigned", "annotatorsMayViewOwnData"];
    const wantPage = wantRows.map((r) => ({ id: r.id, facts: Object.fromEntries(FACTS.map((f) => [f, r[f]])) }));
    if (got.results.length === 0 || page(got.results as { id: number; facts: Record<string, unknown> }[]) !== page(wantPage)) {
      throw new Error(`${c.name}: the service and the hand-written query return different (or empty) pages`);
    }
  }

  const results: { comparison: Comparison; statements: number }[] = [];
  for (const c of cases) {
    const statements = await count(c.candidate);
    const comparison = await compare({ name: c.name, candidate: c.candidate, baseline: c.baseline, runs: c.runs, goal: RATIO_GOAL });
    results.push({ comparison, statements });
    console.log(`${formatComparison(comparison)} | statements ${statements} (goal ≤ ${STATEMENT_GOAL})`);
  }

  // The whole request through tRPC for the owner (session, membership, list), for reference.
  const sid = randomToken(32);
  await em.execute(`insert into sessions (user_id, token_hash, created_at, last_seen_at, expires_at) values (?, ?, now(), now(), ?)`, [
    built.base + 1,
    sha256(sid),
    new Date(Date.now() + SESSION_TTL_MS),
  ]);
  const trpcCall = async () => {
    const ctx = await createContext({ orm, request: { ...request, origin: "http://bench.test" }, cookies: new MemoryCookieJar({ [SESSION_COOKIE]: sid }), config });
    return createCaller(ctx).project.list({ filter: "all", page: 1, page_size: PAGE_SIZE });
  };
  const trpcStatements = await count(trpcCall);
  const durations: number[] = [];
  for (let i = 0; i < 60; i++) {
    const t = performance.now();
    await trpcCall();
    durations.push(performance.now() - t);
  }
  const s = stats(durations);
  console.log(
    `owner page 1 through tRPC (session, membership and list): p50 ${s.p50.toFixed(3)} ms p99 ${s.p99.toFixed(3)} ms | statements ${trpcStatements} (${trpcStatements - results.find((r) => r.comparison.name.startsWith("owner"))!.statements} of them authentication)`,
  );

  const missed = results.filter((r) => !r.comparison.met || r.statements > STATEMENT_GOAL);
  console.log(missed.length === 0 ? "ok: every ratio and statement count within its goal" : `goals missed: ${missed.map((r) => r.comparison.name).join("; ")}`);
  // Timings vary with the machine; the number of statements does not, so only that fails the run.
  if (results.some((r) => r.statements > STATEMENT_GOAL)) process.exitCode = 1;
}
