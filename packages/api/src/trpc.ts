// The single initTRPC of Lattice and its ladder of base procedures. Routers use nothing else.
//   publicProcedure → authedProcedure (UNAUTHORIZED; narrows the user)
//                   → orgProcedure (the organization and an active membership; checks meta.action)
import { explain, type Action } from "@lattice/policy";
import { initTRPC, TRPCError } from "@trpc/server";
import type { OpenApiMeta } from "trpc-to-openapi";
import { z } from "zod";
import type { Context } from "./context.js";
import { Membership, type IMembership, type IOrganization, type IUser } from "./db/entities.js";
import { DOMAIN_CODES, DomainError } from "./errors.js";

/**
 * Every procedure declares what it needs: a policy action (checked against the caller's
 * membership), `authenticated` (signed in, no organization needed), or `public`.
 */
export type ProcedureAction = Action | "authenticated" | "public";

export type Meta = OpenApiMeta<{
  action: ProcedureAction;
  /** Input field holding the organization id (`0` = the caller's active organization). */
  orgParam?: string;
}>;

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      const zodError = cause instanceof z.ZodError ? z.flattenError(cause) : null;
      const domain = cause instanceof DomainError ? cause : null;
      const issues =
        cause instanceof z.ZodError
          ? cause.issues.map((i) => ({ path: i.path.join("."), message: i.message, code: i.code }))
          : undefined;
      return {
        ...shape,
        message: zodError ? describeZodError(cause as z.ZodError) : shape.message,
        data: {
          ...shape.data,
          // Stack traces never leave the server.
          stack: undefined,
          zodError,
          issues,
          field: domain?.details?.field ?? issues?.[0]?.path,
          retryAfterSeconds: domain?.details?.retryAfterSeconds,
        },
      };
    },
  });

/** "Invalid input: email: Invalid email address; role: …", naming every field. */
function describeZodError(err: z.ZodError): string {
  const parts = err.issues.slice(0, 5).map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message));
  return `Invalid input: ${parts.join("; ")}`;
}

/** DomainError (thrown by services) → TRPCError, in this one place. */
const domainErrors = t.middleware(async ({ next }) => {
  const res = await next();
  if (!res.ok && res.error.cause instanceof DomainError) {
    const cause = res.error.cause;
    throw new TRPCError({ code: DOMAIN_CODES[cause.code], message: cause.message, cause });
  }
  return res;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/** Anyone, signed in or not. */
export const publicProcedure = t.procedure.use(domainErrors);

/**
 * A signed-in user (UNAUTHORIZED otherwise); narrows ctx.user. An API token also needs its
 * holder to be allowed API access in the token's organization, on every procedure.
 */
export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user || !ctx.principal) throw new TRPCError({ code: "UNAUTHORIZED", message: ctx.authError ?? "Sign in first." });
  if (ctx.principal.via === "token") {
    const api = explain(ctx.principal.tokenMembership ?? { role: null, status: "deactivated" }, "apiToken.use");
    if (!api.allowed) throw new TRPCError({ code: "FORBIDDEN", message: api.reason });
  }
  return next({ ctx: { ...ctx, user: ctx.user, principal: ctx.principal } });
});

function readOrgId(raw: unknown, param: string | undefined): number | undefined {
  if (!param) return undefined;
  const value = raw && typeof raw === "object" ? (raw as Record<string, unknown>)[param] : undefined;
  if (value === undefined) return undefined;
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0 || n > 2_147_483_647) {
    throw new DomainError("INVALID", `${param}: must be an organization id (0 for your active organization)`, { field: param });
  }
  return n;
}

/**
 * The organization the call is about (the `orgParam` input, `0` or absent meaning the
 * caller's active one; an API token's own organization), the caller's membership in it, and
 * the declared action checked against that membership. An organization the caller does not
 * belong to is NOT_FOUND, whether it exists or not.
 */
export const orgProcedure = authedProcedure.use(async ({ ctx, meta, next, getRawInput }) => {
  const action = meta?.action;
  if (!action || action === "public" || action === "authenticated") {
    throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "orgProcedure needs a policy action in its meta" });
  }
  const requested = readOrgId(await getRawInput(), meta?.orgParam);
  const principal = ctx.principal;
  let orgId = requested && requested !== 0 ? requested : (principal.tokenOrganizationId ?? refId(ctx.user.activeOrganization));
  if (principal.via === "token" && orgId !== principal.tokenOrganizationId) orgId = undefined;
  const membership = orgId
    ? await ctx.em.findOne(Membership, { organization: orgId, user: ctx.user.id }, { populate: ["organization"] })
    : null;
  if (!membership) {
    throw new TRPCError({
      code: "NOT_FOUND",
      message: requested ? "Organization not found." : "You have no active organization; sign up or accept an invitation.",
    });
  }
  const subject = { role: membership.role ?? null, status: membership.status };
  if (membership.status === "deactivated") {
    throw new TRPCError({ code: "FORBIDDEN", message: "Your membership in this organization is deactivated." });
  }
  // A token's own use of the API was checked by authedProcedure: a token reaches no organization but its own.
  const decision = explain(subject, action);
  if (!decision.allowed) throw new TRPCError({ code: "FORBIDDEN", message: decision.reason });
  return next({
    ctx: {
      ...ctx,
      organization: membership.organization as IOrganization,
      membership: membership as IMembership,
      user: ctx.user as IUser,
    },
  });
});

function refId(ref: unknown): number | undefined {
  if (ref && typeof ref === "object" && "id" in ref) return (ref as { id: number }).id;
  return typeof ref === "number" ? ref : undefined;
}
