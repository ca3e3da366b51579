import { z } from "zod";
import { JOB_STATUSES } from "../db/entities.js";
import { getJob } from "../services/jobs.js";
import { orgProcedure } from "../trpc.js";

export const jobSchema = z.object({
  id: z.string(),
  kind: z.string(),
  status: z.enum(JOB_STATUSES),
  /** 0..1 */
  progress: z.number(),
  /** The new project, once the job succeeded. */
  project_id: z.number().optional(),
  /** Why the last attempt failed (or why the job failed for good). */
  error: z.string().optional(),
  steps: z.array(z.object({ step: z.string(), rows: z.number(), at: z.string() })),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
});

export const jobRouter = {
  get: orgProcedure
    .meta({ action: "job.read", openapi: { method: "GET", path: "/jobs/{id}", tags: ["jobs"], summary: "A background job you started: status, progress, result" } })
    .input(z.object({ id: z.uuid("must be a job id (a UUID)") }))
    .output(jobSchema)
    .query(({ ctx, input }) => getJob(ctx, input.id)),
};
