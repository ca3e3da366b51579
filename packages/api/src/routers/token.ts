import { z } from "zod";
import { createToken, listTokens, revokeToken } from "../services/tokens.js";
import { apiTokenSchema, idSchema, okSchema, textSchema } from "../schemas.js";
import { orgProcedure } from "../trpc.js";

export const tokenRouter = {
  list: orgProcedure
    .meta({ action: "apiToken.use", openapi: { method: "GET", path: "/tokens", tags: ["tokens"], summary: "Your API tokens" } })
    .input(z.object({}).optional())
    .output(z.array(apiTokenSchema))
    .query(({ ctx }) => listTokens(ctx)),

  create: orgProcedure
    .meta({ action: "apiToken.use", openapi: { method: "POST", path: "/tokens", tags: ["tokens"], summary: "Create an API token (its text is shown once)" } })
    .input(z.object({ name: textSchema(100, 1) }))
    .output(apiTokenSchema.extend({ token: z.string() }))
    .mutation(({ ctx, input }) => createToken(ctx, input)),

  revoke: orgProcedure
    .meta({ action: "apiToken.use", openapi: { method: "DELETE", path: "/tokens/{id}", tags: ["tokens"], summary: "Revoke an API token" } })
    .input(z.object({ id: idSchema }))
    .output(okSchema)
    .mutation(({ ctx, input }) => revokeToken(ctx, input.id)),
};
