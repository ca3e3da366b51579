// Entities of the organization core, defined with defineEntity (no decorators, so the
// same code runs under tsc, tsx and vite). Every table that belongs to an organization
// carries organization_id (see ARCHITECTURE.md, "Scaling out").
import { defineEntity, p, type EntitySchema, type InferEntity } from "@mikro-orm/core";

import { MEMBERSHIP_STATUSES, ROLES } from "@lattice/policy";

export const MEMBERSHIP_SOURCES = ["manual", "scim", "ldap"] as const;
/** The sources a directory sync can be: SCIM push or LDAP pull. */
export const DIRECTORY_SOURCES = ["scim", "ldap"] as const;
export type DirectorySource = (typeof DIRECTORY_SOURCES)[number];
/** Roles a group mapping can give inside a project. */
export const PROJECT_ROLES = ["annotator", "reviewer"] as const;

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

/** A member added to a (non-sandbox) workspace. */
export const WorkspaceMember = defineEntity({
  name: "WorkspaceMember",
  tableName: "workspace_members",
  uniques: [{ properties: ["workspace", "user"] }],
  indexes: [{ properties: ["organization", "user"] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    organization: () => p.manyToOne(Organization).deleteRule("cascade"),
    workspace: () => p.manyToOne(Workspace).deleteRule("cascade"),
    user: () => p.manyToOne(User).deleteRule("cascade"),
    source: p.enum([...MEMBERSHIP_SOURCES]).default("manual"),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type IWorkspaceMember = InferEntity<typeof WorkspaceMember>;

/** Per-project settings (label configuration aside). */
export interface ProjectSettings {
  /** Table 3: annotators may view their own data when the project allows it. */
  annotators_may_view_own_data: boolean;
  /** Annotators label only tasks assigned to them. */
  labeling_restricted_to_assigned: boolean;
}

export const Project = defineEntity({
  name: "Project",
  tableName: "projects",
  indexes: [
    // The project list for those who see the whole organization: pinned first, newest next.
    {
      name: "projects_list_order",
      expression: 'create index "projects_list_order" on "projects" ("organization_id", "pinned_at" desc nulls last, "id" desc)',
    },
    { properties: ["organization", "workspace"] },
    { properties: ["organization", "createdBy"] },
  ],
  properties: {
    id: p.integer().primary().autoincrement(),
    organization: () => p.manyToOne(Organization).deleteRule("cascade"),
    workspace: () => p.manyToOne(Workspace).deleteRule("restrict"),
    title: p.string().length(50),
    description: p.text().default(""),
    labelConfig: p.text().default(""),
    settings: p.json<ProjectSettings>(),
    createdBy: () => p.manyToOne(User).nullable().deleteRule("set null"),
    /** The pin is the project's: everyone who sees the project sees it pinned. */
    pinnedAt: p.datetime().nullable(),
    pinnedBy: () => p.manyToOne(User).nullable().deleteRule("set null"),
    taskCount: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type IProject = InferEntity<typeof Project>;

/**
 * A user's membership of a project: added directly (`direct`) and/or through a task
 * assignment (`assigned`); the access review reports which.
 */
export const ProjectMember = defineEntity({
  name: "ProjectMember",
  tableName: "project_members",
  uniques: [{ properties: ["project", "user"] }],
  indexes: [{ properties: ["organization", "user"] }],
  checks: [{ name: "project_members_has_reason", expression: "direct or assigned" }],
  properties: {
    id: p.integer().primary().autoincrement(),
    organization: () => p.manyToOne(Organization).deleteRule("cascade"),
    project: () => p.manyToOne(Project).deleteRule("cascade"),
    user: () => p.manyToOne(User).deleteRule("cascade"),
    direct: p.boolean().default(true),
    assigned: p.boolean().default(false),
    source: p.enum([...MEMBERSHIP_SOURCES]).default("manual"),
    /** The project role a directory group mapping gives (annotator/reviewer); null for manual members. */
    role: p.enum([...PROJECT_ROLES]).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type IProjectMember = InferEntity<typeof ProjectMember>;

/** A named label configuration and settings, saved from a project, to create projects from. */
export const ProjectTemplate = defineEntity({
  name: "ProjectTemplate",
  tableName: "project_templates",
  uniques: [{ properties: ["organization", "title"] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    organization: () => p.manyToOne(Organization).deleteRule("cascade"),
    title: p.string().length(100),
    description: p.text().default(""),
    labelConfig: p.text().default(""),
    settings: p.json<ProjectSettings>(),
    createdBy: () => p.manyToOne(User).nullable().deleteRule("set null"),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type IProjectTemplate = InferEntity<typeof ProjectTemplate>;

/** A unit of data to label; `data` is the imported JSON object. */
export const Task = defineEntity({
  name: "Task",
  tableName: "tasks",
  indexes: [{ properties: ["project", "id"] }, { properties: ["organization"] }],
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    organization: () => p.manyToOne(Organization).deleteRule("cascade"),
    project: () => p.manyToOne(Project).deleteRule("cascade"),
    data: p.json<Record<string, unknown>>(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type ITask = InferEntity<typeof Task>;

export const REVIEW_STATES = ["pending", "accepted", "rejected"] as const;

/** One person's (or an import's) result for a task; reviewers accept or reject it. */
export const Annotation = defineEntity({
  name: "Annotation",
  tableName: "annotations",
  indexes: [
    { properties: ["project", "task"] },
    { properties: ["task", "completedBy"] },
    { properties: ["organization", "completedBy", "createdAt"] },
  ],
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    organization: () => p.manyToOne(Organization).deleteRule("cascade"),
    project: () => p.manyToOne(Project).deleteRule("cascade"),
    task: () => p.manyToOne(Task).deleteRule("cascade"),
    completedBy: () => p.manyToOne(User).nullable().deleteRule("set null"),
    result: p.json<unknown>(),
    groundTruth: p.boolean().default(false),
    reviewState: p.enum([...REVIEW_STATES]).default("pending"),
    reviewedBy: () => p.manyToOne(User).nullable().deleteRule("set null"),
    reviewComment: p.text().nullable(),
    reviewedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type IAnnotation = InferEntity<typeof Annotation>;

export const ASSIGNMENT_KINDS = ["annotate", "review"] as const;

/** A task given to a person to annotate or to review; it makes them a project member. */
export const TaskAssignment = defineEntity({
  name: "TaskAssignment",
  tableName: "task_assignments",
  uniques: [{ properties: ["task", "user", "kind"] }],
  indexes: [{ properties: ["organization", "user"] }, { properties: ["project", "user"] }],
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    organization: () => p.manyToOne(Organization).deleteRule("cascade"),
    project: () => p.manyToOne(Project).deleteRule("cascade"),
    task: () => p.manyToOne(Task).deleteRule("cascade"),
    user: () => p.manyToOne(User).deleteRule("cascade"),
    kind: p.enum([...ASSIGNMENT_KINDS]),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type ITaskAssignment = InferEntity<typeof TaskAssignment>;

export const JOB_STATUSES = ["queued", "running", "succeeded", "failed"] as const;

/**
 * A background job as users see it (the queue itself is pg-boss). Its id is the
 * idempotency key: a retried job finds its earlier result here and does not run twice.
 */
export const Job = defineEntity({
  name: "Job",
  tableName: "jobs",
  indexes: [
    { properties: ["organization", "createdAt"] },
    // The worker's sweep for dead attempts (every few seconds) reads only unfinished jobs.
    {
      name: "jobs_unfinished_kind",
      expression: 'create index "jobs_unfinished_kind" on "jobs" ("kind") where "status" in (\'queued\', \'running\')',
    },
  ],
  properties: {
    id: p.uuid().primary(),
    organization: () => p.manyToOne(Organization).deleteRule("cascade"),
    requestedBy: () => p.manyToOne(User).nullable().deleteRule("set null"),
    kind: p.string().length(50),
    status: p.enum([...JOB_STATUSES]).default("queued"),
    /** 0..1 */
    progress: p.double().default(0),
    /** Steps done so far with their row counts, e.g. `[{ step: "tasks", rows: 100000 }]`. */
    steps: p.json<{ step: string; rows: number; at: string }[]>(),
    params: p.json<Record<string, unknown>>(),
    resultProjectId: p.integer().nullable(),
    error: p.text().nullable(),
    attempts: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
    startedAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
  },
});
export type IJob = InferEntity<typeof Job>;

// ---- Directory sync (SCIM push, LDAP pull): see services/directory ----

export interface DirectoryMappings {
  roles: { group: string; role: "administrator" | "manager" | "reviewer" | "annotator" }[];
  workspaces: { group: string; workspace: number }[];
  projects: { group: string; project: number; role: "annotator" | "reviewer" }[];
}

export interface LdapSettings {
  url: string;
  starttls: boolean;
  bind_dn: string;
  user_base: string;
  user_filter: string;
  group_base: string;
  group_filter: string;
  attr_id: string;
  attr_email: string;
  attr_name: string;
  /** `member` (DNs of users) or `memberUid` (uids, matched against `attr_uid`). */
  membership_attr: "member" | "memberUid";
  attr_uid: string;
  page_size: number;
  /** Minutes between scheduled syncs; 0 = on demand only. */
  schedule_minutes: number;
}

/** One row per organization that configured directory sync. */
export const DirectorySettings = defineEntity({
  name: "DirectorySettings",
  tableName: "directory_settings",
  properties: {
    organization: () => p.oneToOne(Organization).owner().primary().deleteRule("cascade"),
    /** SHA-256 of the SCIM bearer token; the token is shown once. */
    scimTokenHash: p.string().length(64).nullable().unique(),
    scimTokenCreatedAt: p.datetime().nullable(),
    mappings: p.json<DirectoryMappings>(),
    authoritativeRoles: p.boolean().default(false),
    authoritativeWorkspaces: p.boolean().default(false),
    authoritativeProjects: p.boolean().default(false),
    /** Share (0..1, checked by the API) of directory-managed members a run may deactivate without approval. */
    guardThreshold: p.double().default(0.1),
    ldap: p.json<LdapSettings>().nullable(),
    /** AES-256-GCM under a key derived from LATTICE_SECRET_KEY: `iv.tag.ciphertext`, base64url. */
    ldapBindPasswordEnc: p.text().nullable().hidden(),
    ldapLastRunAt: p.datetime().nullable(),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type IDirectorySettings = InferEntity<typeof DirectorySettings>;

/** A user exactly as the directory last described it. `id` is the SCIM resource id. */
export const DirectoryUser = defineEntity({
  name: "DirectoryUser",
  tableName: "directory_users",
  uniques: [{ properties: ["organization", "source", "userNameKey"] }],
  indexes: [{ properties: ["organization", "source", "externalId"] }],
  properties: {
    id: p.uuid().primary(),
    organization: () => p.manyToOne(Organization).deleteRule("cascade"),
    source: p.enum([...DIRECTORY_SOURCES]),
    externalId: p.string().length(500).nullable(),
    userName: p.string().length(500),
    /** lower(userName): SCIM userName is case-insensitive. */
    userNameKey: p.string().length(500),
    /** Lower-cased; links the directory user to a Lattice user. */
    email: p.string().length(254),
    givenName: p.string().length(200).default(""),
    familyName: p.string().length(200).default(""),
    displayName: p.string().length(400).default(""),
    active: p.boolean().default(true),
    /** LDAP: the entry's DN (lower-cased) and uid, to resolve `member` / `memberUid`. */
    dn: p.string().length(1000).nullable(),
    /** Extra SCIM attributes kept for GET (title, phoneNumbers, enterprise extension …). */
    extra: p.json<Record<string, unknown>>().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()),
  },
});
export type IDirectoryUser = InferEntity<typeof DirectoryUser>;

export const DirectoryGroup = defineEntity({
  name: "DirectoryGroup",
  tableName: "directory_groups",
  uniques: [{ properties: ["organization", "source", "displayName"] }],
  properties: {
    id: p.uuid().primary(),
    organization: () => p.manyToOne(Organization).deleteRule("cascade"),
    source: p.enum([...DIRECTORY_SOURCES]),
    externalId: p.string().length(500).nullable(),
    displayName: p.string().length(500),
    dn: p.string().length(1000).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()),
  },
});
export type IDirectoryGroup = InferEntity<typeof DirectoryGroup>;

export const DirectoryGroupMember = defineEntity({
  name: "DirectoryGroupMember",
  tableName: "directory_group_members",
  indexes: [{ properties: ["organization", "user"] }],
  properties: {
    organization: () => p.manyToOne(Organization).deleteRule("cascade"),
    group: () => p.manyToOne(DirectoryGroup).primary().deleteRule("cascade"),
    user: () => p.manyToOne(DirectoryUser).primary().deleteRule("cascade"),
  },
});

export const SYNC_RUN_STATUSES = ["running", "planned", "applied", "needs_approval", "approved", "failed"] as const;

/** Every sync (dry or not) with its counts and plan. */
export const SyncRun = defineEntity({
  name: "SyncRun",
  tableName: "sync_runs",
  indexes: [{ properties: ["organization", "createdAt"] }],
  properties: {
    id: p.uuid().primary(),
    organization: () => p.manyToOne(Organization).deleteRule("cascade"),
    source: p.enum([...DIRECTORY_SOURCES]),
    trigger: p.string().length(20),
    dryRun: p.boolean().default(false),
    status: p.enum([...SYNC_RUN_STATUSES]).default("running"),
    counts: p.json<Record<string, number>>().nullable(),
    plan: p.json<unknown>().nullable(),
    error: p.text().nullable(),
    requestedBy: () => p.manyToOne(User).nullable().deleteRule("set null"),
    approvedBy: () => p.manyToOne(User).nullable().deleteRule("set null"),
    approvedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    finishedAt: p.datetime().nullable(),
  },
});
export type ISyncRun = InferEntity<typeof SyncRun>;

/** Every entity (typed loosely: the inferred union is too large for declaration output). */
export const entities: EntitySchema[] = [
  User,
  Organization,
  Membership,
  Session,
  ApiToken,
  LoginThrottle,
  ActivityLog,
  Workspace,
  WorkspaceMember,
  Project,
  ProjectMember,
  ProjectTemplate,
  Task,
  Annotation,
  TaskAssignment,
  Job,
  DirectorySettings,
  DirectoryUser,
  DirectoryGroup,
  DirectoryGroupMember,
  SyncRun,
];
