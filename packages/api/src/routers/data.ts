// The streaming data procedures behind POST /api/projects/{id}/import and GET
// /api/projects/{id}/export (apps/server/src/data-routes.ts). Their bodies are byte streams,
// which neither tRPC over HTTP nor the OpenAPI face carries, so they are not in appRouter; the
// HTTP route calls them through `createDataCaller` with the same context as /trpc, and so
// through the same middleware: sign-in, membership, the declared action, API-token rules.
import { z } from "zod";
import { EXPORT_FORMATS, exportTasks } from "../services/exports.js";
import { IMPORT_FORMATS, importTasks, type ByteSource } from "../services/imports.js";
import { idSchema } from "../schemas.js";
import { createCallerFactory, orgProcedure, router } from "../trpc.js";

const byteSource = z.custom<ByteSource>(
  (v) => typeof v === "object" && v !== null && typeof (v as Record<symbol, unknown>)[Symbol.asyncIterator] === "function",
  "must be a byte stream",
);

export const dataRouter = router({
  import: orgProcedure
    .meta({ action: "data.import" })
    .input(
      z.object({
        id: idSchema,
        format: z.enum(IMPORT_FORMATS).default("json"),
        body: byteSource,
        max_bytes: z.number().int().positive().optional(),
        batch_tasks: z.number().int().min(1).max(50_000).optional(),
      }),
    )
    .mutation(({ ctx, input }) => importTasks(ctx, input.id, input.format, input.body, { maxBytes: input.max_bytes, batchTasks: input.batch_tasks })),

  export: orgProcedure
    .meta({ action: "data.export" })
    .input(z.object({ id: idSchema, format: z.enum(EXPORT_FORMATS).default("JSON"), fetch_size: z.number().int().min(1).max(10_000).optional() }))
    .query(({ ctx, input }) => exportTasks(ctx, input.id, input.format, { fetchSize: input.fetch_size })),
});

/** `createDataCaller(ctx).import({ id, format, body })`, `createDataCaller(ctx).export({ id, format })`. */
export const createDataCaller = createCallerFactory(dataRouter);
