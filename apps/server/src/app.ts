// The HTTP process: tRPC at /trpc, the REST face at /api, health probes, and the built web app.
import { existsSync } from "node:fs";
import path from "node:path";
import fastifyStatic from "@fastify/static";
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from "@trpc/server/adapters/fastify";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import {
  appRouter,
  createContext,
  isReady,
  loadConfig,
  parseCookieHeader,
  serializeCookie,
  SESSION_COOKIE,
  type AppRouter,
  type CookieJar,
  type LatticeConfig,
  type Orm,
} from "@lattice/api";
import type { FastifyReply, FastifyRequest } from "fastify";
import { INTERNAL_ERROR, registerRestApi } from "./rest.js";
import { registerDataRoutes } from "./data-routes.js";
import { scimPlugin } from "./scim/plugin.js";

export interface BuildServerOptions {
  orm: Orm;
  /** Directory of the built web app (apps/web/dist); served at / when it exists. */
  webDir?: string;
  logger?: FastifyServerOptions["logger"];
  /** Trust X-Forwarded-* from a load balancer in front. */
  trustProxy?: boolean;
  config?: LatticeConfig;
  /** After a committed SCIM change (default: queue a debounced reconcile job). */
  scimOnChange?: (organizationId: number) => Promise<void>;
}

/** Cookies of one request: read from its Cookie header, written as Set-Cookie on its reply. */
function cookieJar(req: FastifyRequest, reply: FastifyReply): CookieJar {
  const parsed = parseCookieHeader(req.headers.cookie);
  return {
    get: (name) => parsed.get(name),
    set: (name, value, opts) => void reply.header("set-cookie", serializeCookie(name, value, opts)),
    clear: (name, opts) => void reply.header("set-cookie", serializeCookie(name, "", { ...opts, maxAgeSeconds: 0 })),
  };
}

/** `scheme://host[:port]` as browsers write it (no default port), or null. */
function normalizeOrigin(value: string): string | null {
  try {
    const origin = new URL(value).origin;
    return origin === "null" ? null : origin;
  } catch {
    return null;
  }
}

/** The app's own origin: LATTICE_PUBLIC_URL when set, else what the request was addressed to. */
function ownOrigin(config: LatticeConfig, req: FastifyRequest): string {
  if (config.LATTICE_PUBLIC_URL) return new URL(config.LATTICE_PUBLIC_URL).origin;
  const addressed = `${req.protocol}://${req.host}`;
  return normalizeOrigin(addressed) ?? addressed;
}

function requestOrigin(req: FastifyRequest): string | null {
  const origin = req.headers.origin;
  if (typeof origin === "string" && origin !== "null") return normalizeOrigin(origin);
  const referer = req.headers.referer;
  return typeof referer === "string" ? normalizeOrigin(referer) : null;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Request headers that carry secrets; never logged. */
export const REDACTED_HEADERS = ["req.headers.authorization", "req.headers.cookie", 'res.headers["set-cookie"]'];

export async function buildServer(opts: BuildServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    trustProxy: opts.trustProxy ?? false,
    bodyLimit: 64 * 1024 * 1024,
    routerOptions: { maxParamLength: 5000 },
    // A URL that cannot be decoded (`/api/organizations/%E0`) is the client's mistake.
    frameworkErrors: (err, _req, reply) => {
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
      return (reply as FastifyReply).code(status).send(status === 500 ? INTERNAL_ERROR : { code: "BAD_REQUEST", message: err.message });
    },
  });

  const config = opts.config ?? loadConfig();

  /** One context for /trpc and /api: the session cookie, the Authorization header, the request. */
  const contextFor = (req: FastifyRequest, reply: FastifyReply, requestPath: string) =>
    createContext({
      orm: opts.orm,
      config,
      headers: req.headers,
      cookies: cookieJar(req, reply),
      request: {
        method: req.method,
        path: requestPath,
        ip: req.ip,
        secure: req.protocol === "https",
        origin: ownOrigin(config, req),
        userAgent: typeof req.headers["user-agent"] === "string" ? req.headers["user-agent"] : undefined,
      },
    });

  // A state-changing request carried by the session cookie must come from the app's own
  // origin (CSRF); API-token requests carry no ambient credentials and are exempt.
  app.addHook("onRequest", async (req, reply) => {
    if (SAFE_METHODS.has(req.method)) return;
    if (req.headers.authorization) return;
    if (!parseCookieHeader(req.headers.cookie).has(SESSION_COOKIE)) return;
    const origin = requestOrigin(req);
    if (origin !== ownOrigin(config, req)) {
      return reply.code(403).send({
        code: "FORBIDDEN",
        message: "Cross-origin request refused: a signed-in request that changes data must come from the app itself.",
      });
    }
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
      createContext: ({ req, res }) => contextFor(req, res, req.url.split("?")[0] ?? req.url),
      onError({ error, path: procedure }) {
        if (error.code === "INTERNAL_SERVER_ERROR") app.log.error({ err: error, procedure }, "procedure failed");
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>["trpcOptions"],
  });

  await registerRestApi(app, { createContext: contextFor });
  // Streaming import/export: outside tRPC, same context and the same procedure checks.
  await registerDataRoutes(app, { orm: opts.orm, createContext: contextFor });
  // SCIM 2.0 for identity providers (bearer token per organization; no cookies).
  await app.register(scimPlugin, { orm: opts.orm, onChange: opts.scimOnChange, origin: (req) => ownOrigin(config, req) });

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
