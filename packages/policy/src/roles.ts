// Roles, membership statuses, the role codes of the REST face, and editions.

/** The five roles, lowest to highest. The index in this tuple is the role's rank. */
export const ROLES = ["annotator", "reviewer", "manager", "administrator", "owner"] as const;

/** A member's role in one organization; it holds for every workspace and project there. */
export type Role = (typeof ROLES)[number];

/** Roles that someone can be given; `owner` is only ever handed over (see `canTransferOwnership`). */
export type AssignableRole = Exclude<Role, "owner">;

/** The three membership statuses. */
export const MEMBERSHIP_STATUSES = ["pending", "active", "deactivated"] as const;

/**
 * `pending`: signed up through an invitation link, no role yet (the seed's `NOT_ACTIVATED`).
 * `active`: has a role and uses a seat. `deactivated`: no access to the organization at all.
 */
export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];

/** The role codes of an active member, as the REST face spells them. */
export const ROLE_TO_CODE = {
  owner: "OW",
  administrator: "AD",
  manager: "MA",
  reviewer: "RE",
  annotator: "AN",
} as const satisfies Record<Role, string>;

/** Code of an active member's role: `OW`, `AD`, `MA`, `RE`, `AN`. */
export type ActiveRoleCode = (typeof ROLE_TO_CODE)[Role];

/** Every membership code: the five role codes, `NO` (pending, "not activated") and `DI` (deactivated). */
export type RoleCode = ActiveRoleCode | "NO" | "DI";

const CODE_TO_ROLE = {
  OW: "owner",
  AD: "administrator",
  MA: "manager",
  RE: "reviewer",
  AN: "annotator",
} as const satisfies Record<ActiveRoleCode, Role>;

/** All seven membership codes, highest role first, then `NO` and `DI`. */
export const ROLE_CODES = ["OW", "AD", "MA", "RE", "AN", "NO", "DI"] as const satisfies readonly RoleCode[];

// Compile-time proof that ROLE_CODES lists every code.
type _AllCodesListed = Exclude<RoleCode, (typeof ROLE_CODES)[number]> extends never ? true : never;
const _allCodesListed: _AllCodesListed = true;

/** A membership as it is stored once normalised: an active member has a role, the others have none. */
export type MembershipState =
  | { readonly status: "active"; readonly role: Role }
  | { readonly status: "pending"; readonly role: null }
  | { readonly status: "deactivated"; readonly role: null };

/** What `membershipToCode` accepts: a pending or deactivated member's remembered role is ignored. */
export type MembershipLike =
  | { readonly status: "active"; readonly role: Role }
  | { readonly status: "pending" | "deactivated"; readonly role?: Role | null };

/** `owner` → `OW`, …, `annotator` → `AN`. */
export function roleToCode(role: Role): ActiveRoleCode {
  return ROLE_TO_CODE[role];
}

/** `OW` → `owner`, …, `AN` → `annotator`. */
export function codeToRole(code: ActiveRoleCode): Role {
  return CODE_TO_ROLE[code];
}

/** The code a membership shows on the REST face: its role code when active, else `NO` or `DI`. */
export function membershipToCode(membership: MembershipLike): RoleCode {
  switch (membership.status) {
    case "active":
      return ROLE_TO_CODE[membership.role];
    case "pending":
      return "NO";
    case "deactivated":
      return "DI";
  }
}

/** The membership a code stands for: `NO` is pending, `DI` deactivated, the rest active with that role. */
export function codeToMembership(code: RoleCode): MembershipState {
  switch (code) {
    case "NO":
      return { status: "pending", role: null };
    case "DI":
      return { status: "deactivated", role: null };
    default:
      return { status: "active", role: CODE_TO_ROLE[code] };
  }
}

/** Narrows untrusted input (a query string, a JSON body) to a membership code. */
export function isRoleCode(value: unknown): value is RoleCode {
  return typeof value === "string" && (ROLE_CODES as readonly string[]).includes(value);
}

/** Narrows untrusted input to a role. */
export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** Narrows untrusted input to a membership status. */
export function isMembershipStatus(value: unknown): value is MembershipStatus {
  return typeof value === "string" && (MEMBERSHIP_STATUSES as readonly string[]).includes(value);
}

/** The role's rank: 0 for annotator up to 4 for owner. */
export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

/**
 * The highest of several roles, or `undefined` for none. Directory sync uses it when several
 * mapped groups apply ("the highest role wins").
 */
export function highestRole(roles: Iterable<Role>): Role | undefined {
  let best: Role | undefined;
  for (const role of roles) {
    if (best === undefined || roleRank(role) > roleRank(best)) best = role;
  }
  return best;
}

/** The two editions; the edition is instance configuration. */
export const EDITIONS = ["enterprise", "teams"] as const;

/** `enterprise` assigns four roles; `teams` assigns only `manager` (its roles are Owner and Manager). */
export type Edition = (typeof EDITIONS)[number];

const ASSIGNABLE_ROLES = {
  enterprise: ["administrator", "manager", "reviewer", "annotator"],
  teams: ["manager"],
} as const satisfies Record<Edition, readonly AssignableRole[]>;

/** The roles that an edition lets administrators (and the owner) assign, highest first. */
export function assignableRoles(edition: Edition): readonly AssignableRole[] {
  return ASSIGNABLE_ROLES[edition];
}
