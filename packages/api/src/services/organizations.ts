// Organizations, their sandboxes and invitation links.
import { createHmac } from "node:crypto";
import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Context } from "../context.js";
import { Membership, Organization, User, type IMembership, type IOrganization, type IUser } from "../db/entities.js";
import { DomainError } from "../errors.js";
import { randomToken, sha256 } from "../auth/crypto.js";
import { audit, diff } from "./audit.js";
import { memberCode } from "./members.js";
import type { MembershipStatus, Role, RoleCode } from "@lattice/policy";

/** Create the member's private sandbox in `organizationId` unless they have one (kept across removal). */
export async function ensureSandbox(em: EntityManager, organizationId: number, userId: number): Promise<void> {
  await em.execute(
    `insert into workspaces (organization_id, title, color, description, is_sandbox, sandbox_user_id, created_by_id, created_at, updated_at)
     values (?, 'Sandbox', '#868e96', 'Your private workspace: only you see it and its projects.', true, ?, ?, now(), now())
     on conflict do nothing`,
    [organizationId, userId, userId],
  );
}

/**
 * A new organization owned by `user`, with the owner's sandbox; the user's active organization
 * becomes it. Logs `organization.create` unless the caller logs the whole operation itself
 * (sign-up writes one row for the account and its organization).
 */
export async function createOrganizationFor(
  em: EntityManager,
  ctx: Pick<Context, "request">,
  user: IUser,
  title: string,
  opts: { audit?: boolean } = {},
): Promise<IOrganization> {
  const org = em.create(Organization, { title, createdBy: user });
  em.create(Membership, { organization: org, user, role: "owner", status: "active", source: "manual" });
  user.activeOrganization = org;
  await em.flush();
  await ensureSandbox(em, org.id, user.id);
  if (opts.audit !== false) {
    audit(em, { request: ctx.request, user, organization: org }, {
      action: "organization.create",
      targetType: "organization",
      targetId: org.id,
      changes: { title: { before: null, after: title } },
    });
  }
  return org;
}

export interface OrganizationSummary {
  id: number;
  title: string;
  created_at: string;
}

/**
 * The organizations the user belongs to (pending included, deactivated excluded). Through an
 * API token, only the token's organization: a token works for its own organization alone.
 */
export async function listOrganizations(
  em: EntityManager,
  userId: number,
  via?: { tokenOrganizationId?: number },
): Promise<(OrganizationSummary & { role: RoleCode; status: MembershipStatus })[]> {
  const only = via?.tokenOrganizationId;
  const rows = await em.execute<{ id: number; title: string; created_at: Date; role: Role | null; status: MembershipStatus }[]>(
    `select o.id, o.title, o.created_at, m.role, m.status from memberships m join organizations o on o.id = m.organization_id
      where m.user_id = ? and m.status <> 'deactivated' ${only === undefined ? "" : "and o.id = ?"} order by o.id`,
    only === undefined ? [userId] : [userId, only],
  );
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    created_at: new Date(r.created_at).toISOString(),
    role: memberCode(r),
    status: r.status,
  }));
}

/** Seats in use: the organization's active members. */
export async function activeSeats(em: EntityManager, organizationId: number): Promise<number> {
  const [row] = await em.execute<{ n: string }[]>(`select count(*) as n from memberships where organization_id = ? and status = 'active'`, [organizationId]);
  return Number(row?.n ?? 0);
}

export async function organizationDetails(em: EntityManager, org: IOrganization) {
  return {
    id: org.id,
    title: org.title,
    created_at: org.createdAt.toISOString(),
    seat_limit: org.seatLimit ?? null,
    seats_used: await activeSeats(em, org.id),
  };
}

