// Members of an organization: the People list, activation and role changes, deactivation,
// removal and the owner's hand-over. Every change takes the organization's row lock first,
// so concurrent changes to one organization are serialised (seats, the single owner).
import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import {
  codeToMembership,
  explain,
  explainChangeRole,
  explainTransferOwnership,
  memberFacts,
  membershipToCode,
  type MemberRef,
  type MembershipStatus,
  type Role,
  type RoleCode,
} from "@lattice/policy";
import type { Context } from "../context.js";
import {
  ApiToken,
  Membership,
  Organization,
  ProjectMember,
  User,
  WorkspaceMember,
  type IMembership,
  type IOrganization,
  type IUser,
} from "../db/entities.js";
import { DomainError } from "../errors.js";
import { audit } from "./audit.js";
import { assertRoleNotDirectoryManaged, roleDirectoryManagedSql } from "./directory/settings.js";
import { activeSeats } from "./organizations.js";
import { pageLinks } from "./paging.js";
import { containsPattern } from "./sql.js";

type OrgContext = Context & { organization: IOrganization; membership: IMembership; user: IUser };

/** The LSE code of a stored membership (`NO` pending, `DI` deactivated). */
export function memberCode(m: { role?: Role | null; status: MembershipStatus }): RoleCode {
  return m.status === "active" && m.role ? membershipToCode({ status: "active", role: m.role }) : membershipToCode({ status: m.status === "active" ? "pending" : m.status });
}

function ref(m: { role?: Role | null; status: MembershipStatus }, userId: number): MemberRef {
  return { userId, role: m.status === "active" ? (m.role ?? null) : null, status: m.status };
}

export interface MemberRow {
  id: number;
  user: { id: number; email: string; name: string };
  role: RoleCode;
  status: MembershipStatus;
  source: string;
  /** An authoritative directory manages this membership: its role cannot be changed, nor the member removed, by hand. */
  managed_by_directory: boolean;
  created_at: string;
}

interface RawMember {
  id: number;
  role: Role | null;
  status: MembershipStatus;
  source: string;
  managed_by_directory: boolean;
  created_at: Date;
  user_id: number;
  email: string;
  name: string;
  total?: string;
}

/** The columns of a member row, `m` joined to its user `u`. */
const MEMBER_COLUMNS = `m.id, m.role, m.status, m.source, ${roleDirectoryManagedSql("m")} as managed_by_directory, m.created_at, u.id as user_id, u.email, u.name`;

function toRow(r: RawMember): MemberRow {
  return {
    id: r.id,
    user: { id: r.user_id, email: r.email, name: r.name },
    role: memberCode(r),
    status: r.status,
    source: r.source,
    managed_by_directory: r.managed_by_directory === true,
    created_at: new Date(r.created_at).toISOString(),
  };
}

export interface ListMembersInput {
  page: number;
  page_size: number;
  role?: RoleCode[];
  status?: MembershipStatus[];
  search?: string;
}

/** One page of the People list: one query (plus a count only when the page is past the end). */
export async function listMembers(ctx: OrgContext, input: ListMembersInput, basePath: string) {
  const where: string[] = ["m.organization_id = ?"];
  const params: unknown[] = [ctx.organization.id];
  if (input.role?.length) {
    const ors: string[] = [];
    const roles = input.role.filter((c) => c !== "NO" && c !== "DI").map((c) => codeToMembership(c).role);
    if (roles.length) {
      ors.push(`(m.status = 'active' and m.role in (${roles.map(() => "?").join(",")}))`);
      params.push(...roles);
    }
    if (input.role.includes("NO")) ors.push(`m.status = 'pending'`);
    if (input.role.includes("DI")) ors.push(`m.status = 'deactivated'`);
    where.push(`(${ors.join(" or ")})`);
  }
  if (input.status?.length) {
    where.push(`m.status in (${input.status.map(() => "?").join(",")})`);
    params.push(...input.status);
  }
  if (input.search) {
    where.push(`(u.email ilike ? or u.name ilike ?)`);
    const like = containsPattern(input.search);
    params.push(like, like);
  }
  const offset = (input.page - 1) * input.page_size;
  const conn = ctx.em;
  const rows = await conn.execute<RawMember[]>(
    `select ${MEMBER_COLUMNS}, count(*) over () as total
       from memberships m join users u on u.id = m.user_id
      where ${where.join(" and ")}
      order by m.created_at, m.id
      limit ? offset ?`,
    [...params, input.page_size, offset],
  );
  let count = Number(rows[0]?.total ?? 0);
  if (rows.length === 0 && offset > 0) {
    const [c] = await conn.execute<{ n: string }[]>(
      `select count(*) as n from memberships m join users u on u.id = m.user_id where ${where.join(" and ")}`,
      params,
    );
    count = Number(c?.n ?? 0);
  }
  const link = (page: number) => {
    const q = new URLSearchParams({ page: String(page), page_size: String(input.page_size) });
    if (input.role?.length) q.set("role", input.role.join(","));
    if (input.status?.length) q.set("status", input.status.join(","));
    if (input.search) q.set("search", input.search);
    return `${basePath}?${q.toString()}`;
  };
  return {
    ...pageLinks(input.page, input.page_size, count, rows.length, link),
    results: rows.map(toRow),
  };
}

