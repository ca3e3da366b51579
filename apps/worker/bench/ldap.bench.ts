// How fast is LDAP sync? A directory of 10,000 users and 500 groups (250 groupOfNames with member
// DNs, 250 posixGroup with memberUid; every user in two groups) in a throwaway slapd; a full first
// sync (read with paged search, write the directory tables, reconcile: 10,000 accounts and
// memberships, workspace and project memberships from mapped groups) and a no-op resync, which
// must write nothing. Baseline, measured in the same run: the LDAP read alone (ldapts paged search).
// Goals: full sync ≤ 10 s, no-op resync ≤ 2 s with zero writes.
//
// Run: pnpm bench (all packages), or pnpm --filter @lattice/worker bench. Needs slapd
// (scripts/install-system-deps.sh). Uses DATABASE_URL's server when set (an embedded PostgreSQL
// otherwise), in a database of its own, dropped after.
import path from "node:path";
import { encryptSecret, LDAP_DEFAULTS, migrate, openOrm, readLdap, runLdapSync, type Orm } from "@lattice/api";
import { dropDatabases, ensureDatabase, freePort, startEmbeddedPostgres, withDatabase, type RunningPostgres } from "@lattice/devdb";
import { ADMIN_DN, ADMIN_PASSWORD, BASE_DN, ldif, slapdAvailable, startSlapd, type LdapGroupSpec, type Slapd } from "../src/jobs/ldap-slapd.js";

const USERS = 10_000;
const GROUPS = 500;
const GOAL_FULL_MS = 10_000;
const GOAL_NOOP_MS = 2_000;
const appDir = path.resolve(import.meta.dirname, "..");
const log = (line: string) => console.log(`ldap bench: ${line}`);

async function main(): Promise<void> {
  if (!slapdAvailable()) {
    log("slapd is not installed (bash scripts/install-system-deps.sh); skipped");
    return;
  }
  process.env.LATTICE_SECRET_KEY ??= "bench-secret-key-bench-secret-key-0123456789";
  const users = Array.from({ length: USERS }, (_, i) => ({ uid: `user${i}`, mail: `user${i}@bench.test`, cn: `Bench User ${i}` }));
  const groups: LdapGroupSpec[] = Array.from({ length: GROUPS }, (_, g) => ({
    cn: `group${g}`,
    shape: g % 2 === 0 ? "groupOfNames" : "posixGroup",
    members: users.filter((_, i) => i % GROUPS === g || (i * 7) % GROUPS === g).map((u) => u.uid),
  }));
  let t = Date.now();
  const slapd: Slapd = await startSlapd(ldif(users, groups));
  log(`slapd loaded with ${USERS} users and ${GROUPS} groups in ${Date.now() - t} ms`);
  let embedded: RunningPostgres | null = null;
  let baseUrl = process.env.DATABASE_URL;
  const prefix = `lt_bench_ldap_${process.pid}`;
  let orm: Orm | null = null;
  try {
    if (!baseUrl) {
      embedded = await startEmbeddedPostgres({ dataDir: path.resolve(appDir, "../../.lattice", `bench-ldap-${process.pid}`), port: await freePort(), ephemeral: true, fast: true });
      baseUrl = embedded.url;
    }
    const url = withDatabase(baseUrl, `${prefix}_db`);
    await ensureDatabase(withDatabase(baseUrl, "postgres"), `${prefix}_db`);
    orm = await openOrm({ databaseUrl: url, poolMax: 4 });
    await migrate(orm);
    const orgId = await seed(orm, slapd.url);
    const settings = { url: slapd.url, bind_dn: ADMIN_DN, user_base: `ou=people,${BASE_DN}`, group_base: `ou=groups,${BASE_DN}` };

    t = Date.now();
    const snap = await readLdap({ ...LDAP_DEFAULTS, ...settings }, ADMIN_PASSWORD);
    const readMs = Date.now() - t;
    log(`baseline: LDAP read alone (paged search, page size 500): ${readMs} ms (${snap.users.length} users, ${snap.groups.length} groups)`);

    t = Date.now();
    const full = await runLdapSync(orm.em.fork(), { organizationId: orgId, secretKey: process.env.LATTICE_SECRET_KEY, trigger: "bench" });
    const fullMs = Date.now() - t;
    if (full.status !== "applied") throw new Error(`full sync ended ${full.status}: ${full.reason}`);
    log(
      `full sync: ${fullMs} ms (goal ≤ ${GOAL_FULL_MS} ms; ${(fullMs / readMs).toFixed(2)} × the read) — ${full.directoryWrites} directory rows, ${full.counts.create} accounts, ${full.counts.activate} memberships, ${full.counts.workspace_join} workspace and ${full.counts.project_join} project memberships ${fullMs <= GOAL_FULL_MS ? "OK" : "OVER GOAL"}`,
    );

    t = Date.now();
    const noop = await runLdapSync(orm.em.fork(), { organizationId: orgId, secretKey: process.env.LATTICE_SECRET_KEY, trigger: "bench" });
    const noopMs = Date.now() - t;
    const { directory_users: _u, directory_groups: _g, managed_active: _m, ...changes } = noop.counts;
    const writes = noop.directoryWrites + Object.values(changes).reduce((a, b) => a + b, 0);
    log(`no-op resync: ${noopMs} ms (goal ≤ ${GOAL_NOOP_MS} ms; ${(noopMs / readMs).toFixed(2)} × the read), writes: ${writes} (goal 0) ${noopMs <= GOAL_NOOP_MS && writes === 0 ? "OK" : "OVER GOAL"}`);
  } finally {
    await orm?.close(true);
    if (baseUrl) await dropDatabases(baseUrl, prefix);
    await embedded?.stop();
    await slapd.stop();
  }
}