export async function updateOrganization(ctx: Context & { organization: IOrganization }, input: { title?: string; seat_limit?: number | null }) {
  return ctx.em.transactional(async (em) => {
    const org = await em.findOneOrFail(Organization, ctx.organization.id, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    const before = { title: org.title, seat_limit: org.seatLimit ?? null };
    if (input.seat_limit !== undefined && input.seat_limit !== null) {
      const used = await activeSeats(em, org.id);
      if (input.seat_limit < used) {
        throw new DomainError("RULE_REFUSED", `The seat limit cannot be below the ${used} active members; deactivate members first.`, {
          field: "seat_limit",
        });
      }
    }
    const changes = diff(before, { title: input.title, seat_limit: input.seat_limit });
    if (input.title !== undefined) org.title = input.title;
    if (input.seat_limit !== undefined) org.seatLimit = input.seat_limit;
    // Setting what is already set changes nothing and logs nothing.
    if (Object.keys(changes).length > 0) {
      audit(em, ctx, { action: "organization.update", targetType: "organization", targetId: org.id, changes });
    }
    await em.flush();
    return organizationDetails(em, org);
  });
}

/**
 * Make `organizationId` the caller's active organization. Any organization they belong to and
 * are not deactivated in (a pending member switches to see their waiting state); 0 is a no-op
 * on the active one. API tokens are bound to their organization and cannot switch.
 */
export async function switchOrganization(ctx: Context & { user: IUser }, organizationId: number): Promise<OrganizationSummary> {
  if (ctx.principal?.via === "token") {
    // A token is bound to its organization: other organizations do not exist for it, and
    // "switching" to its own changes nothing.
    const own = ctx.principal.tokenOrganizationId;
    if (organizationId !== 0 && organizationId !== own) throw new DomainError("NOT_FOUND", "Organization not found.");
    const org = await ctx.em.findOneOrFail(Organization, own!);
    return { id: org.id, title: org.title, created_at: org.createdAt.toISOString() };
  }
  if (organizationId === 0) {
    const active = ctx.user.activeOrganization?.id;
    if (!active) throw new DomainError("NOT_FOUND", "You have no active organization.");
    organizationId = active;
  }
  return ctx.em.transactional(async (em) => {
    const m = await em.findOne(Membership, { organization: organizationId, user: ctx.user.id }, { populate: ["organization"] });
    if (!m || m.status === "deactivated") throw new DomainError("NOT_FOUND", "Organization not found.");
    const user = await em.findOneOrFail(User, ctx.user.id, { refresh: true });
    const before = user.activeOrganization?.id ?? null;
    if (before !== organizationId) {
      user.activeOrganization = m.organization;
      audit(em, { ...ctx, organization: m.organization }, {
        action: "organization.switch",
        targetType: "user",
        targetId: user.id,
        changes: { active_organization: { before, after: organizationId } },
      });
      await em.flush();
    }
    ctx.user.activeOrganization = m.organization;
    const org = m.organization;
    return { id: org.id, title: org.title, created_at: org.createdAt.toISOString() };
  });
}

// ---- Invitation links ----

function secretKey(ctx: Pick<Context, "config">): string {
  const key = ctx.config.LATTICE_SECRET_KEY;
  if (!key) throw new DomainError("RULE_REFUSED", "Invitation links need LATTICE_SECRET_KEY to be configured on the server.");
  return key;
}

function inviteToken(key: string, orgId: number, nonce: string): string {
  return createHmac("sha256", key).update(`invite:${orgId}:${nonce}`).digest("base64url");
}

function inviteUrl(ctx: Pick<Context, "config" | "request">, token: string): string {
  const base = ctx.config.LATTICE_PUBLIC_URL ?? ctx.request.origin ?? "";
  return `${base.replace(/\/+$/, "")}/signup?invite=${encodeURIComponent(token)}`;
}

/** The organization's invitation link, issuing the first one when there is none. */
export async function getInvite(ctx: Context & { organization: IOrganization }) {
  const key = secretKey(ctx);
  return ctx.em.transactional(async (em) => {
    const org = await em.findOneOrFail(Organization, ctx.organization.id, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (!org.inviteNonce) {
      org.inviteNonce = randomToken(24);
      org.inviteTokenHash = sha256(inviteToken(key, org.id, org.inviteNonce));
      org.inviteTokenCreatedAt = new Date();
      audit(em, ctx, { action: "invite.manage", targetType: "organization", targetId: org.id, changes: { invite_link: { before: null, after: "issued" } } });
      await em.flush();
    }
    const token = inviteToken(key, org.id, org.inviteNonce);
    return { token, invite_url: inviteUrl(ctx, token) };
  });
}

/** A new invitation link; the old one stops working at once. */
export async function resetInvite(ctx: Context & { organization: IOrganization }) {
  const key = secretKey(ctx);
  return ctx.em.transactional(async (em) => {
    const org = await em.findOneOrFail(Organization, ctx.organization.id, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    org.inviteNonce = randomToken(24);
    const token = inviteToken(key, org.id, org.inviteNonce);
    org.inviteTokenHash = sha256(token);
    org.inviteTokenCreatedAt = new Date();
    audit(em, ctx, { action: "invite.manage", targetType: "organization", targetId: org.id, changes: { invite_link: { before: "previous", after: "reset" } } });
    await em.flush();
    return { token, invite_url: inviteUrl(ctx, token) };
  });
}

/** The organization an invitation token belongs to, or a clear refusal. */
export async function organizationForInvite(em: EntityManager, token: string): Promise<IOrganization> {
  const org = await em.findOne(Organization, { inviteTokenHash: sha256(token) });
  if (!org) throw new DomainError("RULE_REFUSED", "This invitation link is not valid; it may have been reset. Ask for a new one.", { field: "invite_token" });
  return org;
}

/**
 * Join `org` as a pending member unless already a member (of any status). Returns the
 * membership and whether it was created; the caller logs the operation (one row per request).
 */
export async function joinPending(em: EntityManager, org: IOrganization, user: IUser): Promise<{ membership: IMembership; joined: boolean }> {
  const existing = await em.findOne(Membership, { organization: org.id, user: user.id });
  if (existing) return { membership: existing, joined: false };
  const membership = em.create(Membership, { organization: org, user, role: null, status: "pending", source: "manual" });
  await em.flush();
  await ensureSandbox(em, org.id, user.id);
  return { membership, joined: true };
}
