// Shared input and output schemas. REST field names are snake_case (API.md), and the same
// procedures serve tRPC, so these shapes are used on both faces.
import { EDITIONS, MEMBERSHIP_STATUSES, ROLE_CODES, type ProjectFacts } from "@lattice/policy";
import { z } from "zod";

const MAX_INT = 2_147_483_647;

/**
 * A whole number from a path or query string ("12") or JSON (12). Only digit strings are
 * read as numbers: `true`, `""`, `[5]` or `"1e3"` are refused with a message naming the
 * field, where `z.coerce` would guess (`true` → 1, `""` → 0). Being a pipe, it is also
 * left alone by trpc-to-openapi, which otherwise switches `coerce` on for every number of
 * a REST procedure's input, JSON bodies included (and so for tRPC too, the schemas being
 * shared).
 */
export function wholeNumber(min: number, max: number) {
  return z.preprocess(
    (v) => (typeof v === "string" && /^\s*\d{1,16}\s*$/.test(v) ? Number(v) : v),
    z.number().int().min(min).max(max),
  );
}

/** A database id from a path or query string ("12") or JSON (12). */
export const idSchema = wholeNumber(1, MAX_INT);
/** An organization id; `0` is the caller's active organization. */
export const orgIdSchema = wholeNumber(0, MAX_INT);
/** `?page=` (1-based). */
export const pageSchema = wholeNumber(1, 1_000_000).default(1).meta({ description: "Page number, from 1 (default 1)." });
/** `?page_size=`, at most 100. */
export const pageSizeSchema = (defaultSize: number) =>
  wholeNumber(1, 100).default(defaultSize).meta({ description: `Results per page, 1 to 100 (default ${defaultSize}).` });

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Text that PostgreSQL can store: JSON strings may carry NUL (`\u0000`) and unpaired
 * surrogates (`\ud800`), which a text or jsonb column refuses (a 500 instead of a 400).
 */
export function isStorableText(s: string): boolean {
  return !s.includes("\u0000") && !LONE_SURROGATE.test(s);
}

/** A trimmed text field of `min`..`max` characters that the database can store. */
export function textSchema(max: number, min = 0) {
  const base = min > 0 ? z.string().trim().min(min).max(max) : z.string().trim().max(max);
  return base.refine(isStorableText, "must not contain NUL characters or unpaired surrogates");
}

/** Untrimmed text (label configurations, descriptions) that the database can store. */
export function storableString(max: number) {
  return z.string().max(max).refine(isStorableText, "must not contain NUL characters or unpaired surrogates");
}

/**
 * Any JSON value whose strings the database can store: jsonb refuses NUL and lone surrogates,
 * which JSON.stringify writes as `\u0000` / `\udxxx` escapes (a valid pair is written raw).
 */
export function isStorableJson(value: unknown): boolean {
  const text = JSON.stringify(value);
  // An escape only when preceded by an even number of backslashes (`\\u0000` is literal text).
  // Missing values are another rule's business ("Required").
  return text === undefined || !/(?<!\\)(?:\\\\)*\\(?:u0000|ud[89a-f][0-9a-f]{2})/i.test(text);
}

export const emailSchema = z.string().trim().max(254).pipe(z.email());
export const passwordSchema = z.string().min(8, "must be at least 8 characters").max(256);
export const titleSchema = textSchema(200, 1);

/** `a,b` (query string) → `["a","b"]`; arrays (JSON, or `?x=a&x=b`) pass through. */
function commaList(v: unknown): unknown {
  return typeof v === "string" ? v.split(",").map((s) => s.trim()).filter(Boolean) : v;
}

/** `AN,RE` (query string), `?role=AN&role=RE` or `["AN","RE"]` (JSON) → role codes. */
export const roleCodesSchema = z
  .preprocess(commaList, z.array(z.enum(ROLE_CODES)).max(ROLE_CODES.length))
  .meta({
    description: "Role codes, comma-separated: OW, AD, MA, RE, AN, NO (not activated), DI (deactivated).",
  });
/** `active,pending` or an array → statuses. */
export const statusesSchema = z
  .preprocess(commaList, z.array(z.enum(MEMBERSHIP_STATUSES)).max(MEMBERSHIP_STATUSES.length))
  .meta({ description: "Statuses, comma-separated: pending, active, deactivated." });

