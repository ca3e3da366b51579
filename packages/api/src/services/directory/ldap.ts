// The LDAP source: read users and groups with ldapts paged search into a snapshot, and write a
// snapshot into the directory tables as a diff (an unchanged directory writes nothing). A size
// or time limit exceeded, or any other LDAP error, throws: a failed read is a failed run, never
// a short listing.
import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import { Client, type Entry } from "ldapts";
import type { LdapSettings } from "../../db/entities.js";
import { normalizeEmail } from "../accounts.js";
import type { Snapshot, SnapshotGroup, SnapshotUser } from "./reconcile.js";

export const LDAP_DEFAULTS: Omit<LdapSettings, "url" | "bind_dn" | "user_base" | "group_base"> = {
  starttls: false,
  user_filter: "(objectClass=inetOrgPerson)",
  group_filter: "(|(objectClass=groupOfNames)(objectClass=posixGroup))",
  attr_id: "entryUUID",
  attr_email: "mail",
  attr_name: "cn",
  membership_attr: "member",
  attr_uid: "uid",
  page_size: 500,
  schedule_minutes: 60,
};

export class LdapReadError extends Error {
  override name = "LdapReadError";
}

function first(e: Entry, attr: string): string {
  if (attr.toLowerCase() === "dn") return e.dn;
  const key = Object.keys(e).find((k) => k.toLowerCase() === attr.toLowerCase());
  const v = key ? e[key] : undefined;
  if (v === undefined) return "";
  const x = Array.isArray(v) ? v[0] : v;
  return x === undefined ? "" : Buffer.isBuffer(x) ? x.toString("utf8") : String(x);
}

function all(e: Entry, attr: string): string[] {
  const key = Object.keys(e).find((k) => k.toLowerCase() === attr.toLowerCase());
  const v = key ? e[key] : undefined;
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => (Buffer.isBuffer(x) ? x.toString("utf8") : String(x)));
}

/** Normalise a DN for comparison: lower-case, no spaces around separators. */
export function normDn(dn: string): string {
  return dn
    .split(",")
    .map((rdn) => rdn.trim().replace(/\s*=\s*/, "="))
    .join(",")
    .toLowerCase();
}

async function connect(s: LdapSettings, password: string, timeoutMs: number): Promise<Client> {
  const client = new Client({ url: s.url, timeout: timeoutMs, connectTimeout: Math.min(timeoutMs, 10_000), strictDN: false });
  try {
    if (s.starttls) await client.startTLS({});
    await client.bind(s.bind_dn, password);
    return client;
  } catch (err) {
    await client.unbind().catch(() => undefined);
    throw err;
  }
}

async function pagedSearch(client: Client, base: string, filter: string, attributes: string[], pageSize: number): Promise<Entry[]> {
  const out: Entry[] = [];
  for await (const page of client.searchPaginated(base, { scope: "sub", filter, attributes, paged: { pageSize } })) {
    for (const e of page.searchEntries) out.push(e);
  }
  return out;
}

