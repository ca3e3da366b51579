// Entities of the organization core, defined with defineEntity (no decorators, so the
// same code runs under tsc, tsx and vite). Every table that belongs to an organization
// carries organization_id (see ARCHITECTURE.md, "Scaling out").
import { defineEntity, p, type InferEntity } from "@mikro-orm/core";

export const ROLES = ["owner", "administrator", "manager", "reviewer", "annotator"] as const;
export const MEMBERSHIP_STATUSES = ["pending", "active", "deactivated"] as const;
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
    passwordHash: p.string().length(255).nullable().hidden().lazy(),
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
    /** SHA-256 of the current invitation token; null until one is issued. */
    inviteTokenHash: p.string().length(64).nullable().unique().hidden(),
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

export const entities = [User, Organization, Membership];
