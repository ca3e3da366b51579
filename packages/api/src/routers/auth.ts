import { z } from "zod";
import { currentUser, login, logout, signup } from "../services/accounts.js";
import { currentUserSchema, emailSchema, okSchema, passwordSchema, textSchema } from "../schemas.js";
import { authedProcedure, publicProcedure } from "../trpc.js";

const inviteToken = textSchema(200, 1);

export const authRouter = {
  signup: publicProcedure
    .meta({ action: "public", openapi: { method: "POST", path: "/auth/signup", protect: false, tags: ["accounts"], summary: "Sign up" } })
    .input(z.object({ email: emailSchema, password: passwordSchema, name: textSchema(200).optional(), invite_token: inviteToken.optional() }))
    .output(currentUserSchema)
    .mutation(({ ctx, input }) => signup(ctx, input)),

  login: publicProcedure
    .meta({ action: "public", openapi: { method: "POST", path: "/auth/login", protect: false, tags: ["accounts"], summary: "Sign in (sets the session cookie)" } })
    .input(z.object({ email: emailSchema, password: z.string().min(1).max(256), invite_token: inviteToken.optional() }))
    .output(currentUserSchema)
    .mutation(({ ctx, input }) => login(ctx, input)),

  logout: authedProcedure
    .meta({ action: "authenticated", openapi: { method: "POST", path: "/auth/logout", tags: ["accounts"], summary: "Sign out" } })
    .input(z.object({}).optional())
    .output(okSchema)
    .mutation(({ ctx }) => logout(ctx)),

  me: authedProcedure
    .meta({ action: "authenticated", openapi: { method: "GET", path: "/current-user", tags: ["accounts"], summary: "The signed-in user and their status" } })
    .input(z.object({}).optional())
    .output(currentUserSchema)
    .query(({ ctx }) => currentUser(ctx.em, ctx.user.id, ctx.principal, ctx.config.LATTICE_EDITION)),

  /** Like `me`, but `null` when signed out instead of 401: what the web app asks on load. */
  session: publicProcedure
    .meta({ action: "public", openapi: { method: "GET", path: "/session", protect: false, tags: ["accounts"], summary: "The signed-in user, or null" } })
    .input(z.object({}).optional())
    .output(currentUserSchema.nullable())
    .query(({ ctx }) => (ctx.user ? currentUser(ctx.em, ctx.user.id, ctx.principal ?? undefined, ctx.config.LATTICE_EDITION) : null)),
};
