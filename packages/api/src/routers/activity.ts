import { z } from "zod";
import { listActivity } from "../services/activity.js";
import { idSchema, pageOf, pageSchema, pageSizeSchema, textSchema } from "../schemas.js";
import { orgProcedure } from "../trpc.js";
import { dashboardUserSchema } from "./dashboard.js";

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** `2026-03-01` (a whole day, in UTC) or an ISO date-time. */
const dateParam = z
  .string()
  .trim()
  .refine((v) => (DATE_ONLY.test(v) || /^\d{4}-\d{2}-\d{2}T/.test(v)) && !Number.isNaN(Date.parse(DATE_ONLY.test(v) ? `${v}T00:00:00Z` : v)), {
    message: "must be a date (2026-03-01) or an ISO date-time (2026-03-01T12:00:00Z)",
  })
  .meta({ description: "A date (a whole day, UTC) or an ISO date-time." });

function startOf(v: string): Date {
  return new Date(DATE_ONLY.test(v) ? `${v}T00:00:00Z` : v);
}

/** The exclusive end: the day after a date (so the date is included), or the date-time itself. */
function endOf(v: string): Date {
  if (!DATE_ONLY.test(v)) return new Date(v);
  const d = new Date(`${v}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d;
}

export const activityLogSchema = z.object({
  id: z.number(),
  created_at: z.string(),
  /** Who did it; `null` for the system, a "deleted user" for someone no longer a member. */
  user: dashboardUserSchema.nullable(),
  action: z.string(),
  target_type: z.string(),
  target_id: z.string().nullable(),
  changes: z.record(z.string(), z.object({ before: z.unknown(), after: z.unknown() })).nullable(),
  method: z.string(),
  path: z.string(),
  ip: z.string(),
});

export const activityRouter = {
  list: orgProcedure
    .meta({
      action: "activityLog.view",
      openapi: { method: "GET", path: "/activity-logs", tags: ["activity"], summary: "The organization's activity log, newest first" },
    })
    .input(
      z.object({
        user: idSchema.optional(),
        project: idSchema.optional(),
        workspace: idSchema.optional(),
        method: z.string().trim().regex(/^[A-Za-z]{1,10}$/, "must be an HTTP method such as POST").optional(),
        start_date: dateParam.optional(),
        end_date: dateParam.optional(),
        search: textSchema(200).optional(),
        page: pageSchema,
        page_size: pageSizeSchema(20),
      }),
    )
    .output(pageOf(activityLogSchema))
    .query(({ ctx, input }) =>
      listActivity(ctx, {
        user: input.user,
        project: input.project,
        workspace: input.workspace,
        method: input.method,
        start: input.start_date ? startOf(input.start_date) : undefined,
        end: input.end_date ? endOf(input.end_date) : undefined,
        search: input.search || undefined,
        page: input.page,
        page_size: input.page_size,
      }),
    ),
};
