import { ASSIGNMENT_KINDS, REVIEW_STATES } from "../db/entities.js";
import { z } from "zod";
import { assignTasks, deleteTasks, listAnnotations, listTasks, reviewAnnotation, submitAnnotation } from "../services/tasks.js";
import { idSchema, isStorableJson, pageOf, pageSchema, pageSizeSchema, storableString } from "../schemas.js";
import { orgProcedure } from "../trpc.js";

const byId = z.object({ id: idSchema });

/** Any JSON value but `null`: an annotation's result (at most 1 MB of JSON). */
const resultSchema = z
  .unknown()
  .refine((v) => v !== undefined && v !== null, "Required: the annotation's result (any JSON value)")
  .refine((v) => (JSON.stringify(v)?.length ?? 0) <= 1_000_000, "must be at most 1 MB of JSON")
  .refine(isStorableJson, "must not contain NUL characters or unpaired surrogates")
  .meta({ description: "The annotation's result: any JSON value (for example the labeling interface's regions)." });

export const taskSchema = z.object({
  id: z.number(),
  data: z.record(z.string(), z.unknown()),
  created_at: z.string(),
  /** Annotations of the task (for those who see only their own data: their own). */
  annotation_count: z.number(),
  /** The caller's annotation of the task, if any. */
  my_annotation: z.number().nullable(),
  assigned_to_me: z.object({ annotate: z.boolean(), review: z.boolean() }),
});

export const annotationSchema = z.object({
  id: z.number(),
  task: z.number(),
  project: z.number(),
  completed_by: z.number().nullable(),
  result: z.unknown(),
  ground_truth: z.boolean(),
  review_state: z.enum(REVIEW_STATES),
  reviewed_by: z.number().nullable(),
  review_comment: z.string().nullable(),
  reviewed_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

const taskIdsSchema = z.array(idSchema).min(1).max(10_000);
/** On DELETE the ids come in the query string: `?task_ids=1,2,3` (or repeated). */
const taskIdsQuerySchema = z.preprocess(
  (v) => (typeof v === "string" ? v.split(",").map((s) => s.trim()).filter(Boolean) : v),
  taskIdsSchema,
);

export const taskRouter = {
  list: orgProcedure
    .meta({
      action: "data.view",
      openapi: { method: "GET", path: "/projects/{id}/tasks", tags: ["tasks"], summary: "A project's tasks (annotators: their own, where the project allows it)" },
    })
    .input(byId.extend({ page: pageSchema, page_size: pageSizeSchema(30) }))
    .output(pageOf(taskSchema))
    .query(({ ctx, input }) => listTasks(ctx, input)),

  /** The meta action is the lower bar (reviewers and above); assigning reviewers is checked in the service. */
  assign: orgProcedure
    .meta({
      action: "task.assignAnnotators",
      openapi: { method: "POST", path: "/projects/{id}/assignments", tags: ["tasks"], summary: "Assign tasks to annotators or reviewers" },
    })
    .input(byId.extend({ task_ids: taskIdsSchema, user_ids: z.array(idSchema).min(1).max(100), kind: z.enum(ASSIGNMENT_KINDS) }))
    .output(z.object({ created: z.number(), project_members_added: z.number() }))
    .mutation(({ ctx, input }) => assignTasks(ctx, input)),

  delete: orgProcedure
    .meta({
      action: "data.import",
      openapi: { method: "DELETE", path: "/projects/{id}/tasks", tags: ["tasks"], summary: "Delete the listed tasks, or all of them" },
    })
    .input(byId.extend({ task_ids: taskIdsQuerySchema.optional() }))
    .output(z.object({ deleted: z.number() }))
    .mutation(({ ctx, input }) => deleteTasks(ctx, input)),

  annotations: orgProcedure
    .meta({
      action: "data.view",
      openapi: { method: "GET", path: "/tasks/{id}/annotations", tags: ["tasks"], summary: "A task's annotations, with who wrote them" },
    })
    .input(byId)
    .output(
      z.array(
        annotationSchema.extend({
          author: z.object({ id: z.number().nullable(), name: z.string(), email: z.string().nullable(), deleted: z.boolean() }).nullable(),
        }),
      ),
    )
    .query(({ ctx, input }) => listAnnotations(ctx, input.id)),

  annotate: orgProcedure
    .meta({
      action: "labeling.access",
      openapi: { method: "POST", path: "/tasks/{id}/annotations", tags: ["tasks"], summary: "Submit or update your annotation of a task" },
    })
    .input(byId.extend({ result: resultSchema }))
    .output(annotationSchema)
    .mutation(({ ctx, input }) => submitAnnotation(ctx, input.id, input.result)),
};

export const annotationRouter = {
  review: orgProcedure
    .meta({
      action: "annotation.verify",
      openapi: { method: "POST", path: "/annotations/{id}/review", tags: ["tasks"], summary: "Accept or reject an annotation" },
    })
    .input(byId.extend({ accepted: z.boolean(), comment: storableString(5000).optional() }))
    .output(annotationSchema)
    .mutation(({ ctx, input }) => reviewAnnotation(ctx, input.id, input)),
};
