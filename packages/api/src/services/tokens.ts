// Personal API tokens: shown once at creation, stored as SHA-256, one organization each.
import type { Context } from "../context.js";
import { ApiToken, type IMembership, type IOrganization, type IUser } from "../db/entities.js";
import { DomainError } from "../errors.js";
import { newApiToken } from "../auth/crypto.js";
import { audit } from "./audit.js";

type OrgContext = Context & { organization: IOrganization; membership: IMembership; user: IUser };

function view(t: { id: number; name: string; prefix: string; createdAt: Date; lastUsedAt?: Date | null }) {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    created_at: t.createdAt.toISOString(),
    last_used_at: t.lastUsedAt ? t.lastUsedAt.toISOString() : null,
  };
}

export async function listTokens(ctx: OrgContext) {
  const tokens = await ctx.em.find(
    ApiToken,
    { organization: ctx.organization.id, user: ctx.user.id, revokedAt: null },
    { orderBy: { id: "asc" } },
  );
  return tokens.map(view);
}

/** A new token for the caller (the router's `apiToken.use` decides who may hold one). */
export async function createToken(ctx: OrgContext, input: { name: string }) {
  return ctx.em.transactional(async (em) => {
    const { token, prefix, hash } = newApiToken();
    const row = em.create(ApiToken, { organization: ctx.organization.id, user: ctx.user.id, name: input.name, prefix, tokenHash: hash });
    await em.flush();
    audit(em, ctx, { action: "apiToken.create", targetType: "api_token", targetId: row.id, changes: { name: { before: null, after: input.name } } });
    await em.flush();
    return { ...view(row), token };
  });
}

export async function revokeToken(ctx: OrgContext, id: number) {
  return ctx.em.transactional(async (em) => {
    const row = await em.findOne(ApiToken, { id, organization: ctx.organization.id, user: ctx.user.id, revokedAt: null });
    if (!row) throw new DomainError("NOT_FOUND", "No such API token.", { field: "id" });
    row.revokedAt = new Date();
    audit(em, ctx, { action: "apiToken.revoke", targetType: "api_token", targetId: id });
    await em.flush();
    return { ok: true as const };
  });
}
