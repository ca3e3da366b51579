// The single initTRPC of Lattice and its ladder of base procedures. Routers use nothing else.
import { initTRPC, TRPCError } from "@trpc/server";
import { z } from "zod";
import type { Context } from "./context.js";
import { DOMAIN_CODES, DomainError } from "./errors.js";

/** Every procedure declares the action it needs; `public` is for health and sign-in only. */
export interface Meta {
  action: string;
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      const zodError = cause instanceof z.ZodError ? z.flattenError(cause) : null;
      const domain = cause instanceof DomainError ? cause : null;
      return {
        ...shape,
        data: {
          ...shape.data,
          // Stack traces never leave the server.
          stack: undefined,
          zodError,
          field: domain?.details?.field ?? (zodError ? firstField(cause as z.ZodError) : undefined),
          retryAfterSeconds: domain?.details?.retryAfterSeconds,
        },
      };
    },
  });

function firstField(err: z.ZodError): string | undefined {
  const path = err.issues[0]?.path;
  return path && path.length > 0 ? path.join(".") : undefined;
}

/** Maps DomainError (thrown by services) to TRPCError; unexpected errors stay 500s. */
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

/** A signed-in user (UNAUTHORIZED otherwise); narrows ctx.user. */
export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first." });
  return next({ ctx: { ...ctx, user: ctx.user } });
});
