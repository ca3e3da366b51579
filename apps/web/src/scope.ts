// The workspaces the signed-in member sees, and the facts the policy needs about them and
// about projects, gathered once per page.
import { can, type ProjectFacts, type WorkspaceFacts } from "@lattice/policy";
import { useMemo } from "react";
import { projectFacts, workspaceFacts } from "./access.js";
import { useSession } from "./session.js";
import { trpc, type Person, type Project, type ProjectDetail, type Workspace } from "./trpc.js";

export interface Scope {
  loading: boolean;
  workspaces: Workspace[];
  byId: Map<number, Workspace>;
  sandbox: Workspace | undefined;
  /** Workspaces other than sandboxes (what the navigation lists under Workspaces). */
  shared: Workspace[];
  workspaceFacts(ws: Workspace): WorkspaceFacts;
  projectFacts(p: Project | ProjectDetail, membership?: { direct: boolean; assigned: boolean }): ProjectFacts;
  /** Workspaces the member may create projects in (or move projects to). */
  creatable: Workspace[];
}

export function useScope(): Scope {
  const { me, subject } = useSession();
  const list = trpc.workspace.list.useQuery();
  const workspaces = useMemo(() => list.data ?? [], [list.data]);
  // Only a manager's rights on a workspace depend on belonging to it; the lists do not say
  // whether the caller belongs, so ask each shared workspace's member list.
  const needMembers = subject.role === "manager";
  const shared = useMemo(() => workspaces.filter((w) => !w.is_sandbox), [workspaces]);
  const memberQueries = trpc.useQueries((t) => (needMembers ? shared.map((w) => t.workspace.members({ id: w.id })) : []));
  const membersKey = memberQueries.map((q) => q.dataUpdatedAt).join(",");

  return useMemo(() => {
    const membersOf = new Map<number, Person[]>();
    if (needMembers) shared.forEach((w, i) => membersOf.set(w.id, memberQueries[i]?.data ?? []));
    const byId = new Map(workspaces.map((w) => [w.id, w]));
    const wsFacts = (ws: Workspace) => workspaceFacts(ws, me.id, membersOf.get(ws.id));
    return {
      loading: list.isPending || memberQueries.some((q) => q.isPending),
      workspaces,
      byId,
      sandbox: workspaces.find((w) => w.is_sandbox),
      shared,
      workspaceFacts: wsFacts,
      projectFacts: (p, membership) =>
        projectFacts(p, {
          meId: me.id,
          role: subject.role,
          workspace: byId.get(p.workspace),
          workspaceMembers: membersOf.get(p.workspace),
          membership,
        }),
      creatable: workspaces.filter((w) => can(subject, "project.create", wsFacts(w))),
    };
    // memberQueries changes identity every render; membersKey stands for its content.
  }, [workspaces, shared, needMembers, membersKey, me.id, subject, list.isPending]);
}
