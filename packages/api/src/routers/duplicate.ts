// POST /api/projects/{id}/duplicate, merged into the `project` router (root.ts).
import { z } from "zod";
import { descriptionSchema, idSchema, isStorableText } from "../schemas.js";
import { DUPLICATE_MODES, DUPLICATE_TITLE_MAX, DUPLICATE_TITLE_MIN, requestDuplication } from "../services/duplication.js";
import { orgProcedure } from "../trpc.js";

const titleLength = `must be ${DUPLICATE_TITLE_MIN} to ${DUPLICATE_TITLE_MAX} characters`;

export const duplicateInputSchema = z
  .object({
    id: idSchema,
    mode: z.enum(DUPLICATE_MODES, { error: `must be one of ${DUPLICATE_MODES.map((m) => `"${m}"`).join(", ")}` }),
    title: z.string().trim().min(DUPLICATE_TITLE_MIN, titleLength).max(DUPLICATE_TITLE_MAX, titleLength).refine(isStorableText, "must not contain NUL characters or unpaired surrogates"),
    /** The destination workspace; your own sandbox when absent. */
    workspace: idSchema.optional(),
    /** The copy's description; the source's when absent. */
    description: descriptionSchema.optional(),
    /** Mark every copied annotation as ground truth. */
    ground_truth: z.boolean().optional(),
  })
  .refine((v) => !v.ground_truth || v.mode === "settings,data,annotations", {
    path: ["ground_truth"],
    message: `applies only to mode "settings,data,annotations"`,
  });

export const duplicateRouter = {
  duplicate: orgProcedure
    .meta({
      action: "project.duplicate",
      openapi: {
        method: "POST",
        path: "/projects/{id}/duplicate",
        tags: ["projects"],
        summary: "Duplicate a project in the background; follow it with GET /api/jobs/{job_id}",
      },
    })
    .input(duplicateInputSchema)
    .output(z.object({ job_id: z.string() }))
    .mutation(({ ctx, input }) => requestDuplication(ctx, input)),
};
