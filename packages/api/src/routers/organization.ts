import { z } from "zod";
import { DomainError } from "../errors.js";
import {
  createOrganizationFor,
  getInvite,
  listOrganizations,
  organizationDetails,
  resetInvite,
  switchOrganization,
  updateOrganization,
} from "../services/organizations.js";
import { User } from "../db/entities.js";
import { inviteSchema, orgIdSchema, organizationSchema, organizationSummarySchema, titleSchema, wholeNumber } from "../schemas.js";
import { authedProcedure, orgProcedure } from "../trpc.js";

const orgInput = z.object({ id: orgIdSchema });

export const organizationRouter = {
  list: authedProcedure
    .meta({ action: "authenticated", openapi: { method: "GET", path: "/organizations", tags: ["organizations"], summary: "Your organizations" } })
    .input(z.object({}).optional())
    .output(z.array(organizationSummarySchema))
    .query(({ ctx }) => listOrganizations(ctx.em, ctx.user.id, ctx.principal)),

  create: authedProcedure
    .meta({ action: "authenticated", openapi: { method: "POST", path: "/organizations", tags: ["organizations"], summary: "Create an organization (LATTICE_MULTI_ORG)" } })
    .input(z.object({ title: titleSchema }))
    .output(organizationSummarySchema)
    .mutation(async ({ ctx, input }) => {
      if (!ctx.config.LATTICE_MULTI_ORG) {
        throw new DomainError("FORBIDDEN", "This instance allows one organization; ask its administrator to enable LATTICE_MULTI_ORG.");
      }
      return ctx.em.transactional(async (em) => {
        const user = await em.findOneOrFail(User, ctx.user.id);
        const org = await createOrganizationFor(em, ctx, user, input.title);
        await em.flush();
        return { id: org.id, title: org.title, created_at: org.createdAt.toISOString() };
      });
    }),

  get: orgProcedure
    .meta({ action: "organization.read", orgParam: "id", openapi: { method: "GET", path: "/organizations/{id}", tags: ["organizations"], summary: "One organization (0 = active)" } })
    .input(orgInput)
    .output(organizationSchema)
    .query(({ ctx }) => organizationDetails(ctx.em, ctx.organization)),

  update: orgProcedure
    .meta({ action: "organization.update", orgParam: "id", openapi: { method: "PATCH", path: "/organizations/{id}", tags: ["organizations"], summary: "Rename, or set the seat limit" } })
    .input(orgInput.extend({ title: titleSchema.optional(), seat_limit: wholeNumber(0, 1_000_000).nullable().optional() }))
    .output(organizationSchema)
    .mutation(({ ctx, input }) => updateOrganization(ctx, input)),

  /** Pending members may switch too (to see their waiting state), so this checks membership itself. */
  switch: authedProcedure
    .meta({ action: "authenticated", openapi: { method: "POST", path: "/organizations/{id}/switch", tags: ["organizations"], summary: "Make it your active organization" } })
    .input(orgInput)
    .output(organizationSummarySchema)
    .mutation(({ ctx, input }) => switchOrganization(ctx, input.id)),
};

export const inviteRouter = {
  get: orgProcedure
    .meta({ action: "invite.manage", orgParam: "id", openapi: { method: "GET", path: "/organizations/{id}/invite", tags: ["organizations"], summary: "The invitation link" } })
    .input(orgInput)
    .output(inviteSchema)
    .query(({ ctx }) => getInvite(ctx)),

  reset: orgProcedure
    .meta({ action: "invite.manage", orgParam: "id", openapi: { method: "POST", path: "/organizations/{id}/invite/reset-token", tags: ["organizations"], summary: "Reset the invitation link" } })
    .input(orgInput)
    .output(inviteSchema)
    .mutation(({ ctx }) => resetInvite(ctx)),
};