/** An organization with an owner, mappings (3 role groups, 20 workspace groups, 10 project groups) and the LDAP connection. */
async function seed(orm: Orm, ldapUrl: string): Promise<number> {
  const em = orm.em.fork();
  const [owner] = await em.execute<{ id: number }[]>(`insert into users (email, name, created_at, updated_at) values ('owner@bench.test', 'Owner', now(), now()) returning id`);
  const [org] = await em.execute<{ id: number }[]>(`insert into organizations (title, created_by_id, created_at, updated_at) values ('Bench', ?, now(), now()) returning id`, [owner!.id]);
  await em.execute(`insert into memberships (organization_id, user_id, role, status, source, created_at, updated_at) values (?, ?, 'owner', 'active', 'manual', now(), now())`, [org!.id, owner!.id]);
  const ws = await em.execute<{ id: number }[]>(
    `insert into workspaces (organization_id, title, color, description, is_sandbox, created_at, updated_at) select ?, 'ws ' || g, '#1c7ed6', '', false, now(), now() from generate_series(1, 20) g returning id`,
    [org!.id],
  );
  const pr = await em.execute<{ id: number }[]>(
    `insert into projects (organization_id, workspace_id, title, description, label_config, settings, task_count, created_at, updated_at)
     select ?, ?, 'p ' || g, '', '', '{}'::jsonb, 0, now(), now() from generate_series(1, 10) g returning id`,
    [org!.id, ws[0]!.id],
  );
  const mappings = {
    roles: [
      { group: "group0", role: "administrator" },
      { group: "group1", role: "manager" },
      ...Array.from({ length: GROUPS - 2 }, (_, i) => ({ group: `group${i + 2}`, role: i % 2 ? "reviewer" : "annotator" })),
    ],
    workspaces: ws.map((w, i) => ({ group: `group${i * 3}`, workspace: w.id })),
    projects: pr.map((p, i) => ({ group: `group${i * 5 + 1}`, project: p.id, role: "annotator" })),
  };
  await em.execute(
    `insert into directory_settings (organization_id, mappings, ldap, ldap_bind_password_enc, guard_threshold, updated_at) values (?, ?::jsonb, ?::jsonb, ?, 0.1, now())`,
    [
      org!.id,
      JSON.stringify(mappings),
      JSON.stringify({ url: ldapUrl, bind_dn: ADMIN_DN, user_base: `ou=people,${BASE_DN}`, group_base: `ou=groups,${BASE_DN}`, page_size: 500 }),
      encryptSecret(process.env.LATTICE_SECRET_KEY, ADMIN_PASSWORD),
    ],
  );
  return org!.id;
}

await main();
