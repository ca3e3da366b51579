import { ROLE_CODES } from "@lattice/policy";
import { z } from "zod";
import { getMember, listMembers, removeMember, setMemberRole, transferOwnership } from "../services/members.js";
import { idSchema, memberSchema, okSchema, orgIdSchema, pageOf, pageSchema, pageSizeSchema, roleCodesSchema, statusesSchema, textSchema } from "../schemas.js";
import { orgProcedure } from "../trpc.js";

const orgInput = z.object({ id: orgIdSchema });
const roleChangeInput = orgInput.extend({ user_id: idSchema, role: z.enum(ROLE_CODES) });

export const memberRouter = {
  list: orgProcedure
    .meta({ action: "member.list", orgParam: "id", openapi: { method: "GET", path: "/organizations/{id}/memberships", tags: ["members"], summary: "The People list" } })
    .input(
      orgInput.extend({
        page: pageSchema,
        page_size: pageSizeSchema(20),
        role: roleCodesSchema.optional(),
        status: statusesSchema.optional(),
        search: textSchema(200).optional(),
      }),
    )
    .output(pageOf(memberSchema))
    .query(({ ctx, input }) => listMembers(ctx, input, `/api/organizations/${input.id}/memberships`)),

  get: orgProcedure
    .meta({ action: "member.list", orgParam: "id", openapi: { method: "GET", path: "/organizations/{id}/memberships/{user_id}", tags: ["members"], summary: "One member" } })
    .input(orgInput.extend({ user_id: idSchema }))
    .output(memberSchema)
    .query(({ ctx, input }) => getMember(ctx, input.user_id)),

  /** Activate + assign a role, change it, or deactivate (`DI`). */
  update: orgProcedure
    .meta({ action: "member.changeRole", orgParam: "id", openapi: { method: "POST", path: "/organizations/{id}/memberships", tags: ["members"], summary: "Activate, change role or deactivate" } })
    .input(roleChangeInput)
    .output(memberSchema)
    .mutation(({ ctx, input }) => setMemberRole(ctx, input)),

  /** The same operation as `update`, at `PATCH` (LSE accepts both). */
  patch: orgProcedure
    .meta({ action: "member.changeRole", orgParam: "id", openapi: { method: "PATCH", path: "/organizations/{id}/memberships", tags: ["members"], summary: "Activate, change role or deactivate" } })
    .input(roleChangeInput)
    .output(memberSchema)
    .mutation(({ ctx, input }) => setMemberRole(ctx, input)),

  remove: orgProcedure
    .meta({ action: "member.remove", orgParam: "id", openapi: { method: "DELETE", path: "/organizations/{id}/memberships/{user_id}", tags: ["members"], summary: "Remove a member" } })
    .input(orgInput.extend({ user_id: idSchema }))
    .output(okSchema)
    .mutation(({ ctx, input }) => removeMember(ctx, input.user_id)),

  transferOwnership: orgProcedure
    .meta({ action: "ownership.transfer", orgParam: "id", openapi: { method: "POST", path: "/organizations/{id}/transfer-ownership", tags: ["members"], summary: "Hand ownership to an active administrator" } })
    .input(orgInput.extend({ user_id: idSchema }))
    .output(memberSchema)
    .mutation(({ ctx, input }) => transferOwnership(ctx, input.user_id)),
};
