// SCIM 2.0 (RFC 7643/7644) over the directory tables, framework-free: `handleScim` takes a
// method, a path under /scim/v2, the query and the parsed body, and returns a status and a JSON
// body. Filters are parsed by scim2-parse-filter and compiled to SQL here; PATCH operations are
// normalised for what Okta and Entra ID really send, then applied by scim-patch.
import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import { parse as parseFilter, type Filter } from "scim2-parse-filter";
import { scimPatch, type ScimPatchOperation } from "scim-patch";
import { isStorableText } from "../../schemas.js";
import { normalizeEmail } from "../accounts.js";

export const SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
export const SCIM_LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const SCIM_PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

export interface ScimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export class ScimError extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly scimType?: string,
  ) {
    super(detail);
  }
}

export function scimErrorBody(status: number, detail: string, scimType?: string) {
  return { schemas: [SCIM_ERROR], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

// ---- Helpers ----

/** Entra sends booleans as "True"/"False". */
function toBool(v: unknown, field: string): boolean {
  if (typeof v === "boolean") return v;
  if (typeof v === "string" && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === "true";
  throw new ScimError(400, `${field} must be a boolean.`, "invalidValue");
}

function str(v: unknown, field: string, max: number, required = false): string | null {
  if (v === undefined || v === null) {
    if (required) throw new ScimError(400, `${field} is required.`, "invalidValue");
    return null;
  }
  if (typeof v !== "string") throw new ScimError(400, `${field} must be a string.`, "invalidValue");
  const s = v.trim();
  if (required && !s) throw new ScimError(400, `${field} is required.`, "invalidValue");
  if (s.length > max) throw new ScimError(400, `${field} is longer than ${max} characters.`, "invalidValue");
  if (!isStorableText(s)) throw new ScimError(400, `${field} contains characters that cannot be stored (NUL or unpaired surrogates).`, "invalidValue");
  return s;
}

function obj(v: unknown): Record<string, unknown> | null {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ---- Users ----

interface UserRow {
  id: string;
  external_id: string | null;
  user_name: string;
  email: string;
  given_name: string;
  family_name: string;
  display_name: string;
  active: boolean;
  extra: Record<string, unknown> | null;
  created_at: Date;
  updated_at: Date;
}

const USER_ATTRS = ["id", "externalId", "userName", "name", "displayName", "nickName", "profileUrl", "title", "userType", "preferredLanguage", "locale", "timezone", "active", "emails", "phoneNumbers", "ims", "photos", "addresses", "groups", "roles", "entitlements", "x509Certificates", "password", "schemas", "meta", ENTERPRISE_SCHEMA];
const USER_KEPT = ["nickName", "profileUrl", "title", "userType", "preferredLanguage", "locale", "timezone", "phoneNumbers", "ims", "photos", "addresses", "roles", "entitlements", ENTERPRISE_SCHEMA];
const GROUP_ATTRS = ["id", "externalId", "displayName", "members", "schemas", "meta"];

function canonicalAttr(name: string, known: string[]): string | null {
  const lower = name.toLowerCase();
  return known.find((k) => k.toLowerCase() === lower) ?? null;
}

function userResource(u: UserRow, groups: { id: string; display_name: string }[] | null) {
  const extra = u.extra ?? {};
  return {
    schemas: [USER_SCHEMA, ...(extra[ENTERPRISE_SCHEMA] ? [ENTERPRISE_SCHEMA] : [])],
    id: u.id,
    ...(u.external_id !== null ? { externalId: u.external_id } : {}),
    userName: u.user_name,
    name: { givenName: u.given_name, familyName: u.family_name, formatted: [u.given_name, u.family_name].filter(Boolean).join(" ") },
    displayName: u.display_name,
    emails: [{ value: u.email, type: "work", primary: true }],
    active: u.active,
    ...extra,
    ...(groups ? { groups: groups.map((g) => ({ value: g.id, display: g.display_name, $ref: `/scim/v2/Groups/${g.id}` })) } : {}),
    meta: { resourceType: "User", created: new Date(u.created_at).toISOString(), lastModified: new Date(u.updated_at).toISOString(), location: `/scim/v2/Users/${u.id}` },
  };
}

interface UserFields {
  externalId: string | null;
  userName: string;
  email: string;
  givenName: string;
  familyName: string;
  displayName: string;
  active: boolean;
  extra: Record<string, unknown>;
}

/** The fields Lattice keeps from a full User resource (POST, PUT, or the result of a PATCH). */
function userFields(body: unknown): UserFields {
  const b = obj(body);
  if (!b) throw new ScimError(400, "The request body must be a JSON object.", "invalidSyntax");
  // Attribute names are case-insensitive: index the body by canonical names.
  const r: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(b)) {
    const c = canonicalAttr(k, USER_ATTRS);
    if (c) r[c] = v;
    else if (!k.startsWith("urn:")) throw new ScimError(400, `Unknown attribute "${k}".`, "invalidSyntax");
  }
  const userName = str(r.userName, "userName", 500, true)!;
  const emails = Array.isArray(r.emails) ? (r.emails as unknown[]).map(obj).filter((e): e is Record<string, unknown> => !!e && typeof e.value === "string") : [];
  const primary = emails.find((e) => e.primary === true || e.primary === "True" || e.primary === "true") ?? emails.find((e) => e.type === "work") ?? emails[0];
  const address = str(primary?.value, "emails.value", 254) ?? (userName.includes("@") ? userName : null);
  const email = address === null ? null : normalizeEmail(address);
  if (!email || !/^[^\s@]+@[^\s@]+$/.test(email)) throw new ScimError(400, "A user needs an e-mail address (emails[primary].value, or a userName that is one).", "invalidValue");
  const name = obj(r.name) ?? {};
  const extra: Record<string, unknown> = {};
  for (const k of USER_KEPT) if (r[k] !== undefined && r[k] !== null) extra[k] = r[k];
  const extraJson = JSON.stringify(extra);
  if (!isStorableText(extraJson) || extraJson.length > 20_000) throw new ScimError(400, "Extra attributes are too large or hold characters that cannot be stored.", "invalidValue");
  return {
    externalId: str(r.externalId, "externalId", 500),
    userName,
    email,
    givenName: str(name.givenName, "name.givenName", 200) ?? "",
    familyName: str(name.familyName, "name.familyName", 200) ?? "",
    displayName: str(r.displayName, "displayName", 400) ?? (str(name.formatted, "name.formatted", 400) ?? ""),
    active: r.active === undefined || r.active === null ? true : toBool(r.active, "active"),
    extra,
  };
}

// ---- Filters → SQL ----

type AttrMap = Record<string, { sql: string; kind: "text" | "ci" | "bool" | "uuid" | "time" | "members" }>;

const USER_FILTER_ATTRS: AttrMap = {
  id: { sql: "id", kind: "uuid" },
  externalid: { sql: "external_id", kind: "text" },
  username: { sql: "user_name", kind: "ci" },
  displayname: { sql: "display_name", kind: "text" },
  "name.givenname": { sql: "given_name", kind: "text" },
  "name.familyname": { sql: "family_name", kind: "text" },
  emails: { sql: "email", kind: "ci" },
  "emails.value": { sql: "email", kind: "ci" },
  active: { sql: "active", kind: "bool" },
  "meta.created": { sql: "created_at", kind: "time" },
  "meta.lastmodified": { sql: "updated_at", kind: "time" },
};
const GROUP_FILTER_ATTRS: AttrMap = {
  id: { sql: "g.id", kind: "uuid" },
  externalid: { sql: "g.external_id", kind: "text" },
  displayname: { sql: "g.display_name", kind: "ci" },
  members: { sql: "", kind: "members" },
  "members.value": { sql: "", kind: "members" },
  "meta.created": { sql: "g.created_at", kind: "time" },
  "meta.lastmodified": { sql: "g.updated_at", kind: "time" },
};

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function compileFilter(f: Filter, attrs: AttrMap, params: unknown[], prefix = ""): string {
  switch (f.op) {
    case "and":
    case "or":
      return `(${f.filters.map((x) => compileFilter(x, attrs, params, prefix)).join(` ${f.op} `)})`;
    case "not":
      return `(not ${compileFilter(f.filter, attrs, params, prefix)})`;
    case "[]":
      return compileFilter(f.valFilter, attrs, params, `${stripUrn(f.attrPath)}.`);
    default: {
      const name = (prefix + stripUrn(f.attrPath)).toLowerCase();
      const a = attrs[name];
      if (!a) throw new ScimError(400, `Filtering on "${f.attrPath}" is not supported.`, "invalidFilter");
      if (a.kind === "members") {
        if (f.op === "pr") return `exists (select 1 from directory_group_members m where m.group_id = g.id)`;
        if (f.op !== "eq" || typeof f.compValue !== "string") throw new ScimError(400, "members supports only eq and pr.", "invalidFilter");
        if (!UUID.test(f.compValue)) return "false";
        params.push(f.compValue);
        return `exists (select 1 from directory_group_members m where m.group_id = g.id and m.user_id = ?::uuid)`;
      }
      if (f.op === "pr") return `(${a.sql} is not null${a.kind === "text" || a.kind === "ci" ? ` and ${a.sql} <> ''` : ""})`;
      const v = f.compValue;
      if (a.kind === "bool") {
        if (f.op !== "eq" && f.op !== "ne") throw new ScimError(400, `${f.attrPath} supports only eq and ne.`, "invalidFilter");
        params.push(toBoolFilter(v));
        return `(${a.sql} ${f.op === "eq" ? "=" : "<>"} ?)`;
      }
      if (typeof v !== "string") throw new ScimError(400, `${f.attrPath} is compared with a string.`, "invalidFilter");
      if (!isStorableText(v)) throw new ScimError(400, "The filter holds characters that cannot be compared.", "invalidFilter");
      if (a.kind === "uuid") {
        if (f.op !== "eq" && f.op !== "ne") throw new ScimError(400, "id supports only eq and ne.", "invalidFilter");
        if (!UUID.test(v)) return f.op === "eq" ? "false" : "true";
        params.push(v);
        return `(${a.sql} ${f.op === "eq" ? "=" : "<>"} ?::uuid)`;
      }
      if (a.kind === "time") {
        const ops: Record<string, string> = { eq: "=", ne: "<>", gt: ">", ge: ">=", lt: "<", le: "<=" };
        if (!ops[f.op] || Number.isNaN(Date.parse(v))) throw new ScimError(400, `Bad comparison on ${f.attrPath}.`, "invalidFilter");
        params.push(new Date(v).toISOString());
        return `(${a.sql} ${ops[f.op]} ?::timestamptz)`;
      }
      // Case-exact for text, case-insensitive for userName, e-mail and group names.
      const col = a.kind === "ci" ? `lower(${a.sql})` : a.sql;
      const val = a.kind === "ci" ? v.toLowerCase() : v;
      switch (f.op) {
        case "eq":
          params.push(val);
          return `(${col} = ?)`;
        case "ne":
          params.push(val);
          return `(${col} is distinct from ?)`;
        case "co":
          params.push(`%${likeEscape(val)}%`);
          return `(${col} like ?)`;
        case "sw":
          params.push(`${likeEscape(val)}%`);
          return `(${col} like ?)`;
        case "ew":
          params.push(`%${likeEscape(val)}`);
          return `(${col} like ?)`;
        case "gt":
        case "ge":
        case "lt":
        case "le":
          params.push(val);
          return `(${col} ${{ gt: ">", ge: ">=", lt: "<", le: "<=" }[f.op]} ?)`;
      }
    }
  }
  throw new ScimError(400, "Unsupported filter.", "invalidFilter");
}

function toBoolFilter(v: unknown): boolean {
  if (typeof v === "boolean") return v;
  if (typeof v === "string" && /^(true|false)$/i.test(v)) return v.toLowerCase() === "true";
  throw new ScimError(400, "Boolean attributes compare with true or false.", "invalidFilter");
}

function stripUrn(path: string): string {
  for (const urn of [USER_SCHEMA, GROUP_SCHEMA]) if (path.toLowerCase().startsWith(`${urn.toLowerCase()}:`)) return path.slice(urn.length + 1);
  return path;
}

function whereFor(filter: unknown, attrs: AttrMap, params: unknown[]): string {
  if (filter === undefined || filter === null || filter === "") return "true";
  if (typeof filter !== "string" || filter.length > 2000) throw new ScimError(400, "The filter must be a string of at most 2000 characters.", "invalidFilter");
  let ast: Filter;
  try {
    // The parser expects lower-case operators; attribute names are made case-insensitive above.
    ast = parseFilter(filter.replace(/\s(EQ|NE|CO|SW|EW|GT|LT|GE|LE|PR|AND|OR|NOT)(?=[\s(])/gi, (m) => m.toLowerCase()));
  } catch (err) {
    throw new ScimError(400, `Invalid filter: ${(err as Error).message}`, "invalidFilter");
  }
  return compileFilter(ast, attrs, params);
}

function paging(query: Record<string, unknown>): { start: number; count: number } {
  const n = (v: unknown, d: number) => {
    const x = typeof v === "string" && /^-?\d{1,9}$/.test(v.trim()) ? Number(v) : typeof v === "number" && Number.isInteger(v) ? v : d;
    return x;
  };
  const start = Math.max(1, n(query.startIndex, 1));
  const count = Math.min(1000, Math.max(0, n(query.count, 100)));
  return { start, count };
}

function excluded(query: Record<string, unknown>, attr: string): boolean {
  const v = query.excludedAttributes;
  return typeof v === "string" && v.split(",").some((a) => stripUrn(a.trim()).toLowerCase() === attr);
}

// ---- PATCH normalisation (Okta, Entra ID) ----

function normaliseOps(body: unknown, attrs: string[]): ScimPatchOperation[] {
  const b = obj(body);
  const raw = b ? (b.Operations ?? b.operations) : undefined;
  if (!Array.isArray(raw) || raw.length === 0) throw new ScimError(400, "A PATCH request carries a non-empty Operations list.", "invalidSyntax");
  if (raw.length > 1000) throw new ScimError(400, "Too many operations in one PATCH.", "invalidValue");
  const out: ScimPatchOperation[] = [];
  for (const o of raw) {
    const op = obj(o);
    const kind = typeof op?.op === "string" ? op.op.toLowerCase() : null;
    if (!op || (kind !== "add" && kind !== "replace" && kind !== "remove")) throw new ScimError(400, `Unknown PATCH op ${JSON.stringify(op?.op ?? null)}.`, "invalidSyntax");
    const rawPath: unknown = op.path === undefined || op.path === null || op.path === "" ? undefined : op.path;
    if (rawPath !== undefined && typeof rawPath !== "string") throw new ScimError(400, "path must be a string.", "invalidPath");
    const path = rawPath === undefined ? undefined : canonicalPath(rawPath as string, attrs);
    if (kind === "remove") {
      if (!path) throw new ScimError(400, "A remove operation needs a path.", "noTarget");
      // Entra removes members as `path: "members"` with a value list: remove exactly those (by
      // value; scim-patch would compare whole objects, display and $ref included).
      if (/^[A-Za-z]+$/.test(path) && Array.isArray(op.value)) {
        for (const item of op.value as unknown[]) {
          const v = obj(item)?.value;
          if (typeof v !== "string") throw new ScimError(400, `Each value to remove from ${path} needs a "value".`, "invalidValue");
          out.push({ op: "remove", path: `${path}[value eq ${JSON.stringify(v)}]` });
        }
        continue;
      }
      out.push(op.value === undefined ? { op: "remove", path } : { op: "remove", path, value: op.value });
      continue;
    }
    let value = op.value;
    if (!path) {
      const v = obj(value);
      if (!v) throw new ScimError(400, "A PATCH without path carries an object value.", "invalidValue");
      // Okta repeats the id; Entra sends dotted ("name.givenName") and URN keys: expand them into paths.
      for (const [k, val] of Object.entries(v)) {
        if (["id", "schemas", "meta"].includes(k.toLowerCase())) continue;
        out.push({ op: kind, path: canonicalPath(k, attrs), value: val });
      }
      continue;
    }
    if (/^active$/i.test(path)) value = toBool(value, "active");
    out.push({ op: kind, path, value });
  }
  return out;
}

/** Check the attribute a path names (case-insensitive) and spell it canonically. */
function canonicalPath(path: string, attrs: string[]): string {
  if (path.length > 500 || !isStorableText(path)) throw new ScimError(400, "Bad path.", "invalidPath");
  for (const urn of [USER_SCHEMA, GROUP_SCHEMA]) if (path.toLowerCase().startsWith(`${urn.toLowerCase()}:`)) path = path.slice(urn.length + 1);
  if (path.toLowerCase().startsWith(`${ENTERPRISE_SCHEMA.toLowerCase()}:`)) {
    if (!attrs.includes(ENTERPRISE_SCHEMA)) throw new ScimError(400, `Unknown path "${path}".`, "invalidPath");
    return `${ENTERPRISE_SCHEMA}:${path.slice(ENTERPRISE_SCHEMA.length + 1)}`;
  }
  const m = /^([A-Za-z$][\w$-]*)(.*)$/s.exec(path);
  const c = m ? canonicalAttr(m[1]!, attrs) : null;
  if (!m || !c || c === "id" || c === "meta" || c === "schemas" || c === "groups") throw new ScimError(400, `Unknown or read-only path "${path}".`, "invalidPath");
  const rest = m[2]!.replace(/^\.([A-Za-z]+)/, (_s, sub: string) => `.${sub === sub.toLowerCase() ? ({ givenname: "givenName", familyname: "familyName" }[sub] ?? sub) : sub}`);
  return c + rest;
}

function applyPatch<T extends { meta: { created: Date; lastModified: Date } }>(resource: T, ops: ScimPatchOperation[]): T {
  try {
    return scimPatch(resource as never, ops, { mutateDocument: false, treatMissingAsAdd: true }) as T;
  } catch (err) {
    const e = err as { status?: number; scimType?: string; message?: string };
    throw new ScimError(400, e.message ?? "The PATCH could not be applied.", e.scimType ?? "invalidValue");
  }
}

// ---- The handler ----

export interface ScimRequest {
  method: string;
  /** Path after /scim/v2, e.g. `/Users/abc`. */
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  baseUrl: string;
}

export interface ScimDeps {
  em: EntityManager;
  organizationId: number;
  /** Called after a change (queue a debounced reconcile). */
  changed: () => Promise<void>;
}

/**
 * Serve one SCIM request in one transaction (a refused request writes nothing); `deps.changed`
 * is called after the commit when the request changed the directory.
 */
export async function handleScim(req: ScimRequest, deps: ScimDeps): Promise<ScimResponse> {
  let changed = false;
  try {
    const res = await deps.em.transactional((em) => route(req, { ...deps, em, changed: async () => void (changed = true) }));
    if (changed) await deps.changed();
    return res;
  } catch (err) {
    if (err instanceof ScimError) return { status: err.status, body: scimErrorBody(err.status, err.message, err.scimType) };
    const pgCode = (err as { code?: string }).code;
    if (pgCode === "23505") return { status: 409, body: scimErrorBody(409, "A resource with that name already exists.", "uniqueness") };
    if (pgCode === "22001" || pgCode === "22P02" || pgCode === "22021") return { status: 400, body: scimErrorBody(400, "A value is too long or malformed.", "invalidValue") };
    throw err;
  }
}

async function route(req: ScimRequest, deps: ScimDeps): Promise<ScimResponse> {
  const parts = req.path.split("/").filter(Boolean);
  const [kind, id, ...rest] = parts;
  const method = req.method.toUpperCase();
  if (rest.length) throw new ScimError(404, "No such endpoint.");
  switch (kind?.toLowerCase()) {
    case "serviceproviderconfig":
      return { status: 200, body: serviceProviderConfig() };
    case "resourcetypes":
      return id ? one(resourceTypes().find((r) => r.id.toLowerCase() === id.toLowerCase())) : { status: 200, body: list(resourceTypes(), 1, 2) };
    case "schemas":
      return id ? one(schemas().find((s) => s.id === id)) : { status: 200, body: list(schemas(), 1, 3) };
    case "users":
      return users(method, id, req, deps);
    case "groups":
      return groups(method, id, req, deps);
    default:
      throw new ScimError(404, "No such endpoint.");
  }
}

function one(x: unknown): ScimResponse {
  if (!x) throw new ScimError(404, "No such resource.");
  return { status: 200, body: x };
}

function list(resources: unknown[], start: number, total: number) {
  return { schemas: [SCIM_LIST], totalResults: total, startIndex: start, itemsPerPage: resources.length, Resources: resources };
}

async function loadUser(deps: ScimDeps, id: string | undefined): Promise<UserRow> {
  if (!id || !UUID.test(id)) throw new ScimError(404, `User ${id ?? ""} not found.`);
  const [u] = await deps.em.execute<UserRow[]>(`select * from directory_users where id = ? and organization_id = ? and source = 'scim'`, [id, deps.organizationId]);
  if (!u) throw new ScimError(404, `User ${id} not found.`);
  return u;
}

async function groupsOfUser(deps: ScimDeps, id: string) {
  return deps.em.execute<{ id: string; display_name: string }[]>(
    `select g.id, g.display_name from directory_group_members m join directory_groups g on g.id = m.group_id where m.user_id = ? order by g.display_name`,
    [id],
  );
}

async function saveUser(deps: ScimDeps, id: string | null, f: UserFields): Promise<UserRow> {
  const params = [f.externalId, f.userName, f.userName.toLowerCase(), f.email, f.givenName, f.familyName, f.displayName, f.active, JSON.stringify(f.extra)];
  if (id === null) {
    const [row] = await deps.em.execute<UserRow[]>(
      `insert into directory_users (id, organization_id, source, external_id, user_name, user_name_key, email, given_name, family_name, display_name, active, extra, created_at, updated_at)
       values (?, ?, 'scim', ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, now(), now()) returning *`,
      [randomUUID(), deps.organizationId, ...params],
    );
    return row!;
  }
  const [row] = await deps.em.execute<UserRow[]>(
    `update directory_users set external_id = ?, user_name = ?, user_name_key = ?, email = ?, given_name = ?, family_name = ?, display_name = ?, active = ?, extra = ?::jsonb, updated_at = now()
      where id = ? and organization_id = ? returning *`,
    [...params, id, deps.organizationId],
  );
  return row!;
}

async function users(method: string, id: string | undefined, req: ScimRequest, deps: ScimDeps): Promise<ScimResponse> {
  const { em, organizationId } = deps;
  if (!id) {
    if (method === "GET") {
      const params: unknown[] = [organizationId];
      const where = whereFor(req.query.filter, USER_FILTER_ATTRS, params);
      const { start, count } = paging(req.query);
      const rows = await em.execute<(UserRow & { total: string })[]>(
        `select *, count(*) over () as total from directory_users where organization_id = ? and source = 'scim' and ${where} order by created_at, id limit ? offset ?`,
        [...params, count, start - 1],
      );
      let total = Number(rows[0]?.total ?? 0);
      if (rows.length === 0) {
        const [c] = await em.execute<{ n: string }[]>(`select count(*) as n from directory_users where organization_id = ? and source = 'scim' and ${where}`, params);
        total = Number(c?.n ?? 0);
      }
      return { status: 200, body: list(rows.map((r) => userResource(r, null)), start, total) };
    }
    if (method === "POST") {
      const f = userFields(req.body);
      const [dup] = await em.execute(`select 1 from directory_users where organization_id = ? and source = 'scim' and user_name_key = ?`, [organizationId, f.userName.toLowerCase()]);
      if (dup) throw new ScimError(409, `A user with userName ${f.userName} already exists.`, "uniqueness");
      const row = await saveUser(deps, null, f);
      await deps.changed();
      const res = userResource(row, []);
      return { status: 201, body: res, headers: { location: `${req.baseUrl}/Users/${row.id}` } };
    }
    throw new ScimError(405, `${method} is not supported on /Users.`);
  }
  const u = await loadUser(deps, id);
  if (method === "GET") return { status: 200, body: userResource(u, await groupsOfUser(deps, u.id)) };
  if (method === "DELETE") {
    await em.execute(`delete from directory_users where id = ?`, [u.id]);
    await deps.changed();
    return { status: 204 };
  }
  let f: UserFields;
  if (method === "PUT") f = userFields(req.body);
  else if (method === "PATCH") {
    const ops = normaliseOps(req.body, USER_ATTRS);
    const current = { ...userResource(u, null), meta: { created: u.created_at, lastModified: u.updated_at } };
    const patched = applyPatch(current, ops) as unknown as Record<string, unknown>;
    const { id: _id, meta: _meta, schemas: _schemas, ...rest } = patched;
    f = userFields(rest);
  } else throw new ScimError(405, `${method} is not supported on a User.`);
  if (f.userName.toLowerCase() !== u.user_name.toLowerCase()) {
    const [dup] = await em.execute(`select 1 from directory_users where organization_id = ? and source = 'scim' and user_name_key = ? and id <> ?`, [organizationId, f.userName.toLowerCase(), u.id]);
    if (dup) throw new ScimError(409, `A user with userName ${f.userName} already exists.`, "uniqueness");
  }
  const row = await saveUser(deps, u.id, f);
  await deps.changed();
  return { status: 200, body: userResource(row, await groupsOfUser(deps, u.id)) };
}

// ---- Groups ----

interface GroupRow {
  id: string;
  external_id: string | null;
  display_name: string;
  created_at: Date;
  updated_at: Date;
}

function groupResource(g: GroupRow, members: { id: string; user_name: string }[] | null) {
  return {
    schemas: [GROUP_SCHEMA],
    id: g.id,
    ...(g.external_id !== null ? { externalId: g.external_id } : {}),
    displayName: g.display_name,
    ...(members ? { members: members.map((m) => ({ value: m.id, display: m.user_name, $ref: `/scim/v2/Users/${m.id}` })) } : {}),
    meta: { resourceType: "Group", created: new Date(g.created_at).toISOString(), lastModified: new Date(g.updated_at).toISOString(), location: `/scim/v2/Groups/${g.id}` },
  };
}

async function loadGroup(deps: ScimDeps, id: string | undefined): Promise<GroupRow> {
  if (!id || !UUID.test(id)) throw new ScimError(404, `Group ${id ?? ""} not found.`);
  const [g] = await deps.em.execute<GroupRow[]>(`select * from directory_groups where id = ? and organization_id = ? and source = 'scim'`, [id, deps.organizationId]);
  if (!g) throw new ScimError(404, `Group ${id} not found.`);
  return g;
}

async function membersOf(deps: ScimDeps, id: string) {
  return deps.em.execute<{ id: string; user_name: string }[]>(
    `select u.id, u.user_name from directory_group_members m join directory_users u on u.id = m.user_id where m.group_id = ? order by u.user_name`,
    [id],
  );
}

function groupFields(body: unknown): { displayName: string; externalId: string | null; members: string[] | undefined } {
  const b = obj(body);
  if (!b) throw new ScimError(400, "The request body must be a JSON object.", "invalidSyntax");
  const r: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(b)) {
    const c = canonicalAttr(k, GROUP_ATTRS);
    if (c) r[c] = v;
    else if (!k.startsWith("urn:")) throw new ScimError(400, `Unknown attribute "${k}".`, "invalidSyntax");
  }
  let members: string[] | undefined;
  if (r.members !== undefined && r.members !== null) {
    if (!Array.isArray(r.members)) throw new ScimError(400, "members must be a list.", "invalidValue");
    members = (r.members as unknown[]).map((m) => {
      const v = obj(m)?.value;
      if (typeof v !== "string") throw new ScimError(400, "Each member needs a value (a User id).", "invalidValue");
      return v;
    });
  }
  return { displayName: str(r.displayName, "displayName", 500, true)!, externalId: str(r.externalId, "externalId", 500), members };
}

async function setMembers(deps: ScimDeps, groupId: string, memberIds: string[]): Promise<void> {
  const ids = [...new Set(memberIds)];
  const bad = ids.filter((m) => !UUID.test(m));
  const found = ids.length
    ? await deps.em.execute<{ id: string }[]>(
        `select id from directory_users where organization_id = ? and source = 'scim' and id in (select jsonb_array_elements_text(?::jsonb)::uuid)`,
        [deps.organizationId, JSON.stringify(ids.filter((m) => UUID.test(m)))],
      )
    : [];
  if (bad.length || found.length !== ids.length - bad.length) {
    const known = new Set(found.map((f) => f.id));
    const missing = ids.filter((m) => !known.has(m));
    throw new ScimError(400, `No such user(s): ${missing.slice(0, 5).join(", ")}.`, "invalidValue");
  }
  await deps.em.execute(`delete from directory_group_members where group_id = ? and not (user_id::text in (select jsonb_array_elements_text(?::jsonb)))`, [groupId, JSON.stringify(ids)]);
  if (ids.length) {
    await deps.em.execute(
      `insert into directory_group_members (organization_id, group_id, user_id) select ?, ?, x::uuid from jsonb_array_elements_text(?::jsonb) as x on conflict do nothing`,
      [deps.organizationId, groupId, JSON.stringify(ids)],
    );
  }
}

async function groups(method: string, id: string | undefined, req: ScimRequest, deps: ScimDeps): Promise<ScimResponse> {
  const { em, organizationId } = deps;
  if (!id) {
    if (method === "GET") {
      const params: unknown[] = [organizationId];
      const where = whereFor(req.query.filter, GROUP_FILTER_ATTRS, params);
      const { start, count } = paging(req.query);
      const rows = await em.execute<(GroupRow & { total: string })[]>(
        `select g.*, count(*) over () as total from directory_groups g where g.organization_id = ? and g.source = 'scim' and ${where} order by g.created_at, g.id limit ? offset ?`,
        [...params, count, start - 1],
      );
      let total = Number(rows[0]?.total ?? 0);
      if (rows.length === 0) {
        const [c] = await em.execute<{ n: string }[]>(`select count(*) as n from directory_groups g where g.organization_id = ? and g.source = 'scim' and ${where}`, params);
        total = Number(c?.n ?? 0);
      }
      const withMembers = !excluded(req.query, "members");
      // Members of the whole page in one query.
      const byGroup = new Map<string, { id: string; user_name: string }[]>();
      if (withMembers && rows.length) {
        const ms = await em.execute<{ group_id: string; id: string; user_name: string }[]>(
          `select m.group_id, u.id, u.user_name from directory_group_members m join directory_users u on u.id = m.user_id
            where m.organization_id = ? and m.group_id in (select jsonb_array_elements_text(?::jsonb)::uuid) order by u.user_name`,
          [organizationId, JSON.stringify(rows.map((r) => r.id))],
        );
        for (const m of ms) {
          const list = byGroup.get(m.group_id);
          if (list) list.push({ id: m.id, user_name: m.user_name });
          else byGroup.set(m.group_id, [{ id: m.id, user_name: m.user_name }]);
        }
      }
      const out = rows.map((r) => groupResource(r, withMembers ? (byGroup.get(r.id) ?? []) : null));
      return { status: 200, body: list(out, start, total) };
    }
    if (method === "POST") {
      const f = groupFields(req.body);
      const [dup] = await em.execute(`select 1 from directory_groups where organization_id = ? and source = 'scim' and display_name = ?`, [organizationId, f.displayName]);
      if (dup) throw new ScimError(409, `A group named ${f.displayName} already exists.`, "uniqueness");
      const [g] = await em.execute<GroupRow[]>(
        `insert into directory_groups (id, organization_id, source, external_id, display_name, created_at, updated_at) values (?, ?, 'scim', ?, ?, now(), now()) returning *`,
        [randomUUID(), organizationId, f.externalId, f.displayName],
      );
      if (f.members?.length) await setMembers(deps, g!.id, f.members);
      await deps.changed();
      return { status: 201, body: groupResource(g!, await membersOf(deps, g!.id)), headers: { location: `${req.baseUrl}/Groups/${g!.id}` } };
    }
    throw new ScimError(405, `${method} is not supported on /Groups.`);
  }
  const g = await loadGroup(deps, id);
  if (method === "GET") return { status: 200, body: groupResource(g, excluded(req.query, "members") ? null : await membersOf(deps, g.id)) };
  if (method === "DELETE") {
    await em.execute(`delete from directory_groups where id = ?`, [g.id]);
    await deps.changed();
    return { status: 204 };
  }
  let f: ReturnType<typeof groupFields>;
  if (method === "PUT") f = groupFields(req.body);
  else if (method === "PATCH") {
    const ops = normaliseOps(req.body, GROUP_ATTRS);
    const current = { ...groupResource(g, await membersOf(deps, g.id)), meta: { created: g.created_at, lastModified: g.updated_at } };
    const patched = applyPatch(current, ops) as unknown as Record<string, unknown>;
    const { id: _id, meta: _meta, schemas: _schemas, ...rest } = patched;
    f = groupFields({ ...rest, members: rest.members ?? [] });
  } else throw new ScimError(405, `${method} is not supported on a Group.`);
  if (f.displayName !== g.display_name) {
    const [dup] = await em.execute(`select 1 from directory_groups where organization_id = ? and source = 'scim' and display_name = ? and id <> ?`, [organizationId, f.displayName, g.id]);
    if (dup) throw new ScimError(409, `A group named ${f.displayName} already exists.`, "uniqueness");
  }
  const [row] = await em.execute<GroupRow[]>(`update directory_groups set display_name = ?, external_id = ?, updated_at = now() where id = ? returning *`, [f.displayName, f.externalId, g.id]);
  if (f.members !== undefined) await setMembers(deps, g.id, f.members);
  await deps.changed();
  // Okta and Entra accept 204 for PATCH; we return the resource (200), which both also accept.
  return { status: 200, body: groupResource(row!, excluded(req.query, "members") ? null : await membersOf(deps, g.id)) };
}

// ---- Discovery ----

function serviceProviderConfig() {
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
    documentationUri: "https://lattice.invalid/docs/scim",
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: 1000 },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [{ type: "oauthbearertoken", name: "OAuth Bearer Token", description: "The organization's SCIM token, sent as Authorization: Bearer <token>.", primary: true }],
    meta: { resourceType: "ServiceProviderConfig", location: "/scim/v2/ServiceProviderConfig" },
  };
}

function resourceTypes() {
  return [
    { schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], id: "User", name: "User", endpoint: "/Users", schema: USER_SCHEMA, schemaExtensions: [{ schema: ENTERPRISE_SCHEMA, required: false }], meta: { resourceType: "ResourceType", location: "/scim/v2/ResourceTypes/User" } },
    { schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], id: "Group", name: "Group", endpoint: "/Groups", schema: GROUP_SCHEMA, meta: { resourceType: "ResourceType", location: "/scim/v2/ResourceTypes/Group" } },
  ];
}