/** Read the whole directory (users, groups, memberships) into a snapshot. */
export async function readLdap(s: LdapSettings, password: string, opts: { timeoutMs?: number } = {}): Promise<Snapshot> {
  const client = await connect(s, password, opts.timeoutMs ?? 30_000);
  try {
    const userAttrs = [...new Set([s.attr_id, s.attr_email, s.attr_name, s.attr_uid])];
    const userEntries = await pagedSearch(client, s.user_base, s.user_filter, userAttrs, s.page_size);
    // Both group shapes are read whatever the setting: groupOfNames (`member`, DNs) and
    // posixGroup (`memberUid`, uids); `membership_attr` may name another DN-valued attribute.
    const memberAttrs = [...new Set([s.membership_attr, "member", "memberUid"])];
    const groupEntries = await pagedSearch(client, s.group_base, s.group_filter, ["cn", ...memberAttrs], s.page_size);
    const users: SnapshotUser[] = [];
    const byUid = new Map<string, string>();
    const keys = new Set<string>();
    for (const e of userEntries) {
      const key = normDn(e.dn);
      const email = normalizeEmail(first(e, s.attr_email));
      const uid = first(e, s.attr_uid);
      if (uid) byUid.set(uid.toLowerCase(), key);
      keys.add(key);
      users.push({ key, userName: uid || email || e.dn, email, name: first(e, s.attr_name), active: true });
    }
    const groups: SnapshotGroup[] = groupEntries.map((e) => {
      const members = memberAttrs.flatMap((a) => (a.toLowerCase() === "memberuid" ? all(e, a).map((u) => byUid.get(u.toLowerCase())) : all(e, a).map((d) => normDn(d))));
      return {
        key: normDn(e.dn),
        displayName: first(e, "cn") || e.dn,
        externalId: e.dn,
        members: [...new Set(members.filter((k): k is string => !!k && keys.has(k)))],
      };
    });
    return { users, groups };
  } catch (err) {
    throw new LdapReadError(`${(err as Error).name}: ${(err as Error).message}`);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

export interface TestConnectionResult {
  ok: boolean;
  error: string | null;
  users: number;
  groups: number;
  sample_users: { dn: string; email: string; name: string }[];
  sample_groups: { dn: string; name: string; members: number }[];
}

/** Bind and read; report counts and a few samples, or the precise LDAP error. */
export async function testLdapConnection(s: LdapSettings, password: string): Promise<TestConnectionResult> {
  try {
    const snap = await readLdap(s, password, { timeoutMs: 15_000 });
    return {
      ok: true,
      error: null,
      users: snap.users.length,
      groups: snap.groups.length,
      sample_users: snap.users.slice(0, 5).map((u) => ({ dn: u.key, email: u.email, name: u.name })),
      sample_groups: snap.groups.slice(0, 5).map((g) => ({ dn: g.externalId ?? g.key, name: g.displayName, members: g.members.length })),
    };
  } catch (err) {
    const e = err as Error;
    return { ok: false, error: e instanceof LdapReadError ? e.message : `${e.name}: ${e.message}`, users: 0, groups: 0, sample_users: [], sample_groups: [] };
  }
}

/**
 * Make the LDAP rows of the directory tables equal to the snapshot, writing only differences.
 * Returns the number of rows written.
 */
export async function writeLdapSnapshot(em: EntityManager, organizationId: number, snap: Snapshot): Promise<number> {
  const json = (v: unknown) => JSON.stringify(v);
  let writes = 0;
  const users = await em.execute<{ id: string; dn: string; user_name: string; email: string; display_name: string; active: boolean }[]>(
    `select id, dn, user_name, email, display_name, active from directory_users where organization_id = ? and source = 'ldap'`,
    [organizationId],
  );
  const userByDn = new Map(users.map((u) => [u.dn, u]));
  const seen = new Set<string>();
  const insertUsers: { id: string; dn: string; user_name: string; email: string; name: string }[] = [];
  const updateUsers: { id: string; user_name: string; email: string; name: string }[] = [];
  const idByKey = new Map<string, string>();
  for (const u of snap.users) {
    if (seen.has(u.key)) continue;
    seen.add(u.key);
    const row = userByDn.get(u.key);
    const userName = u.userName.slice(0, 500);
    const email = u.email.slice(0, 254);
    const name = u.name.slice(0, 400);
    if (!row) {
      const id = randomUUID();
      idByKey.set(u.key, id);
      insertUsers.push({ id, dn: u.key, user_name: userName, email, name });
    } else {
      idByKey.set(u.key, row.id);
      if (row.user_name !== userName || row.email !== email || row.display_name !== name || !row.active) updateUsers.push({ id: row.id, user_name: userName, email, name });
    }
  }
  const goneUsers = users.filter((u) => !seen.has(u.dn)).map((u) => u.id);
  if (goneUsers.length) {
    const r = await em.execute<{ n: string }[]>(`with d as (delete from directory_users where id in (select jsonb_array_elements_text(?::jsonb)::uuid) returning 1) select count(*) as n from d`, [json(goneUsers)]);
    writes += Number(r[0]?.n ?? 0);
  }
  if (insertUsers.length) {
    await em.execute(
      `insert into directory_users (id, organization_id, source, user_name, user_name_key, email, display_name, active, dn, created_at, updated_at)
       select v.id::uuid, ?, 'ldap', v.user_name, v.dn, v.email, v.name, true, v.dn, now(), now() from jsonb_to_recordset(?::jsonb) as v(id text, dn text, user_name text, email text, name text)`,
      [organizationId, json(insertUsers)],
    );
    writes += insertUsers.length;
  }
  if (updateUsers.length) {
    await em.execute(
      `update directory_users d set user_name = v.user_name, email = v.email, display_name = v.name, active = true, updated_at = now()
         from jsonb_to_recordset(?::jsonb) as v(id text, user_name text, email text, name text) where d.id = v.id::uuid`,
      [json(updateUsers)],
    );
    writes += updateUsers.length;
  }

  const groups = await em.execute<{ id: string; dn: string; display_name: string }[]>(`select id, dn, display_name from directory_groups where organization_id = ? and source = 'ldap'`, [organizationId]);
  const groupByDn = new Map(groups.map((g) => [g.dn, g]));
  const gSeen = new Set<string>();
  const insertGroups: { id: string; dn: string; name: string; ext: string | null }[] = [];
  const renameGroups: { id: string; name: string }[] = [];
  const gIdByKey = new Map<string, string>();
  const usedNames = new Set<string>();
  for (const g of snap.groups) {
    if (gSeen.has(g.key)) continue;
    gSeen.add(g.key);
    // display names are unique per organization and source: disambiguate duplicates by DN.
    let name = g.displayName.slice(0, 500);
    if (usedNames.has(name)) name = g.key.slice(0, 500);
    usedNames.add(name);
    const row = groupByDn.get(g.key);
    if (!row) {
      const id = randomUUID();
      gIdByKey.set(g.key, id);
      insertGroups.push({ id, dn: g.key, name, ext: g.externalId });
    } else {
      gIdByKey.set(g.key, row.id);
      if (row.display_name !== name) renameGroups.push({ id: row.id, name });
    }
  }
  const goneGroups = groups.filter((g) => !gSeen.has(g.dn)).map((g) => g.id);
  if (goneGroups.length) {
    await em.execute(`delete from directory_groups where id in (select jsonb_array_elements_text(?::jsonb)::uuid)`, [json(goneGroups)]);
    writes += goneGroups.length;
  }
  if (renameGroups.length) {
    // Two steps, so that swapped names do not collide with the unique index.
    await em.execute(`update directory_groups d set display_name = d.id::text from jsonb_to_recordset(?::jsonb) as v(id text, name text) where d.id = v.id::uuid`, [json(renameGroups)]);
    await em.execute(`update directory_groups d set display_name = v.name, updated_at = now() from jsonb_to_recordset(?::jsonb) as v(id text, name text) where d.id = v.id::uuid`, [json(renameGroups)]);
    writes += renameGroups.length;
  }
  if (insertGroups.length) {
    await em.execute(
      `insert into directory_groups (id, organization_id, source, external_id, display_name, dn, created_at, updated_at)
       select v.id::uuid, ?, 'ldap', v.ext, v.name, v.dn, now(), now() from jsonb_to_recordset(?::jsonb) as v(id text, dn text, name text, ext text)`,
      [organizationId, json(insertGroups)],
    );
    writes += insertGroups.length;
  }

  const want = new Set<string>();
  for (const g of snap.groups) {
    const gid = gIdByKey.get(g.key);
    if (!gid) continue;
    for (const k of g.members) {
      const uid = idByKey.get(k);
      if (uid) want.add(`${gid}|${uid}`);
    }
  }
  const have = await em.execute<{ group_id: string; user_id: string }[]>(`select group_id, user_id from directory_group_members where organization_id = ? and group_id in (select id from directory_groups where organization_id = ? and source = 'ldap')`, [organizationId, organizationId]);
  const haveSet = new Set(have.map((h) => `${h.group_id}|${h.user_id}`));
  const add = [...want].filter((k) => !haveSet.has(k)).map((k) => ({ g: k.slice(0, 36), u: k.slice(37) }));
  const del = have.filter((h) => !want.has(`${h.group_id}|${h.user_id}`)).map((h) => ({ g: h.group_id, u: h.user_id }));
  if (del.length) {
    await em.execute(`delete from directory_group_members m using jsonb_to_recordset(?::jsonb) as v(g text, u text) where m.group_id = v.g::uuid and m.user_id = v.u::uuid`, [json(del)]);
    writes += del.length;
  }
  if (add.length) {
    await em.execute(
      `insert into directory_group_members (organization_id, group_id, user_id) select ?, v.g::uuid, v.u::uuid from jsonb_to_recordset(?::jsonb) as v(g text, u text) on conflict do nothing`,
      [organizationId, json(add)],
    );
    writes += add.length;
  }
  return writes;
}
