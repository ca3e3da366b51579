// The REST face under /api (../shared/design/API.md): every procedure with `openapi` meta,
// served by trpc-to-openapi from the same router as /trpc (one handler per operation), the
// OpenAPI document at /api/openapi.json and a browsable reference at /api/docs (Swagger
// UI from the swagger-ui-dist package, served from here: no internet access needed).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { fastifyTRPCOpenApiPlugin, generateOpenApiDocument } from "trpc-to-openapi";
import { appRouter, DomainError, SESSION_COOKIE, type Context } from "@lattice/api";

/** One REST error body: `{"code": "FORBIDDEN", "message": "...", "issues"?: [...]}`. */
export interface RestError {
  code: string;
  message: string;
  issues?: RestIssue[];
}

/** A zod issue as sent to REST clients: `path` names the field (`["user_id"]`, `["role", 0]`). */
export interface RestIssue {
  code: string;
  path: (string | number)[];
  message: string;
  [detail: string]: unknown;
}

export const INTERNAL_ERROR: RestError = {
  code: "INTERNAL_SERVER_ERROR",
  message: "Something went wrong on the server; the error has been logged.",
};

const CODE_OF_STATUS: Record<number, string> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_SUPPORTED",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  422: "UNPROCESSABLE_CONTENT",
  429: "TOO_MANY_REQUESTS",
};

interface ZodLikeIssue {
  code: string;
  path: PropertyKey[];
  message: string;
}

function zodIssues(cause: unknown): ZodLikeIssue[] | null {
  if (!(cause instanceof Error) || cause.name !== "ZodError") return null;
  const issues = (cause as Error & { issues?: unknown }).issues;
  return Array.isArray(issues) ? (issues as ZodLikeIssue[]) : null;
}

/** JSON-safe copy of a zod issue (no input values, bigints and symbols as strings). */
function restIssue(issue: ZodLikeIssue): RestIssue {
  const out: RestIssue = {
    code: String(issue.code),
    path: issue.path.map((p) => (typeof p === "number" ? p : String(p))),
    message: issue.message,
  };
  for (const [key, value] of Object.entries(issue)) {
    if (key in out || key === "input" || key === "inst") continue;
    out[key] = JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" || typeof v === "symbol" ? String(v) : v)) ?? "null");
  }
  return out;
}

/** "Invalid input: email: Invalid email address; role: …", naming every field. */
function describeIssues(issues: ZodLikeIssue[]): string {
  const parts = issues.slice(0, 5).map((i) => {
    const what = i.message.replace(/^Invalid input: /, "");
    return i.path.length ? `${i.path.map(String).join(".")}: ${what}` : what;
  });
  return `Invalid input: ${parts.join("; ")}${issues.length > 5 ? `; and ${issues.length - 5} more` : ""}`;
}

export interface RestErrorReply {
  status: number;
  body: RestError;
  /** Seconds, for the Retry-After header of a 429. */
  retryAfter?: number;
}

/** A procedure's error → the REST status and body. Unexpected errors stay a generic 500. */
export function restErrorReply(error: TRPCError, route: { method: string; path: string; matched: boolean }): RestErrorReply {
  const status = getHTTPStatusCodeFromError(error);
  const issues = error.code === "BAD_REQUEST" ? zodIssues(error.cause) : null;
  if (issues) {
    return { status: 400, body: { code: "BAD_REQUEST", message: describeIssues(issues), issues: issues.map(restIssue) } };
  }
  if (status >= 500) return { status: 500, body: INTERNAL_ERROR };
  if (error.code === "PARSE_ERROR") {
    return { status: 400, body: { code: "BAD_REQUEST", message: "The request body is not valid JSON." } };
  }
  if (error.code === "NOT_FOUND" && !route.matched) {
    return { status: 404, body: { code: "NOT_FOUND", message: `No route for ${route.method} ${route.path}` } };
  }
  const cause = error.cause instanceof DomainError ? error.cause : null;
  const body: RestError = { code: error.code, message: error.message };
  const field = cause?.details?.field;
  if (status === 400 && field) body.issues = [{ code: "invalid_value", path: [field], message: error.message }];
  const retryAfter = cause?.details?.retryAfterSeconds;
  return { status, body, retryAfter: retryAfter !== undefined ? Math.max(1, Math.ceil(retryAfter)) : undefined };
}

