// The streaming data endpoints that do not fit tRPC (their bodies are byte streams):
//   POST /api/projects/{id}/import   a JSON array of tasks, or CSV (?format=csv or Content-Type: text/csv)
//   GET  /api/projects/{id}/export?format=JSON|CSV
// Authentication and checks are exactly those of /trpc: the same context (session cookie or
// `Authorization: Token|Bearer`), and the procedures of @lattice/api's `dataRouter` called
// through `createDataCaller`, so the same middleware runs (membership, the declared action,
// API-token rules) before the service checks the project. Errors have the REST shape.
//
// buildServer registers it after the CSRF hook, with its own `contextFor`, so that a
// cookie-authenticated import must come from the app's own origin like every other write.
import { Readable } from "node:stream";
import { TRPCError } from "@trpc/server";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { createDataCaller, type ByteSource, type Context, type Orm } from "@lattice/api";
import { INTERNAL_ERROR, restErrorReply } from "./rest.js";

export interface DataRoutesOptions {
  orm: Orm;
  /** The context of a request, built exactly as for /trpc and /api (buildServer's `contextFor`). */
  createContext: (req: FastifyRequest, reply: FastifyReply, path: string) => Promise<Context>;
  /** Largest import body, in bytes (default 1 GiB). */
  maxImportBytes?: number;
}

function queryValue(req: FastifyRequest, name: string): string | undefined {
  const v = (req.query as Record<string, unknown> | undefined)?.[name];
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === "string" ? first : undefined;
}

/** `?format=` wins; otherwise a CSV content type means CSV; JSON by default. */
function importFormat(req: FastifyRequest): string {
  const q = queryValue(req, "format");
  if (q !== undefined) return q.toLowerCase();
  const type = req.headers["content-type"] ?? "";
  return /^\s*(text\/csv|application\/csv)\b/i.test(type) ? "csv" : "json";
}

export async function registerDataRoutes(app: FastifyInstance, opts: DataRoutesOptions): Promise<void> {
  const contextFor = opts.createContext;

  const fail = (req: FastifyRequest, reply: FastifyReply, err: unknown) => {
    if (err instanceof TRPCError) {
      const out = restErrorReply(err, { method: req.method, path: req.url.split("?")[0] ?? req.url, matched: true });
      if (out.status >= 500) req.log.error({ err }, "data route failed");
      if (out.retryAfter !== undefined) void reply.header("retry-after", String(out.retryAfter));
      return reply.code(out.status).type("application/json; charset=utf-8").send(out.body);
    }
    req.log.error({ err }, "data route failed");
    return reply.code(500).type("application/json; charset=utf-8").send(INTERNAL_ERROR);
  };

  await app.register(async (scope) => {
    // The import reads the request body itself, as a stream: no parser may buffer it first.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", (_req, payload, done) => done(null, payload));

    scope.post("/api/projects/:id/import", async (req, reply) => {
      const path = req.url.split("?")[0] ?? req.url;
      try {
        const ctx = await contextFor(req, reply, path);
        const body = (req.body ?? req.raw) as ByteSource;
        const result = await createDataCaller(ctx).import({
          id: (req.params as { id: string }).id,
          format: importFormat(req) as "json",
          body,
          max_bytes: opts.maxImportBytes,
        });
        return reply.code(201).send(result);
      } catch (err) {
        return fail(req, reply, err);
      }
    });

    scope.get("/api/projects/:id/export", { exposeHeadRoute: false }, async (req, reply) => {
      const path = req.url.split("?")[0] ?? req.url;
      try {
        const ctx = await contextFor(req, reply, path);
        const out = await createDataCaller(ctx).export({
          id: (req.params as { id: string }).id,
          format: (queryValue(req, "format") ?? "JSON").toUpperCase() as "JSON",
        });
        return reply
          .header("content-type", out.contentType)
          .header("content-disposition", `attachment; filename="${out.filename}"`)
          .header("cache-control", "no-store")
          .send(Readable.from(out.chunks, { objectMode: false }));
      } catch (err) {
        return fail(req, reply, err);
      }
    });
  });
}
