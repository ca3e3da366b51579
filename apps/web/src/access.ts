// What the web app shows each person is decided by @lattice/policy, with the facts the API
// gives us about a resource. The server enforces the same rules; these only hide or disable.
import {
  can,
  codeToMembership,
  ROLES,
  roleToCode,
  type ActiveRoleCode,
  type Action,
  type MembershipStatus,
  type Role,
  type RoleCode,
  type Subject,
  type WorkspaceFacts,
} from "@lattice/policy";
import type { Workspace } from "./trpc.js";

/** The caller's subject in their active organization, from `auth.session`. */
export function subjectFrom(org: { role: RoleCode; status: MembershipStatus } | null): Subject {
  if (!org) return { role: null, status: "deactivated" };
  if (org.status !== "active") return { role: null, status: org.status };
  const m = codeToMembership(org.role);
  return { role: m.role, status: m.status };
}

export const ROLE_LABEL: Record<Role, string> = {
  owner: "Owner",
  administrator: "Administrator",
  manager: "Manager",
  reviewer: "Reviewer",
  annotator: "Annotator",
};

/** How the People list names a membership code. */
export const CODE_LABEL: Record<RoleCode, string> = {
  OW: "Owner",
  AD: "Administrator",
  MA: "Manager",
  RE: "Reviewer",
  AN: "Annotator",
  NO: "Not Activated",
  DI: "Deactivated",
};

/** A role or a membership code in words ("annotator" and "AN" are both "Annotator"); "—" for none. */
export function roleLabel(role: string | null | undefined): string {
  if (!role) return "—";
  if (role in ROLE_LABEL) return ROLE_LABEL[role as Role];
  return role in CODE_LABEL ? CODE_LABEL[role as RoleCode] : role;
}

/** The codes of the roles an active member needs to be given work of this kind (as the server checks it). */
export function roleCodesThatMay(action: Action): ActiveRoleCode[] {
  return ROLES.filter((role) => can({ role, status: "active" }, action)).map(roleToCode);
}

export const STATUS_LABEL: Record<MembershipStatus, string> = {
  active: "Active",
  pending: "Not Activated",
  deactivated: "Deactivated",
};

// What an authoritative directory manages the API refuses to change by hand (422); the objects
// say so (`managed_by_directory`, `members_managed_by_directory`) and these are the reasons shown.

/** Why a directory-managed member's role cannot be changed here, nor the member removed. */
export function memberManagedByDirectoryReason(source: string): string {
  return `Managed by the directory (${source.toUpperCase()}): change it in the identity provider.`;
}

/** Why the members of a directory-managed workspace or project cannot be changed here. */
export const MEMBERS_MANAGED_BY_DIRECTORY = "Members are managed by the directory: change the group in the identity provider.";

/** Facts about a workspace the caller sees. A sandbox the caller sees is their own. */
export function workspaceFacts(ws: Workspace, meId: number): WorkspaceFacts {
  return {
    isSandbox: ws.is_sandbox,
    ownSandbox: ws.is_sandbox,
    workspaceMember: !ws.is_sandbox && ws.is_member,
    createdByMe: ws.created_by === meId,
  };
}
