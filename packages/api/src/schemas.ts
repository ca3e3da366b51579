// Shared input and output schemas. REST field names are snake_case (API.md), and the same
// procedures serve tRPC, so these shapes are used on both faces.
import { MEMBERSHIP_STATUSES, ROLE_CODES } from "@lattice/policy";
import { z } from "zod";

const MAX_INT = 2_147_483_647;

/** A database id from a path or query string ("12") or JSON (12). */
export const idSchema = z.coerce.number().int().min(1).max(MAX_INT);
/** An organization id; `0` is the caller's active organization. */
export const orgIdSchema = z.coerce.number().int().min(0).max(MAX_INT);

export const emailSchema = z.string().trim().max(254).pipe(z.email());
export const passwordSchema = z.string().min(8, "must be at least 8 characters").max(256);
export const titleSchema = z.string().trim().min(1).max(200);

/** `AN,RE` (query string) or `["AN","RE"]` (JSON) → role codes. */
export const roleCodesSchema = z.preprocess(
  (v) => (typeof v === "string" ? v.split(",").map((s) => s.trim()).filter(Boolean) : v),
  z.array(z.enum(ROLE_CODES)).max(ROLE_CODES.length),
);
/** `active,pending` or an array → statuses. */
export const statusesSchema = z.preprocess(
  (v) => (typeof v === "string" ? v.split(",").map((s) => s.trim()).filter(Boolean) : v),
  z.array(z.enum(MEMBERSHIP_STATUSES)).max(MEMBERSHIP_STATUSES.length),
);

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
  organizations: z.array(organizationSummarySchema),
});

export const memberSchema = z.object({
  id: z.number(),
  user: z.object({ id: z.number(), email: z.string(), name: z.string() }),
  role: z.enum(ROLE_CODES),
  status: z.enum(MEMBERSHIP_STATUSES),
  source: z.string(),
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
