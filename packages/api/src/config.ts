// Instance configuration from the environment, validated once at start. A bad value ends
// the process with one line naming the variable (see apps/server and apps/worker main).
import { EDITIONS } from "@lattice/policy";
import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((v) => v === "true" || v === "1");

const schema = z.object({
  DATABASE_URL: z
    .string()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), "must be a postgres:// URL")
    .optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  LATTICE_EDITION: z.enum(EDITIONS).default("enterprise"),
  LATTICE_MULTI_ORG: bool,
  LATTICE_DISABLE_SIGNUP_WITHOUT_LINK: bool,
  LATTICE_PUBLIC_URL: z.url().optional(),
  /** Key for invitation-link HMACs and encrypted directory secrets (≥ 32 characters). */
  LATTICE_SECRET_KEY: z.string().min(32, "must be at least 32 characters").optional(),
  LATTICE_DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  LATTICE_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type LatticeConfig = z.infer<typeof schema>;

export class ConfigurationError extends Error {
  override name = "ConfigurationError";
}

/** Parse the environment; throws ConfigurationError with one line naming the first bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): LatticeConfig {
  const res = schema.safeParse(env);
  if (!res.success) {
    const issue = res.error.issues[0];
    const name = issue?.path.join(".") ?? "environment";
    throw new ConfigurationError(`Invalid ${name}: ${issue?.message ?? "invalid value"}`);
  }
  return res.data;
}
