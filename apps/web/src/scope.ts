// The workspaces the signed-in member sees, and the facts the policy needs about them,
// gathered once per page (projects carry their facts from the server).
import { can, type WorkspaceFacts } from "@lattice/policy";
import { useMemo } from "react";
import { workspaceFacts } from "./access.js";
import { useSession } from "./session.js";
import { trpc, type Workspace } from "./trpc.js";

export interface Scope {
  loading: boolean;
  workspaces: Workspace[];
  byId: Map<number, Workspace>;
  sandbox: Workspace | undefined;
  /** Workspaces other than sandboxes (what the navigation lists under Workspaces). */
  shared: Workspace[];
  workspaceFacts(ws: Workspace): WorkspaceFacts;
  /** Workspaces the member may create projects in (or move projects to). */
  creatable: Workspace[];
}

export function useScope(): Scope {
  const { me, subject } = useSession();
  const list = trpc.workspace.list.useQuery();
  const workspaces = useMemo(() => list.data ?? [], [list.data]);
  const shared = useMemo(() => workspaces.filter((w) => !w.is_sandbox), [workspaces]);

  return useMemo(() => {
    const byId = new Map(workspaces.map((w) => [w.id, w]));
    // Each row says whether the caller belongs to it (`is_member`), so no member lists are asked.
    const wsFacts = (ws: Workspace) => workspaceFacts(ws, me.id);
    return {
      loading: list.isPending,
      workspaces,
      byId,
      sandbox: workspaces.find((w) => w.is_sandbox),
      shared,
      workspaceFacts: wsFacts,
      creatable: workspaces.filter((w) => can(subject, "project.create", wsFacts(w))),
    };
  }, [workspaces, shared, me.id, subject, list.isPending]);
}