export const okSchema = z.object({ ok: z.literal(true) });

export const organizationSummarySchema = z.object({ id: z.number(), title: z.string(), created_at: z.string() });
export const organizationSchema = organizationSummarySchema.extend({
  seat_limit: z.number().nullable(),
  seats_used: z.number(),
});

export const currentUserSchema = z.object({
  id: z.number(),
  email: z.string(),
  name: z.string(),
  active_organization: z
    .object({ id: z.number(), title: z.string(), role: z.enum(ROLE_CODES), status: z.enum(MEMBERSHIP_STATUSES) })
    .nullable(),
  /** The organizations you belong to, with your role code and status in each (deactivated ones omitted). */
  organizations: z.array(organizationSummarySchema.extend({ role: z.enum(ROLE_CODES), status: z.enum(MEMBERSHIP_STATUSES) })),
  /** The instance's edition: which roles can be assigned (`assignableRoles` in the policy). */
  edition: z.enum(EDITIONS),
});

export const memberSchema = z.object({
  id: z.number(),
  user: z.object({ id: z.number(), email: z.string(), name: z.string() }),
  role: z.enum(ROLE_CODES),
  status: z.enum(MEMBERSHIP_STATUSES),
  source: z.string(),
  /** An authoritative directory manages the membership: its role cannot be changed, nor the member removed, by hand (422). */
  managed_by_directory: z.boolean(),
  created_at: z.string(),
});

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ count: z.number(), next: z.string().nullable(), previous: z.string().nullable(), results: z.array(item) });
}

export const inviteSchema = z.object({ invite_url: z.string(), token: z.string() });

export const apiTokenSchema = z.object({
  id: z.number(),
  name: z.string(),
  prefix: z.string(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
});

export const colorSchema = z.string().regex(/^#[0-9a-fA-F]{6}$/, "must be a colour like #1c7ed6");

export const workspaceSchema = z.object({
  id: z.number(),
  title: z.string(),
  color: z.string(),
  description: z.string(),
  is_sandbox: z.boolean(),
  created_by: z.number().nullable(),
  created_at: z.string(),
  project_count: z.number(),
  /** Whether you belong to the workspace (what a manager's rights there depend on). */
  is_member: z.boolean(),
  /** A group is mapped to the workspace and the directory is authoritative for workspaces: its members cannot be changed by hand (422). */
  members_managed_by_directory: z.boolean(),
});

export const personSchema = z.object({ id: z.number(), email: z.string(), name: z.string() });

export const projectSettingsSchema = z.object({
  annotators_may_view_own_data: z.boolean(),
  labeling_restricted_to_assigned: z.boolean(),
});

/** The policy's facts about a project relative to the caller: what can()/explain() take. */
export const projectFactsSchema = z
  .object({
    inSandbox: z.boolean(),
    ownSandbox: z.boolean(),
    workspaceMember: z.boolean(),
    createdByMe: z.boolean(),
    projectMember: z.boolean(),
    assigned: z.boolean(),
    annotatorsMayViewOwnData: z.boolean(),
  })
  .meta({ description: "What the permission rules know about this project relative to you (the policy package's ProjectFacts)." }) satisfies z.ZodType<ProjectFacts>;

export const projectSchema = z.object({
  id: z.number(),
  title: z.string(),
  description: z.string(),
  workspace: z.number(),
  workspace_title: z.string(),
  workspace_color: z.string(),
  pinned_at: z.string().nullable(),
  created_by: z.number().nullable(),
  created_at: z.string(),
  task_count: z.number(),
  /** Your facts about the project, as the server decides with them: the web asks can()/explain() with these. */
  facts: projectFactsSchema,
});

export const projectDetailSchema = projectSchema.extend({
  label_config: z.string(),
  settings: projectSettingsSchema,
  /** A group is mapped to the project and the directory is authoritative for projects: its members cannot be changed by hand (422). */
  members_managed_by_directory: z.boolean(),
});

export const templateSchema = z.object({
  id: z.number(),
  title: z.string(),
  description: z.string(),
  label_config: z.string(),
  settings: projectSettingsSchema,
  created_by: z.number().nullable(),
  created_at: z.string(),
});

export const projectTitleSchema = textSchema(50, 1);
export const labelConfigSchema = storableString(200_000);
export const descriptionSchema = storableString(5000);
