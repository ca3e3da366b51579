// Directory sync settings of an organization: the SCIM token (stored as SHA-256), group
// mappings, the "directory is authoritative" switches, the deprovisioning guard, and the LDAP
// connection (its bind password encrypted with AES-256-GCM under a key derived from
// LATTICE_SECRET_KEY). Also what an authoritative directory manages, as SQL predicates, and the
// checks that refuse manual changes to it.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import { randomToken, sha256 } from "../../auth/crypto.js";
import { DirectorySettings, type DirectoryMappings, type IDirectorySettings } from "../../db/entities.js";
import { DomainError } from "../../errors.js";

export const EMPTY_MAPPINGS: DirectoryMappings = { roles: [], workspaces: [], projects: [] };

/** SCIM tokens look like `scim_<43 chars>`. */
export const SCIM_TOKEN_PREFIX = "scim_";

export interface SettingsRow {
  organization_id: number;
  scim_token_hash: string | null;
  scim_token_created_at: Date | null;
  mappings: DirectoryMappings;
  authoritative_roles: boolean;
  authoritative_workspaces: boolean;
  authoritative_projects: boolean;
  guard_threshold: number;
  ldap: IDirectorySettings["ldap"];
  ldap_bind_password_enc: string | null;
  ldap_last_run_at: Date | null;
}

/** The organization's settings row, or defaults when none was saved yet (one query). */
export async function readSettings(em: EntityManager, organizationId: number): Promise<SettingsRow> {
  const [row] = await em.execute<SettingsRow[]>(`select * from directory_settings where organization_id = ?`, [organizationId]);
  return (
    row ?? {
      organization_id: organizationId,
      scim_token_hash: null,
      scim_token_created_at: null,
      mappings: EMPTY_MAPPINGS,
      authoritative_roles: false,
      authoritative_workspaces: false,
      authoritative_projects: false,
      guard_threshold: 0.1,
      ldap: null,
      ldap_bind_password_enc: null,
      ldap_last_run_at: null,
    }
  );
}

/**
 * The schedule counts its interval from the last LDAP sync queued that may write (not a dry
 * run): an administrator's sync, or an approval, restarts it.
 */
export async function recordLdapRun(em: EntityManager, organizationId: number): Promise<void> {
  await em.execute(`update directory_settings set ldap_last_run_at = now() where organization_id = ?`, [organizationId]);
}

/** Make sure the row exists (so it can be updated and locked). */
export async function ensureSettingsRow(em: EntityManager, organizationId: number): Promise<void> {
  await em.execute(
    `insert into directory_settings (organization_id, mappings, updated_at) values (?, ?::jsonb, now()) on conflict (organization_id) do nothing`,
    [organizationId, JSON.stringify(EMPTY_MAPPINGS)],
  );
}

/** A new SCIM bearer token for the organization (the old one stops working). Returns it once. */
export async function rotateScimToken(em: EntityManager, organizationId: number): Promise<string> {
  await ensureSettingsRow(em, organizationId);
  const token = `${SCIM_TOKEN_PREFIX}${randomToken(32)}`;
  await em.execute(`update directory_settings set scim_token_hash = ?, scim_token_created_at = now(), updated_at = now() where organization_id = ?`, [
    sha256(token),
    organizationId,
  ]);
  return token;
}

/** The organization a SCIM bearer token belongs to, or null. */
export async function organizationForScimToken(em: EntityManager, token: string): Promise<number | null> {
  if (!token.startsWith(SCIM_TOKEN_PREFIX) || token.length > 200) return null;
  const [row] = await em.execute<{ organization_id: number }[]>(`select organization_id from directory_settings where scim_token_hash = ?`, [sha256(token)]);
  return row?.organization_id ?? null;
}

// ---- The LDAP bind password, encrypted at rest ----

function keyFrom(secret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "lattice", "ldap-bind-password", 32));
}

export function encryptSecret(secret: string | undefined, plaintext: string): string {
  if (!secret) throw new DomainError("RULE_REFUSED", "LATTICE_SECRET_KEY is not set: the LDAP bind password cannot be stored.", { field: "bind_password" });
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFrom(secret), iv);
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), data.toString("base64url")].join(".");
}

