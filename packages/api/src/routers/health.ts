import { z } from "zod";
import { isReady } from "../db/orm.js";
import { publicProcedure } from "../trpc.js";

export const healthOutput = z.object({
  status: z.enum(["ok", "degraded"]),
  database: z.enum(["up", "down"]),
  migrations: z.enum(["applied", "pending"]),
  time: z.string(),
});

/** Liveness and readiness in one answer, for the web app's first page and for scripts. */
export const healthProcedure = publicProcedure
    .meta({ action: "public", openapi: { method: "GET", path: "/health", protect: false, tags: ["health"], summary: "Health and readiness" } })
    .output(healthOutput)
    .query(async ({ ctx }) => {
      let database: "up" | "down" = "up";
      try {
        await ctx.em.getConnection().execute("select 1");
      } catch {
        database = "down";
      }
      const ready = database === "up" && (await isReady(ctx.orm));
      return {
        status: ready ? ("ok" as const) : ("degraded" as const),
        database,
        migrations: ready ? ("applied" as const) : ("pending" as const),
        time: new Date().toISOString(),
      };
    });
