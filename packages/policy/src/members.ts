// Role administration: who may change whose role, and handing over ownership.

import type { MemberFacts } from "./facts.js";
import { explain } from "./policy.js";
import type { Decision } from "./policy.js";
import { assignableRoles } from "./roles.js";
import type { Edition, MembershipStatus, Role } from "./roles.js";

/** A membership that takes part in a role change: whose it is, its role and its status. */
export interface MemberRef {
  readonly userId: string | number;
  /** `null` while pending. */
  readonly role: Role | null;
  readonly status: MembershipStatus;
}

/** What a role change sets: a role (activating a pending or deactivated member), or deactivation. */
export type RoleChange = Role | "deactivated";

/** The member facts of `actor` acting on `target`. */
export function memberFacts(actor: MemberRef, target: MemberRef): MemberFacts {
  return { isSelf: actor.userId === target.userId, targetIsOwner: target.role === "owner" };
}

const ROLE_NAMES = {
  enterprise: "the administrator, manager, reviewer and annotator roles",
  teams: "only the manager role",
} as const satisfies Record<Edition, string>;

/**
 * Whether `actor` may set `target` to `newRole` (or deactivate them), with the reason.
 * Only an active administrator or the owner; never one's own membership; never to or from
 * `owner` (administrators cannot touch the owner's account); only roles the edition assigns.
 *
 * Decisions where PERMISSIONS.md is silent: an administrator may change another
 * administrator's role or deactivate them; setting the role a member already has is allowed
 * (a no-op); a member cannot be set back to pending.
 */
export function explainChangeRole(
  actor: MemberRef,
  target: MemberRef,
  newRole: RoleChange,
  edition: Edition = "enterprise",
): Decision {
  const base = explain(actor, "member.changeRole", memberFacts(actor, target));
  if (!base.allowed) return base;
  if (newRole === "owner") {
    return { allowed: false, reason: "Nobody can be made owner; the owner hands over ownership to an administrator instead." };
  }
  if (newRole !== "deactivated" && !assignableRoles(edition).some((r) => r === newRole)) {
    return { allowed: false, reason: `The ${edition} edition assigns ${ROLE_NAMES[edition]}.` };
  }
  const who = actor.role === "owner" ? "The owner" : "Administrators";
  if (newRole === "deactivated") return { allowed: true, reason: `${who} can deactivate this member.` };
  if (target.status !== "active") return { allowed: true, reason: `${who} can activate this member as ${newRole}.` };
  return { allowed: true, reason: `${who} can make this member ${newRole === "administrator" ? "an" : "a"} ${newRole}.` };
}

/** `explainChangeRole(…).allowed`. */
export function canChangeRole(actor: MemberRef, target: MemberRef, newRole: RoleChange, edition: Edition = "enterprise"): boolean {
  return explainChangeRole(actor, target, newRole, edition).allowed;
}

/**
 * Whether `actor` may hand ownership to `target`, with the reason: only the owner, and only to
 * another active administrator (the old owner then becomes an administrator).
 */
export function explainTransferOwnership(actor: MemberRef, target: MemberRef): Decision {
  const base = explain(actor, "ownership.transfer");
  if (!base.allowed) return base;
  if (actor.userId === target.userId) return { allowed: false, reason: "The owner already owns the organization." };
  if (target.status !== "active" || target.role !== "administrator") {
    return { allowed: false, reason: "Ownership can only be handed to an active administrator." };
  }
  return { allowed: true, reason: "The owner can hand ownership to this administrator, and then becomes an administrator." };
}

/** `explainTransferOwnership(…).allowed`. */
export function canTransferOwnership(actor: MemberRef, target: MemberRef): boolean {
  return explainTransferOwnership(actor, target).allowed;
}