export function decryptSecret(secret: string | undefined, stored: string): string {
  if (!secret) throw new Error("LATTICE_SECRET_KEY is not set: the LDAP bind password cannot be read.");
  const [v, iv, tag, data] = stored.split(".");
  if (v !== "v1" || !iv || !tag || data === undefined) throw new Error("The stored LDAP bind password is not readable.");
  const decipher = createDecipheriv("aes-256-gcm", keyFrom(secret), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  try {
    return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new Error("The stored LDAP bind password cannot be decrypted with this LATTICE_SECRET_KEY (was the key changed?).");
  }
}

// ---- What the directory manages ----
//
// One SQL predicate for each thing an authoritative directory manages. The flags on members,
// workspaces and projects (`managed_by_directory`, `members_managed_by_directory`) select them,
// and the checks below refuse a change exactly when they hold, so the two cannot disagree.
// Each is an EXISTS on the organization's settings row (found by its primary key), correlated
// with the row under `alias`; an organization without a row manages nothing.

/** Whether the membership under `alias` (a `memberships` row) is managed by an authoritative directory. */
export function roleDirectoryManagedSql(alias: string): string {
  return `(${alias}.source <> 'manual' and exists (select 1 from directory_settings dir_s where dir_s.organization_id = ${alias}.organization_id and dir_s.authoritative_roles))`;
}

/** Whether the members of the workspace under `alias` are managed: a group maps it and the directory is authoritative for workspaces. */
export function workspaceMembersDirectoryManagedSql(alias: string): string {
  return `exists (select 1 from directory_settings dir_s where dir_s.organization_id = ${alias}.organization_id and dir_s.authoritative_workspaces
            and dir_s.mappings->'workspaces' @> jsonb_build_array(jsonb_build_object('workspace', ${alias}.id)))`;
}

/** Whether the members of the project under `alias` are managed: a group maps it and the directory is authoritative for projects. */
export function projectMembersDirectoryManagedSql(alias: string): string {
  return `exists (select 1 from directory_settings dir_s where dir_s.organization_id = ${alias}.organization_id and dir_s.authoritative_projects
            and dir_s.mappings->'projects' @> jsonb_build_array(jsonb_build_object('project', ${alias}.id)))`;
}

// ---- Refusing manual changes to what the directory manages ----

/** Refuse a manual role change or removal of a membership that an authoritative directory manages. */
export async function assertRoleNotDirectoryManaged(em: EntityManager, organizationId: number, membership: { id: number }): Promise<void> {
  const [row] = await em.execute<{ source: string; managed: boolean }[]>(
    `select m.source, ${roleDirectoryManagedSql("m")} as managed from memberships m where m.id = ? and m.organization_id = ?`,
    [membership.id, organizationId],
  );
  if (row?.managed) {
    throw new DomainError(
      "RULE_REFUSED",
      `This membership is managed by the directory (${row.source.toUpperCase()}) and the directory is authoritative for roles: change it in the identity provider, or turn that switch off in the directory settings.`,
      { field: "user_id" },
    );
  }
}

/** Refuse a manual change to the members of a workspace that an authoritative directory maps. */
export async function assertWorkspaceNotDirectoryManaged(em: EntityManager, organizationId: number, workspaceId: number): Promise<void> {
  const [row] = await em.execute<{ managed: boolean }[]>(
    `select ${workspaceMembersDirectoryManagedSql("w")} as managed from workspaces w where w.id = ? and w.organization_id = ?`,
    [workspaceId, organizationId],
  );
  if (row?.managed) {
    throw new DomainError(
      "RULE_REFUSED",
      "This workspace's members are managed by the directory (a group is mapped to it and the directory is authoritative for workspaces): change the group in the identity provider, or turn that switch off in the directory settings.",
    );
  }
}

/** Refuse a manual change to the members of a project that an authoritative directory maps. */
export async function assertProjectNotDirectoryManaged(em: EntityManager, organizationId: number, projectId: number): Promise<void> {
  const [row] = await em.execute<{ managed: boolean }[]>(
    `select ${projectMembersDirectoryManagedSql("p")} as managed from projects p where p.id = ? and p.organization_id = ?`,
    [projectId, organizationId],
  );
  if (row?.managed) {
    throw new DomainError(
      "RULE_REFUSED",
      "This project's members are managed by the directory (a group is mapped to it and the directory is authoritative for projects): change the group in the identity provider, or turn that switch off in the directory settings.",
    );
  }
}

export { DirectorySettings };
