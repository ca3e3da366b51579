// SCIM 2.0 at /scim/v2/* (RFC 7644), for identity providers (Okta, Entra ID). Authenticated by
// the organization's SCIM bearer token; every answer is application/scim+json, errors in the
// SCIM error format (never a 500 for bad input). The work is done by handleScim (@lattice/api);
// after a change a reconcile of the organization is queued, debounced (queueScimReconcile).
//
// Registered by the server: `await app.register(scimPlugin, { orm: opts.orm });`
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { handleScim, organizationForScimToken, queueClientFor, queueScimReconcile, scimErrorBody, type Orm } from "@lattice/api";

export interface ScimPluginOptions {
  orm: Orm;
  /** After a committed change of an organization's directory; default: queue a debounced reconcile. */
  onChange?: (organizationId: number) => Promise<void>;
  /** The app's public origin for a request (LATTICE_PUBLIC_URL when set), for resource locations. */
  origin?: (req: FastifyRequest) => string;
}

const SCIM_TYPE = "application/scim+json; charset=utf-8";
const BODY_LIMIT = 2 * 1024 * 1024;

function send(reply: FastifyReply, status: number, body?: unknown, headers: Record<string, string> = {}) {
  for (const [k, v] of Object.entries(headers)) void reply.header(k, v);
  if (body === undefined) return reply.code(status).send();
  return reply.code(status).type(SCIM_TYPE).send(JSON.stringify(body));
}

export const scimPlugin: FastifyPluginAsync<ScimPluginOptions> = async (app, opts) => {
  const onChange =
    opts.onChange ??
    (async (organizationId: number) => {
      try {
        const boss = await queueClientFor(opts.orm.config.get("clientUrl")!);
        await queueScimReconcile(boss, organizationId);
      } catch (err) {
        app.log.error({ err, organizationId }, "could not queue the directory reconcile");
      }
    });

  // This plugin's own parsers (encapsulated): the body is read as text and parsed here, so that
  // malformed JSON is a SCIM error, whatever the content type (IdPs send application/scim+json).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string", bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: { statusCode?: number; message?: string }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error({ err }, "SCIM request failed");
    return send(reply, status, scimErrorBody(status, status === 500 ? "Internal error." : (err.message ?? "Bad request."), status === 400 ? "invalidSyntax" : undefined));
  });

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const auth = req.headers.authorization;
    const token = typeof auth === "string" && /^bearer\s+/i.test(auth) ? auth.replace(/^bearer\s+/i, "").trim() : null;
    const em = opts.orm.em.fork();
    const organizationId = token ? await organizationForScimToken(em, token) : null;
    if (!organizationId) {
      return send(reply, 401, scimErrorBody(401, "A valid SCIM bearer token is required (Authorization: Bearer <token>)."), { "www-authenticate": 'Bearer realm="scim"' });
    }
    let body: unknown = undefined;
    if (typeof req.body === "string" && req.body.trim() !== "") {
      try {
        body = JSON.parse(req.body);
      } catch {
        return send(reply, 400, scimErrorBody(400, "The request body is not valid JSON.", "invalidSyntax"));
      }
    }
    const url = req.url.split("?")[0] ?? "";
    const path = url.replace(/^\/scim\/v2/i, "");
    const res = await handleScim(
      { method: req.method, path, query: (req.query ?? {}) as Record<string, unknown>, body, baseUrl: `${opts.origin ? opts.origin(req) : `${req.protocol}://${req.host}`}/scim/v2` },
      { em, organizationId, changed: () => onChange(organizationId) },
    );
    return send(reply, res.status, res.body, res.headers);
  };

  const methods = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
  app.route({ method: [...methods], url: "/scim/v2", handler });
  app.route({ method: [...methods], url: "/scim/v2/*", handler });
};
