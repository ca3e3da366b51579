import { z } from "zod";
import {
  ACCESS_REASONS,
  addProjectMember,
  createProject,
  deleteProject,
  getProject,
  listProjectMembers,
  listProjects,
  listTemplates,
  projectAccess,
  userAccess,
  removeProjectMember,
  saveTemplate,
  setPinned,
  updateProject,
} from "../services/projects.js";
import {
  descriptionSchema,
  idSchema,
  labelConfigSchema,
  okSchema,
  pageOf,
  pageSchema,
  pageSizeSchema,
  personSchema,
  projectDetailSchema,
  projectSchema,
  projectTitleSchema,
  templateSchema,
  textSchema,
} from "../schemas.js";
import { orgProcedure } from "../trpc.js";

const byId = z.object({ id: idSchema });
const settingsInput = z
  .object({ annotators_may_view_own_data: z.boolean().optional(), labeling_restricted_to_assigned: z.boolean().optional() })
  .strict();

/** Why someone reaches a project (the access review). */
const reasonSchema = z.enum(ACCESS_REASONS);

export const projectRouter = {
  list: orgProcedure
    .meta({ action: "project.read", openapi: { method: "GET", path: "/projects", tags: ["projects"], summary: "Projects you see, pinned first" } })
    .input(
      z.object({
        filter: z.enum(["all", "pinned_only", "exclude_pinned"]).default("all"),
        page: pageSchema,
        page_size: pageSizeSchema(30),
        search: textSchema(200).optional(),
        workspace: idSchema.optional(),
      }),
    )
    .output(pageOf(projectSchema))
    .query(({ ctx, input }) => listProjects(ctx, input)),

  create: orgProcedure
    .meta({ action: "project.create", openapi: { method: "POST", path: "/projects", tags: ["projects"], summary: "Create a project (in your sandbox by default)" } })
    .input(
      z.object({
        title: projectTitleSchema,
        description: descriptionSchema.optional(),
        workspace: idSchema.optional(),
        label_config: labelConfigSchema.optional(),
        settings: settingsInput.optional(),
        template_id: idSchema.optional(),
      }),
    )
    .output(projectDetailSchema)
    .mutation(({ ctx, input }) => createProject(ctx, input)),

  get: orgProcedure
    .meta({ action: "project.read", openapi: { method: "GET", path: "/projects/{id}", tags: ["projects"], summary: "One project" } })
    .input(byId)
    .output(projectDetailSchema)
    .query(({ ctx, input }) => getProject(ctx, input.id)),

  update: orgProcedure
    .meta({ action: "project.update", openapi: { method: "PATCH", path: "/projects/{id}", tags: ["projects"], summary: "Change, or move to another workspace" } })
    .input(
      byId.extend({
        title: projectTitleSchema.optional(),
        description: descriptionSchema.optional(),
        label_config: labelConfigSchema.optional(),
        settings: settingsInput.optional(),
        workspace: idSchema.optional(),
      }),
    )
    .output(projectDetailSchema)
    .mutation(({ ctx, input }) => updateProject(ctx, input.id, input)),

  delete: orgProcedure
    .meta({ action: "project.delete", openapi: { method: "DELETE", path: "/projects/{id}", tags: ["projects"], summary: "Delete a project" } })
    .input(byId)
    .output(okSchema)
    .mutation(({ ctx, input }) => deleteProject(ctx, input.id)),

  pin: orgProcedure
    .meta({ action: "project.pin", openapi: { method: "POST", path: "/projects/{id}/pin", tags: ["projects"], summary: "Pin (for everyone who sees it)" } })
    .input(
      byId.extend({
        pinned_at: z.iso
          .datetime({ offset: true })
          .optional()
          .meta({ description: "Pin as of this earlier moment (Undo of an unpin puts the project back where it was); now when absent." }),
      }),
    )
    .output(projectSchema)
    .mutation(({ ctx, input }) => setPinned(ctx, input.id, true, input.pinned_at)),

  unpin: orgProcedure
    .meta({ action: "project.pin", openapi: { method: "POST", path: "/projects/{id}/unpin", tags: ["projects"], summary: "Unpin" } })
    .input(byId)
    .output(projectSchema)
    .mutation(({ ctx, input }) => setPinned(ctx, input.id, false)),

  members: orgProcedure
    .meta({ action: "project.read", openapi: { method: "GET", path: "/projects/{id}/members", tags: ["projects"], summary: "Project members" } })
    .input(byId)
    .output(z.array(personSchema.extend({ direct: z.boolean(), assigned: z.boolean() })))
    .query(({ ctx, input }) => listProjectMembers(ctx, input.id)),

  addMember: orgProcedure
    .meta({ action: "project.manageMembers", openapi: { method: "POST", path: "/projects/{id}/members", tags: ["projects"], summary: "Add a project member" } })
    .input(byId.extend({ user_id: idSchema }))
    .output(okSchema)
    .mutation(({ ctx, input }) => addProjectMember(ctx, input.id, input.user_id)),

  removeMember: orgProcedure
    .meta({ action: "project.manageMembers", openapi: { method: "DELETE", path: "/projects/{id}/members/{user_id}", tags: ["projects"], summary: "Remove a project member" } })
    .input(byId.extend({ user_id: idSchema }))
    .output(okSchema)
    .mutation(({ ctx, input }) => removeProjectMember(ctx, input.id, input.user_id)),

  access: orgProcedure
    .meta({ action: "project.viewAccess", openapi: { method: "GET", path: "/projects/{id}/access", tags: ["projects"], summary: "Who can reach the project, and why" } })
    .input(byId)
    .output(
      z.object({
        project: z.object({ id: z.number(), title: z.string(), workspace: z.number() }),
        count: z.number(),
        results: z.array(
          z.object({
            user: personSchema,
            role: z.string(),
            can_manage: z.boolean(),
            reasons: z.array(reasonSchema),
          }),
        ),
      }),
    )
    .query(({ ctx, input }) => projectAccess(ctx, input.id)),
};

export const accessRouter = {
  /** Which projects a member reaches and why (limited to projects the caller may review). */
  forUser: orgProcedure
    .meta({ action: "project.viewAccess", openapi: { method: "GET", path: "/users/{user_id}/access", tags: ["projects"], summary: "Which projects a member reaches, and why" } })
    .input(z.object({ user_id: idSchema, page: pageSchema, page_size: pageSizeSchema(50) }))
    .output(
      z.object({
        user: personSchema,
        role: z.string().nullable(),
        count: z.number(),
        results: z.array(z.object({ project: z.object({ id: z.number(), title: z.string(), workspace: z.number() }), reasons: z.array(reasonSchema) })),
      }),
    )
    .query(({ ctx, input }) => userAccess(ctx, input.user_id, input.page, input.page_size)),
};

export const templateRouter = {
  list: orgProcedure
    .meta({ action: "template.read", openapi: { method: "GET", path: "/templates", tags: ["projects"], summary: "Custom project templates" } })
    .input(z.object({}).optional())
    .output(z.array(templateSchema))
    .query(({ ctx }) => listTemplates(ctx)),

  save: orgProcedure
    .meta({ action: "template.save", openapi: { method: "POST", path: "/templates", tags: ["projects"], summary: "Save a project's configuration as a template" } })
    .input(z.object({ title: textSchema(100, 1), project_id: idSchema, description: descriptionSchema.optional() }))
    .output(templateSchema)
    .mutation(({ ctx, input }) => saveTemplate(ctx, input)),
};
