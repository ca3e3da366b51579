// Entities of the organization core, defined with defineEntity (no decorators, so the
// same code runs under tsc, tsx and vite). Every table that belongs to an organization
// carries organization_id (see ARCHITECTURE.md, "Scaling out").
import { defineEntity, p, type InferEntity } from "@mikro-orm/core";

import { MEMBERSHIP_STATUSES, ROLES } from "@lattice/policy";

export const MEMBERSHIP_SOURCES = ["manual", "scim", "ldap"] as const;

export const User = defineEntity({
  name: "User",
  tableName: "users",
  properties: {
    id: p.integer().primary().autoincrement(),
    /** Stored lower-cased; unique across the instance. */
    email: p.string().length(254).unique(),
    name: p.string().length(200).default(""),
    /** argon2id hash; null for users created by a directory who have not set one. */
    passwordHash: p.string().length(255).nullable(),
    activeOrganization: () => p.manyToOne(Organization).nullable().deleteRule("set null"),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type IUser = InferEntity<typeof User>;

export const Organization = defineEntity({
  name: "Organization",
  tableName: "organizations",
  checks: [{ name: "organizations_seat_limit_positive", expression: "seat_limit is null or seat_limit >= 0" }],
  properties: {
    id: p.integer().primary().autoincrement(),
    title: p.string().length(200),
    createdBy: () => p.manyToOne(User).nullable().deleteRule("set null"),
    /** Active members allowed; null means no limit. */
    seatLimit: p.integer().nullable(),
    /**
     * The invitation token is HMAC(LATTICE_SECRET_KEY, id + nonce), so the link can be shown
     * again without storing it: the database holds the nonce and the token's SHA-256 only.
     */
    inviteNonce: p.string().length(64).nullable(),
    /** SHA-256 of the current invitation token, for lookup at sign-up; null until one is issued. */
    inviteTokenHash: p.string().length(64).nullable().unique(),
    inviteTokenCreatedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type IOrganization = InferEntity<typeof Organization>;

export const Membership = defineEntity({
  name: "Membership",
  tableName: "memberships",
  uniques: [
    { properties: ["organization", "user"] },
    // Exactly one owner per organization, enforced by the database: no interleaving of
    // requests can create a second one.
    {
      name: "memberships_one_owner_per_organization",
      expression:
        'create unique index "memberships_one_owner_per_organization" on "memberships" ("organization_id") where "role" = \'owner\'',
    },
  ],
  indexes: [{ properties: ["organization", "status", "role"] }, { properties: ["user"] }],
  checks: [
    { name: "memberships_active_has_role", expression: "status <> 'active' or role is not null" },
    { name: "memberships_pending_has_no_role", expression: "status <> 'pending' or role is null" },
    { name: "memberships_owner_is_active", expression: "role <> 'owner' or status = 'active'" },
  ],
  properties: {
    id: p.integer().primary().autoincrement(),
    organization: () => p.manyToOne(Organization).deleteRule("cascade"),
    user: () => p.manyToOne(User).deleteRule("cascade"),
    /** Null while the member is pending (no role assigned yet). */
    role: p.enum([...ROLES]).nullable(),
    status: p.enum([...MEMBERSHIP_STATUSES]).default("pending"),
    /** Who manages this membership: a person, or a directory (SCIM push, LDAP pull). */
    source: p.enum([...MEMBERSHIP_SOURCES]).default("manual"),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type IMembership = InferEntity<typeof Membership>;

/** A signed-in browser session. Only the SHA-256 of the cookie's random id is stored. */
export const Session = defineEntity({
  name: "Session",
  tableName: "sessions",
  indexes: [{ properties: ["user"] }, { properties: ["expiresAt"] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    user: () => p.manyToOne(User).deleteRule("cascade"),
    tokenHash: p.string().length(64).unique().hidden(),
    createdAt: p.datetime().onCreate(() => new Date()),
    lastSeenAt: p.datetime().onCreate(() => new Date()),
    expiresAt: p.datetime(),
    ip: p.string().length(64).default(""),
    userAgent: p.string().length(300).default(""),
  },
});
export type ISession = InferEntity<typeof Session>;

/** A personal API token of one member in one organization; only its SHA-256 is stored. */
export const ApiToken = defineEntity({
  name: "ApiToken",
  tableName: "api_tokens",
  indexes: [{ properties: ["organization", "user"] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    organization: () => p.manyToOne(Organization).deleteRule("cascade"),
    user: () => p.manyToOne(User).deleteRule("cascade"),
    name: p.string().length(100),
    /** The first characters of the token, to recognise it in a list. */
    prefix: p.string().length(16),
    tokenHash: p.string().length(64).unique().hidden(),
    createdAt: p.datetime().onCreate(() => new Date()),
    lastUsedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  },
});
export type IApiToken = InferEntity<typeof ApiToken>;

/** Fixed-window counters of failed logins per account and per address (shared by all servers). */
export const LoginThrottle = defineEntity({
  name: "LoginThrottle",
  tableName: "login_throttles",
  properties: {
    key: p.string().length(300).primary(),
    windowStart: p.datetime(),
    failures: p.integer().default(0),
  },
});

/** One row per state change, written in the same transaction as the change. */
export const ActivityLog = defineEntity({
  name: "ActivityLog",
  tableName: "activity_logs",
  indexes: [
    { properties: ["organization", "createdAt"] },
    { properties: ["organization", "actor", "createdAt"] },
  ],
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    organization: () => p.manyToOne(Organization).nullable().deleteRule("cascade"),
    actor: () => p.manyToOne(User).nullable().deleteRule("set null"),
    /** The policy action or operation, e.g. `member.changeRole`. */
    action: p.string().length(100),
    targetType: p.string().length(50),
    targetId: p.string().length(50).nullable(),
    /** Changed fields: `{ field: { before, after } }`; never secrets. */
    changes: p.json<Record<string, { before: unknown; after: unknown }>>().nullable(),
    method: p.string().length(10).default(""),
    path: p.string().length(500).default(""),
    ip: p.string().length(64).default(""),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type IActivityLog = InferEntity<typeof ActivityLog>;

/**
 * A workspace groups projects. Each member has one private sandbox workspace per
 * organization (`isSandbox`, `sandboxUser`), created with the membership.
 */
export const Workspace = defineEntity({
  name: "Workspace",
  tableName: "workspaces",
  uniques: [
    {
      name: "workspaces_one_sandbox_per_member",
      expression:
        'create unique index "workspaces_one_sandbox_per_member" on "workspaces" ("organization_id", "sandbox_user_id") where "is_sandbox"',
    },
  ],
  indexes: [{ properties: ["organization", "isSandbox"] }],
  checks: [{ name: "workspaces_sandbox_has_user", expression: "(is_sandbox and sandbox_user_id is not null) or (not is_sandbox and sandbox_user_id is null)" }],
  properties: {
    id: p.integer().primary().autoincrement(),
    organization: () => p.manyToOne(Organization).deleteRule("cascade"),
    title: p.string().length(100),
    color: p.string().length(20).default("#1c7ed6"),
    description: p.text().default(""),
    isSandbox: p.boolean().default(false),
    sandboxUser: () => p.manyToOne(User).nullable().deleteRule("cascade"),
    createdBy: () => p.manyToOne(User).nullable().deleteRule("set null"),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type IWorkspace = InferEntity<typeof Workspace>;

export const entities = [User, Organization, Membership, Session, ApiToken, LoginThrottle, ActivityLog, Workspace];
