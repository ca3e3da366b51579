import { TRPCClientError } from "@trpc/client";

interface ErrorData {
  code?: string;
  zodError?: { fieldErrors?: Record<string, string[] | undefined> } | null;
}

function dataOf(err: unknown): ErrorData | undefined {
  return err instanceof TRPCClientError ? (err.data as ErrorData | undefined) : undefined;
}

/** The server's own sentence for a failed call (or the network error). */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The tRPC error code of a failed call (`UNAUTHORIZED`, `FORBIDDEN`, …). */
export function errorCode(err: unknown): string | undefined {
  return dataOf(err)?.code;
}

/** Per-field messages of a validation error, for the form that sent it. */
export function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, messages] of Object.entries(dataOf(err)?.zodError?.fieldErrors ?? {})) {
    if (messages?.[0]) out[field] = messages[0];
  }
  return out;
}
