// Accounts: sign-up, login, logout, the current user.
import { UniqueConstraintViolationException } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Edition } from "@lattice/policy";
import type { Context } from "../context.js";
import { Membership, Session, User, type IOrganization, type IUser } from "../db/entities.js";
import { DomainError } from "../errors.js";
import { SESSION_COOKIE, SESSION_TTL_MS } from "../auth/cookies.js";
import { hashPassword, randomToken, sha256, verifyPassword } from "../auth/crypto.js";
import { assertLoginAllowed, clearAccountFailures, recordLoginFailure } from "../auth/throttle.js";
import { audit, type Changes } from "./audit.js";
import { memberCode } from "./members.js";
import { createOrganizationFor, joinPending, listOrganizations, organizationForInvite } from "./organizations.js";

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

async function startSession(em: EntityManager, ctx: Context, user: IUser): Promise<void> {
  const token = randomToken(32);
  em.create(Session, {
    user,
    tokenHash: sha256(token),
    expiresAt: new Date(Date.now() + SESSION_TTL_MS),
    ip: ctx.request.ip.slice(0, 64),
    userAgent: (ctx.request.userAgent ?? "").slice(0, 300),
  });
  await em.flush();
  ctx.cookies.set(SESSION_COOKIE, token, { secure: !!ctx.request.secure, maxAgeSeconds: SESSION_TTL_MS / 1000 });
}

export interface SignupInput {
  email: string;
  password: string;
  name?: string;
  invite_token?: string;
}

export async function signup(ctx: Context, input: SignupInput) {
  const email = normalizeEmail(input.email);
  const passwordHash = await hashPassword(input.password);
  try {
    const userId = await ctx.em.transactional(async (em) => {
      const invited = input.invite_token ? await organizationForInvite(em, input.invite_token) : null;
      if (!invited && ctx.config.LATTICE_DISABLE_SIGNUP_WITHOUT_LINK) {
        throw new DomainError("FORBIDDEN", "Sign-up on this instance needs an invitation link; ask an administrator for one.");
      }
      if (await em.findOne(User, { email })) {
        throw new DomainError("CONFLICT", "An account with this email already exists; sign in instead.", { field: "email" });
      }
      const user = em.create(User, { email, name: input.name?.trim() ?? "", passwordHash });
      await em.flush();
      // One log row for the whole sign-up, in the organization joined or created.
      let org: IOrganization;
      let changes: Changes;
      if (invited) {
        await joinPending(em, invited, user);
        user.activeOrganization = invited;
        org = invited;
        changes = { status: { before: null, after: "pending" } };
      } else {
        const title = input.name?.trim() ? `${input.name.trim()}'s organization` : "My organization";
        org = await createOrganizationFor(em, ctx, user, title, { audit: false });
        changes = { organization: { before: null, after: title }, role: { before: null, after: "OW" } };
      }
      audit(em, { request: ctx.request, user, organization: org }, { action: "account.signup", targetType: "user", targetId: user.id, changes });
      await em.flush();
      await startSession(em, ctx, user);
      return user.id;
    });
    return currentUser(ctx.em, userId, undefined, ctx.config.LATTICE_EDITION);
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) {
      throw new DomainError("CONFLICT", "An account with this email already exists; sign in instead.", { field: "email" });
    }
    throw err;
  }
}

export async function login(ctx: Context, input: { email: string; password: string; invite_token?: string }) {
  const email = normalizeEmail(input.email);
  const ip = ctx.request.ip || "unknown";
  await assertLoginAllowed(ctx.em, email, ip);
  const user = await ctx.em.findOne(User, { email });
  const ok = await verifyPassword(user?.passwordHash, input.password);
  if (!user || !ok) {
    await recordLoginFailure(ctx.em, email, ip);
    throw new DomainError("UNAUTHORIZED", "The email or the password is not right.");
  }
  await clearAccountFailures(ctx.em, email);
  await ctx.em.transactional(async (em) => {
    const u = await em.findOneOrFail(User, user.id);
    let changes: Changes | null = null;
    if (input.invite_token) {
      // Signing in through an invitation link joins its organization as pending (once).
      const org = await organizationForInvite(em, input.invite_token);
      const { membership, joined } = await joinPending(em, org, u);
      if (joined) changes = { status: { before: null, after: "pending" } };
      // A deactivated member stays out: the link does not make that organization active.
      if (membership.status !== "deactivated") u.activeOrganization = org;
    }
    audit(em, { request: ctx.request, user: u, organization: u.activeOrganization ?? null }, { action: "account.login", targetType: "user", targetId: u.id, changes });
    await startSession(em, ctx, u);
  });
  return currentUser(ctx.em, user.id, undefined, ctx.config.LATTICE_EDITION);
}

export async function logout(ctx: Context) {
  const sessionId = ctx.principal?.sessionId;
  await ctx.em.transactional(async (em) => {
    if (sessionId) await em.nativeDelete(Session, { id: sessionId });
    // Logged where the sign-in was: the active organization.
    if (ctx.user) {
      const organizationId = ctx.principal?.tokenOrganizationId ?? ctx.user.activeOrganization?.id ?? null;
      audit(em, { request: ctx.request, user: ctx.user, organization: null }, { action: "account.logout", targetType: "user", targetId: ctx.user.id, organizationId });
    }
  });
  ctx.cookies.clear(SESSION_COOKIE, { secure: !!ctx.request.secure });
  return { ok: true as const };
}

/**
 * The signed-in user, their active organization and their status in it (what a pending
 * member's page shows). Through an API token, the token's organization is the active one and
 * the only one listed.
 */
export async function currentUser(em: EntityManager, userId: number, via: { tokenOrganizationId?: number } | undefined, edition: Edition) {
  const user = await em.findOneOrFail(User, userId, { refresh: true });
  const activeId = via?.tokenOrganizationId ?? user.activeOrganization?.id ?? null;
  const membership = activeId ? await em.findOne(Membership, { organization: activeId, user: userId }, { populate: ["organization"], refresh: true }) : null;
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    active_organization:
      membership && membership.status !== "deactivated"
        ? {
            id: membership.organization.id,
            title: membership.organization.title,
            role: memberCode(membership),
            status: membership.status,
          }
        : null,
    organizations: await listOrganizations(em, userId, via),
    edition,
  };
}
