// The HTTP process: tRPC at /trpc, health probes, and the built web app.
import { existsSync } from "node:fs";
import path from "node:path";
import fastifyStatic from "@fastify/static";
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from "@trpc/server/adapters/fastify";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import { appRouter, createContext, isReady, type AppRouter, type Orm } from "@lattice/api";

export interface BuildServerOptions {
  orm: Orm;
  /** Directory of the built web app (apps/web/dist); served at / when it exists. */
  webDir?: string;
  logger?: FastifyServerOptions["logger"];
  /** Trust X-Forwarded-* from a load balancer in front. */
  trustProxy?: boolean;
}

/** Request headers that carry secrets; never logged. */
export const REDACTED_HEADERS = ["req.headers.authorization", "req.headers.cookie", 'res.headers["set-cookie"]'];

export async function buildServer(opts: BuildServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    trustProxy: opts.trustProxy ?? false,
    bodyLimit: 64 * 1024 * 1024,
    routerOptions: { maxParamLength: 5000 },
  });

  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_req, reply) => {
    const ready = await isReady(opts.orm);
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not ready" });
  });

  await app.register(fastifyTRPCPlugin, {
    prefix: "/trpc",
    trpcOptions: {
      router: appRouter,
      createContext: ({ req }) =>
        createContext({
          orm: opts.orm,
          headers: req.headers,
          request: { method: req.method, path: req.url.split("?")[0] ?? req.url, ip: req.ip },
        }),
      onError({ error, path: procedure }) {
        if (error.code === "INTERNAL_SERVER_ERROR") app.log.error({ err: error, procedure }, "procedure failed");
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>["trpcOptions"],
  });

  const webDir = opts.webDir;
  if (webDir && existsSync(path.join(webDir, "index.html"))) {
    await app.register(fastifyStatic, { root: webDir, wildcard: false });
    // Client-side routes fall back to the SPA shell; API paths stay 404s.
    app.setNotFoundHandler((req, reply) => {
      const url = req.url.split("?")[0] ?? "/";
      const isApi = /^\/(trpc|api|scim|healthz|readyz)(\/|$)/.test(url);
      if (req.method === "GET" && !isApi && !path.extname(url)) return reply.sendFile("index.html");
      return reply.code(404).send({ code: "NOT_FOUND", message: `No route for ${req.method} ${url}` });
    });
  } else {
    app.get("/", async (_req, reply) =>
      reply.type("text/plain").send("Lattice API is running. The web app is not built (pnpm --filter @lattice/web build).\n"),
    );
  }
  return app;
}
