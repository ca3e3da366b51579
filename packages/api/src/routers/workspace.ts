import { z } from "zod";
import {
  addWorkspaceMember,
  createWorkspace,
  deleteWorkspace,
  getWorkspace,
  listWorkspaceMembers,
  listWorkspaces,
  removeWorkspaceMember,
  updateWorkspace,
  workspaceMemberCandidates,
} from "../services/workspaces.js";
import { colorSchema, descriptionSchema, idSchema, okSchema, personSchema, textSchema, wholeNumber, workspaceSchema } from "../schemas.js";
import { orgProcedure } from "../trpc.js";

const titleSchema = textSchema(100, 1);
const byId = z.object({ id: idSchema });

export const workspaceRouter = {
  list: orgProcedure
    .meta({ action: "workspace.read", openapi: { method: "GET", path: "/workspaces", tags: ["workspaces"], summary: "Workspaces you see" } })
    .input(z.object({}).optional())
    .output(z.array(workspaceSchema))
    .query(({ ctx }) => listWorkspaces(ctx)),

  create: orgProcedure
    .meta({ action: "workspace.create", openapi: { method: "POST", path: "/workspaces", tags: ["workspaces"], summary: "Create a workspace" } })
    .input(z.object({ title: titleSchema, color: colorSchema.optional(), description: descriptionSchema.optional() }))
    .output(workspaceSchema)
    .mutation(({ ctx, input }) => createWorkspace(ctx, input)),

  get: orgProcedure
    .meta({ action: "workspace.read", openapi: { method: "GET", path: "/workspaces/{id}", tags: ["workspaces"], summary: "One workspace" } })
    .input(byId)
    .output(workspaceSchema)
    .query(({ ctx, input }) => getWorkspace(ctx, input.id)),

  update: orgProcedure
    .meta({ action: "workspace.update", openapi: { method: "PATCH", path: "/workspaces/{id}", tags: ["workspaces"], summary: "Rename, recolour, describe" } })
    .input(byId.extend({ title: titleSchema.optional(), color: colorSchema.optional(), description: descriptionSchema.optional() }))
    .output(workspaceSchema)
    .mutation(({ ctx, input }) => updateWorkspace(ctx, input.id, input)),

  delete: orgProcedure
    .meta({ action: "workspace.delete", openapi: { method: "DELETE", path: "/workspaces/{id}", tags: ["workspaces"], summary: "Delete an empty workspace" } })
    .input(byId)
    .output(okSchema)
    .mutation(({ ctx, input }) => deleteWorkspace(ctx, input.id)),

  members: orgProcedure
    .meta({ action: "workspace.read", openapi: { method: "GET", path: "/workspaces/{id}/memberships", tags: ["workspaces"], summary: "Members of a workspace" } })
    .input(byId)
    .output(z.array(personSchema))
    .query(({ ctx, input }) => listWorkspaceMembers(ctx, input.id)),

  memberCandidates: orgProcedure
    .meta({ action: "workspace.manageMembers", openapi: { method: "GET", path: "/workspaces/{id}/member-candidates", tags: ["workspaces"], summary: "Organization members not yet in the workspace" } })
    .input(byId.extend({ search: textSchema(200).optional(), limit: wholeNumber(1, 100).default(20) }))
    .output(z.array(personSchema))
    .query(({ ctx, input }) => workspaceMemberCandidates(ctx, input.id, input.search, input.limit)),

  addMember: orgProcedure
    .meta({ action: "workspace.manageMembers", openapi: { method: "POST", path: "/workspaces/{id}/memberships", tags: ["workspaces"], summary: "Add a member" } })
    .input(byId.extend({ user_id: idSchema }))
    .output(okSchema)
    .mutation(({ ctx, input }) => addWorkspaceMember(ctx, input.id, input.user_id)),

  removeMember: orgProcedure
    .meta({ action: "workspace.read", openapi: { method: "DELETE", path: "/workspaces/{id}/memberships/{user_id}", tags: ["workspaces"], summary: "Remove a member (or yourself)" } })
    .input(byId.extend({ user_id: idSchema }))
    .output(okSchema)
    .mutation(({ ctx, input }) => removeWorkspaceMember(ctx, input.id, input.user_id)),
};
