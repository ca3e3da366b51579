import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";

/** Domain error codes, each mapped to one tRPC code (and so one HTTP status) here only. */
export const DOMAIN_CODES = {
  NOT_FOUND: "NOT_FOUND",
  FORBIDDEN: "FORBIDDEN",
  UNAUTHORIZED: "UNAUTHORIZED",
  CONFLICT: "CONFLICT",
  RULE_REFUSED: "UNPROCESSABLE_CONTENT",
  INVALID: "BAD_REQUEST",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
} as const satisfies Record<string, TRPC_ERROR_CODE_KEY>;

export type DomainCode = keyof typeof DOMAIN_CODES;

/** The one typed error that services throw; the tRPC layer maps it in one place. */
export class DomainError extends Error {
  override name = "DomainError";
  constructor(
    readonly code: DomainCode,
    message: string,
    readonly details?: { field?: string; retryAfterSeconds?: number },
  ) {
    super(message);
  }
}