async function memberRow(em: EntityManager, organizationId: number, userId: number): Promise<MemberRow | null> {
  const [row] = await em.execute<RawMember[]>(
    `select ${MEMBER_COLUMNS}
       from memberships m join users u on u.id = m.user_id where m.organization_id = ? and m.user_id = ?`,
    [organizationId, userId],
  );
  return row ? toRow(row) : null;
}

export async function getMember(ctx: OrgContext, userId: number): Promise<MemberRow> {
  const row = await memberRow(ctx.em, ctx.organization.id, userId);
  if (!row) throw new DomainError("NOT_FOUND", "No such member in this organization.");
  return row;
}

/** Lock the organization row and load the caller's current membership (it may have changed). */
async function lockAndReload(em: EntityManager, ctx: OrgContext) {
  // `refresh`: the request's identity map may hold the organization as read before the lock.
  const org = await em.findOneOrFail(Organization, ctx.organization.id, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  const actor = await em.findOne(Membership, { organization: org.id, user: ctx.user.id }, { refresh: true });
  if (!actor || actor.status !== "active") throw new DomainError("FORBIDDEN", "Your membership in this organization is not active.");
  return { org, actor };
}

/**
 * Activate and assign a role, change it, or deactivate (`DI`): the seed's Role drop-down and
 * `POST /api/organizations/{id}/memberships`.
 */
export async function setMemberRole(ctx: OrgContext, input: { user_id: number; role: RoleCode }): Promise<MemberRow> {
  return ctx.em.transactional(async (em) => {
    const { org, actor } = await lockAndReload(em, ctx);
    const target = await em.findOne(Membership, { organization: org.id, user: input.user_id }, { refresh: true });
    if (!target) throw new DomainError("NOT_FOUND", "No such member in this organization.", { field: "user_id" });
    if (input.role === "NO") {
      throw new DomainError("RULE_REFUSED", "A member cannot be set back to Not Activated; deactivate them instead.", { field: "role" });
    }
    const change = input.role === "DI" ? ("deactivated" as const) : codeToMembership(input.role).role!;
    const actorRef = ref(actor, ctx.user.id);
    const targetRef = ref(target, input.user_id);
    const decision = explainChangeRole(actorRef, targetRef, change, ctx.config.LATTICE_EDITION);
    if (!decision.allowed) {
      // FORBIDDEN when the caller may not touch this member (their role, themselves, the owner);
      // a rule about the role itself (owner is never assigned, the edition's roles) is 422.
      const mayTouch = explain({ role: actor.role ?? null, status: actor.status }, "member.changeRole", memberFacts(actorRef, targetRef)).allowed;
      throw new DomainError(mayTouch ? "RULE_REFUSED" : "FORBIDDEN", decision.reason, { field: "role" });
    }
    await assertRoleNotDirectoryManaged(em, org.id, target);
    const before = { role: memberCode(target), status: target.status };
    if (change === "deactivated") {
      if (target.status !== "deactivated") {
        target.status = "deactivated";
        target.role = null;
        // Tokens for this organization stop at once (the membership check refuses them too).
        await em.nativeUpdate(ApiToken, { organization: org.id, user: input.user_id, revokedAt: null }, { revokedAt: new Date() });
      }
    } else {
      if (target.status !== "active") {
        const used = await activeSeats(em, org.id);
        if (org.seatLimit !== null && org.seatLimit !== undefined && used >= org.seatLimit) {
          throw new DomainError(
            "RULE_REFUSED",
            `No free seat: the organization's seat limit is ${org.seatLimit} and ${used} members are active. Deactivate someone or raise the limit.`,
            { field: "role" },
          );
        }
      }
      target.status = "active";
      target.role = change;
    }
    const after = { role: memberCode(target), status: target.status };
    if (before.role !== after.role) {
      audit(em, ctx, {
        action: "member.changeRole",
        targetType: "membership",
        targetId: input.user_id,
        changes: { role: { before: before.role, after: after.role }, ...(before.status !== after.status ? { status: { before: before.status, after: after.status } } : {}) },
      });
    }
    await em.flush();
    return (await memberRow(em, org.id, input.user_id))!;
  });
}

/**
 * Remove a member: their work stays (shown as a deleted user); they must be re-invited to
 * return, and then come back with no workspace or project membership (ties end with the
 * membership, so a returning person regains nothing of their old access by default).
 */
export async function removeMember(ctx: OrgContext, userId: number): Promise<{ ok: true }> {
  return ctx.em.transactional(async (em) => {
    const { org, actor } = await lockAndReload(em, ctx);
    const target = await em.findOne(Membership, { organization: org.id, user: userId }, { refresh: true });
    if (!target) throw new DomainError("NOT_FOUND", "No such member in this organization.", { field: "user_id" });
    const facts = memberFacts(ref(actor, ctx.user.id), { userId, role: target.role ?? null, status: target.status });
    const decision = explain({ role: actor.role ?? null, status: actor.status }, "member.remove", facts);
    if (!decision.allowed) throw new DomainError("FORBIDDEN", decision.reason);
    await assertRoleNotDirectoryManaged(em, org.id, target);
    const before = memberCode(target);
    await em.nativeDelete(Membership, { id: target.id });
    await em.nativeDelete(WorkspaceMember, { organization: org.id, user: userId });
    await em.nativeDelete(ProjectMember, { organization: org.id, user: userId });
    await em.nativeDelete(ApiToken, { organization: org.id, user: userId });
    await em.nativeUpdate(User, { id: userId, activeOrganization: org.id }, { activeOrganization: null });
    audit(em, ctx, { action: "member.remove", targetType: "membership", targetId: userId, changes: { role: { before, after: null } } });
    await em.flush();
    return { ok: true as const };
  });
}

/** The owner hands ownership to an active administrator and becomes an administrator. */
export async function transferOwnership(ctx: OrgContext, userId: number): Promise<MemberRow> {
  return ctx.em.transactional(async (em) => {
    const { org, actor } = await lockAndReload(em, ctx);
    const target = await em.findOne(Membership, { organization: org.id, user: userId }, { refresh: true });
    if (!target) throw new DomainError("NOT_FOUND", "No such member in this organization.", { field: "user_id" });
    const decision = explainTransferOwnership(ref(actor, ctx.user.id), ref(target, userId));
    if (!decision.allowed) {
      // FORBIDDEN when the caller may not hand over ownership at all; a rule about the target is 422.
      const mayTransfer = explain({ role: actor.role ?? null, status: actor.status }, "ownership.transfer").allowed;
      throw new DomainError(mayTransfer ? "RULE_REFUSED" : "FORBIDDEN", decision.reason, { field: "user_id" });
    }
    // Demote first: the partial unique index allows one owner at any instant.
    await em.nativeUpdate(Membership, { id: actor.id }, { role: "administrator" });
    await em.nativeUpdate(Membership, { id: target.id }, { role: "owner" });
    audit(em, ctx, {
      action: "ownership.transfer",
      targetType: "organization",
      targetId: org.id,
      changes: { owner: { before: ctx.user.id, after: userId } },
    });
    await em.flush();
    return (await memberRow(em, org.id, userId))!;
  });
}