function attr(name: string, type = "string", extra: Record<string, unknown> = {}) {
  return { name, type, multiValued: false, required: false, caseExact: false, mutability: "readWrite", returned: "default", uniqueness: "none", ...extra };
}

function schemas() {
  return [
    {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
      id: USER_SCHEMA,
      name: "User",
      attributes: [
        attr("userName", "string", { required: true, uniqueness: "server" }),
        attr("externalId"),
        attr("name", "complex", { subAttributes: [attr("givenName"), attr("familyName"), attr("formatted")] }),
        attr("displayName"),
        attr("active", "boolean"),
        attr("emails", "complex", { multiValued: true, subAttributes: [attr("value"), attr("type"), attr("primary", "boolean")] }),
        attr("groups", "complex", { multiValued: true, mutability: "readOnly" }),
      ],
      meta: { resourceType: "Schema", location: `/scim/v2/Schemas/${USER_SCHEMA}` },
    },
    {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
      id: GROUP_SCHEMA,
      name: "Group",
      attributes: [attr("displayName", "string", { required: true }), attr("externalId"), attr("members", "complex", { multiValued: true, subAttributes: [attr("value"), attr("display")] })],
      meta: { resourceType: "Schema", location: `/scim/v2/Schemas/${GROUP_SCHEMA}` },
    },
    {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
      id: ENTERPRISE_SCHEMA,
      name: "EnterpriseUser",
      attributes: [attr("employeeNumber"), attr("department"), attr("organization"), attr("manager", "complex")],
      meta: { resourceType: "Schema", location: `/scim/v2/Schemas/${ENTERPRISE_SCHEMA}` },
    },
  ];
}
