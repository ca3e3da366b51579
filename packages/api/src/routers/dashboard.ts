import { DASHBOARD_SCOPES } from "@lattice/policy";
import { z } from "zod";
import { annotatorDashboard, dashboardSummary } from "../services/dashboards.js";
import { idSchema, personSchema, wholeNumber } from "../schemas.js";
import { orgProcedure } from "../trpc.js";

const countsSchema = z.object({ annotations: z.number(), accepted: z.number(), rejected: z.number(), pending: z.number() });
/** Share of identical-result annotation pairs (null: no pairs, or not the caller's to see). */
const agreementSchema = { agreement: z.number().nullable(), pairs: z.number().nullable() };

export const dashboardUserSchema = personSchema.extend({ id: z.number().nullable(), email: z.string().nullable(), deleted: z.boolean() });

export const dashboardRouter = {
  summary: orgProcedure
    .meta({
      action: "dashboard.view",
      openapi: { method: "GET", path: "/dashboards/summary", tags: ["dashboards"], summary: "What happens and when, at your role's scope" },
    })
    .input(
      z.object({
        scope: z.enum(DASHBOARD_SCOPES),
        id: idSchema.optional(),
        days: wholeNumber(1, 366).default(30).meta({ description: "Days (UTC, ending today) the per-day series covers, 1 to 366 (default 30)." }),
      }),
    )
    .output(
      countsSchema.extend({
        scope: z.enum(DASHBOARD_SCOPES),
        id: z.number().nullable(),
        projects: z.number(),
        tasks: z.number(),
        per_project: z.array(countsSchema.extend({ project: z.object({ id: z.number(), title: z.string() }), ...agreementSchema })),
        per_annotator: z.array(countsSchema.extend({ user: dashboardUserSchema, ...agreementSchema })),
        ...agreementSchema,
        days: z.number(),
        series: z
          .array(
            z.object({
              date: z.string().meta({ description: "The day (UTC), YYYY-MM-DD." }),
              tasks: z.number().meta({ description: "Tasks created that day." }),
              annotations: z.number().meta({ description: "Annotations submitted that day." }),
              accepted: z.number().meta({ description: "Annotations reviewed that day and now accepted." }),
              rejected: z.number().meta({ description: "Annotations reviewed that day and now rejected." }),
            }),
          )
          .meta({ description: "One entry per day of the period, oldest first; days without activity are zeros." }),
      }),
    )
    .query(({ ctx, input }) => dashboardSummary(ctx, input)),

  annotator: orgProcedure
    .meta({
      action: "annotatorDashboard.view",
      openapi: { method: "GET", path: "/dashboards/annotator", tags: ["dashboards"], summary: "Your own counts and acceptance rate over time" },
    })
    .input(z.object({ days: wholeNumber(1, 366).default(30) }))
    .output(
      countsSchema.extend({
        tasks_assigned: z.number(),
        acceptance_rate: z.number().nullable(),
        series: z.array(
          z.object({ date: z.string(), annotations: z.number(), accepted: z.number(), rejected: z.number(), acceptance_rate: z.number().nullable() }),
        ),
      }),
    )
    .query(({ ctx, input }) => annotatorDashboard(ctx, input)),
};