/** A Fastify error (unparseable JSON, a body too large, an unknown content type) → REST. */
function restFrameworkError(err: FastifyError): RestErrorReply {
  const status = err.statusCode ?? 500;
  if (status >= 500 || status < 400) return { status: 500, body: INTERNAL_ERROR };
  let message = err.message;
  if (err.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" || status === 415) {
    message = "Send the request body as JSON, with the header Content-Type: application/json.";
  } else if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
    message = "The request body is too large.";
  } else if (status === 400 && (err instanceof SyntaxError || err.code?.startsWith("FST_ERR_CTP"))) {
    message = `The request body is not valid JSON: ${err.message}`;
  }
  return { status, body: { code: CODE_OF_STATUS[status] ?? "BAD_REQUEST", message } };
}

// ---- /api/docs: Swagger UI from the swagger-ui-dist package ----

const swaggerDir = path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const DOCS_ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};
const assetCache = new Map<string, Buffer>();
function docsAsset(name: string): Buffer {
  let buf = assetCache.get(name);
  if (!buf) {
    buf = readFileSync(path.join(swaggerDir, name));
    assetCache.set(name, buf);
  }
  return buf;
}

const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lattice REST API</title>
<link rel="icon" type="image/png" href="/api/docs/favicon-32x32.png">
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
`;

const DOCS_INIT = `window.ui = SwaggerUIBundle({
  url: "/api/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
});
`;

/**
 * The router as trpc-to-openapi types it. A cast: under `moduleResolution: Bundler` (the web
 * app's e2e tests typecheck this file) the library's @trpc/server types are another copy.
 */
const openApiRouter = appRouter as unknown as Parameters<typeof generateOpenApiDocument>[0];

interface ParameterLike {
  in?: string;
  style?: string;
  explode?: boolean;
  schema?: { type?: unknown };
}

/** The OpenAPI 3.1 document of every procedure that has `openapi` meta. */
export function openApiDocument() {
  const doc = generateOpenApiDocument(openApiRouter, {
    title: "Lattice REST API",
    version: "1",
    description:
      "The REST face of Lattice: the same procedures as /trpc. Authenticate with a personal API token " +
      "(`Authorization: Token <token>`, or `Bearer <token>`; create one with POST /api/tokens) or the web " +
      "app's session cookie. Errors are `{code, message, issues?}` with the matching HTTP status. " +
      "`{id}` = 0 means your active organization.",
    baseUrl: "/api",
    securitySchemes: {
      token: {
        type: "apiKey",
        in: "header",
        name: "Authorization",
        description: "`Token <token>` (or `Bearer <token>`): a personal API token.",
      },
      session: { type: "apiKey", in: "cookie", name: SESSION_COOKIE, description: "The session cookie set by POST /api/auth/login." },
    },
  });
  // List-valued query parameters are written `role=AN,RE` (API.md); `role=AN&role=RE` works too.
  for (const item of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(item as Record<string, { parameters?: ParameterLike[] }>)) {
      for (const param of op.parameters ?? []) {
        if (param.in === "query" && param.schema?.type === "array") Object.assign(param, { style: "form", explode: false });
      }
    }
  }
  return doc;
}

export interface RestApiOptions {
  /** The same context as /trpc: cookies, headers, request info. `path` is the path as requested. */
  createContext: (req: FastifyRequest, reply: FastifyReply, path: string) => Promise<Context>;
}

/** Mount the REST face on `app`: /api/*, /api/openapi.json, /api/docs. */
export async function registerRestApi(app: FastifyInstance, opts: RestApiOptions): Promise<void> {
  const documentJson = JSON.stringify(openApiDocument());

  await app.register(async (api) => {
    // What the request was addressed to: trpc-to-openapi rewrites the URL before the handler.
    const requested = new WeakMap<FastifyRequest, { method: string; path: string }>();
    const failures = new WeakMap<FastifyRequest, { error: TRPCError; matched: boolean }>();

    api.addHook("onRequest", async (req) => {
      requested.set(req, { method: req.method, path: req.url.split("?")[0] ?? req.url });
    });

    // An empty body with Content-Type: application/json is no body (not a 400).
    const jsonParser = api.getDefaultJsonParser("error", "error");
    api.removeContentTypeParser("application/json");
    api.addContentTypeParser("application/json", { parseAs: "string" }, (req, body, done) => {
      const text = body.toString();
      if (text.trim() === "") return done(null, undefined);
      jsonParser(req, text, done);
    });

    // A POST without a body needs no Content-Type (POST /api/auth/logout, …/switch).
    api.addHook("preHandler", async (req) => {
      if (req.body === undefined && req.headers["content-type"] === undefined) req.headers["content-type"] = "application/json";
    });

    // API.md puts some POST options in the query string (`…/ldap/sync?dry_run=true`), but
    // trpc-to-openapi reads a POST's input from its body only: fold the query into the body
    // (the body wins where both name a field).
    api.addHook("preHandler", async (req) => {
      if (req.method === "GET" || req.method === "HEAD") return;
      const query = req.query as Record<string, unknown> | undefined;
      if (!query || typeof query !== "object" || Object.keys(query).length === 0) return;
      if (req.body === undefined || req.body === null) req.body = { ...query };
      else if (typeof req.body === "object" && !Array.isArray(req.body)) req.body = { ...query, ...(req.body as object) };
      if (req.headers["content-type"] === undefined) req.headers["content-type"] = "application/json";
    });

    // Procedure errors: the body of API.md and Retry-After, in place of trpc-to-openapi's shape.
    api.addHook("onSend", async (req, reply, payload) => {
      const failure = failures.get(req);
      if (!failure) return payload;
      const route = requested.get(req) ?? { method: req.method, path: req.url };
      const out = restErrorReply(failure.error, { ...route, matched: failure.matched });
      void reply.code(out.status);
      if (out.retryAfter !== undefined) void reply.header("retry-after", String(out.retryAfter));
      return JSON.stringify(out.body);
    });

    api.setErrorHandler((err: FastifyError, req, reply) => {
      const out = restFrameworkError(err);
      if (out.status >= 500) req.log.error({ err }, "REST request failed");
      return reply.code(out.status).type("application/json; charset=utf-8").send(out.body);
    });

    api.route({
      method: ["GET", "POST", "PATCH", "PUT", "DELETE"],
      url: "/api",
      handler: async (req, reply) =>
        reply.code(404).send({ code: "NOT_FOUND", message: `No route for ${req.method} /api; the reference is at /api/docs.` }),
    });
    api.get("/api/openapi.json", async (_req, reply) => reply.type("application/json; charset=utf-8").send(documentJson));
    for (const url of ["/api/docs", "/api/docs/"]) {
      api.get(url, async (_req, reply) => reply.type("text/html; charset=utf-8").send(DOCS_HTML));
    }
    api.get("/api/docs/init.js", async (_req, reply) => reply.type("text/javascript; charset=utf-8").send(DOCS_INIT));
    for (const [name, type] of Object.entries(DOCS_ASSETS)) {
      api.get(`/api/docs/${name}`, async (_req, reply) =>
        reply.type(type).header("cache-control", "public, max-age=86400").send(docsAsset(name)),
      );
    }

    await api.register(fastifyTRPCOpenApiPlugin, {
      basePath: "/api",
      router: openApiRouter,
      createContext: ({ req, res }: { req: FastifyRequest; res: FastifyReply }) =>
        opts.createContext(req, res, requested.get(req)?.path ?? req.url.split("?")[0] ?? req.url),
      // Accepted for background work: API.md answers a duplication request with 202 and the job id.
      responseMeta: ({ paths, errors }: { paths?: readonly string[]; errors: readonly unknown[] }) =>
        errors.length === 0 && paths?.[0] === "project.duplicate" ? { status: 202 } : {},
      onError: ({ error, req, path: procedure }: { error: TRPCError; req: FastifyRequest; path?: string }) => {
        failures.set(req, { error, matched: procedure !== undefined });
        if (getHTTPStatusCodeFromError(error) >= 500) req.log.error({ err: error, procedure }, "procedure failed");
      },
    });
  });
}
