// Component-test harness: the whole app (router, providers, session) over a fake tRPC link that
// answers each procedure from a handler and records every call, so a test can also assert that
// a role's screen never asks for what the policy denies it.
import { render } from "@testing-library/react";
import { TRPCClientError, type TRPCLink } from "@trpc/client";
import { observable } from "@trpc/server/observable";
import type { AppRouter } from "@lattice/api";
import { MemoryRouter } from "react-router";
import { App } from "../App.js";
import { Providers, createQueryClient } from "../providers.js";
import { PROJECT_FACTS, type ProjectFacts } from "@lattice/policy";
import { trpc, type CurrentUser, type Member, type Project, type ProjectDetail, type Workspace } from "../trpc.js";

export type Handler = (input: unknown) => unknown;
export type Handlers = Record<string, Handler>;

export interface Call {
  path: string;
  input: unknown;
}

function fakeLink(handlers: Handlers, calls: Call[]): TRPCLink<AppRouter> {
  return () =>
    ({ op }) =>
      observable((observer) => {
        calls.push({ path: op.path, input: op.input });
        const handler = handlers[op.path];
        if (!handler) {
          observer.error(TRPCClientError.from(new Error(`test: no answer for ${op.path}`)));
          return () => undefined;
        }
        Promise.resolve()
          .then(() => handler(op.input))
          .then(
            (data) => {
              observer.next({ result: { type: "data", data } });
              observer.complete();
            },
            (err: unknown) => observer.error(TRPCClientError.from(err instanceof Error ? err : new Error(String(err)))),
          );
        return () => undefined;
      });
}

/** Render the app at `route`, signed in unless `signedIn` is false. */
export function renderApp(route: string, handlers: Handlers, { signedIn = true }: { signedIn?: boolean } = {}) {
  if (!signedIn && !handlers["auth.session"]) handlers = { ...handlers, "auth.session": () => null };
  const calls: Call[] = [];
  const client = trpc.createClient({ links: [fakeLink(handlers, calls)] });
  const queryClient = createQueryClient();
  queryClient.setDefaultOptions({ queries: { retry: false, refetchOnWindowFocus: false } });
  const utils = render(
    <Providers trpcClient={client} queryClient={queryClient} env="test">
      <MemoryRouter initialEntries={[route]}>
        <App />
      </MemoryRouter>
    </Providers>,
  );
  return { ...utils, calls, called: (path: string) => calls.some((c) => c.path === path) };
}

// ---- Fixtures ----

type Code = "OW" | "AD" | "MA" | "RE" | "AN";

export function meAs(role: Code | "NO", id = 1): CurrentUser {
  return {
    id,
    email: `user${id}@example.com`,
    name: `User ${id}`,
    active_organization: { id: 10, title: "Acme", role, status: role === "NO" ? "pending" : "active" },
    organizations: [{ id: 10, title: "Acme", created_at: "2026-01-01T00:00:00.000Z", role, status: role === "NO" ? "pending" : "active" }],
    edition: "enterprise",
  };
}

export function workspace(over: Partial<Workspace> & { id: number }): Workspace {
  return {
    title: `Workspace ${over.id}`,
    color: "#1c7ed6",
    description: "",
    is_sandbox: false,
    created_by: 99,
    created_at: "2026-01-01T00:00:00.000Z",
    project_count: 0,
    is_member: false,
    members_managed_by_directory: false,
    ...over,
  };
}

export const sandbox = (meId = 1) => workspace({ id: 1, title: "Sandbox", is_sandbox: true, created_by: meId, color: "#868e96" });

/** The viewer's facts about a project as the server reports them: none unless given. */
export function projectFacts(facts: Partial<ProjectFacts> = {}): ProjectFacts {
  return { ...(Object.fromEntries(PROJECT_FACTS.map((f) => [f, false])) as Record<keyof ProjectFacts, boolean>), ...facts };
}

/** A project as lists return it, in Claims unless `over` says otherwise. */
export function project(over: Partial<Omit<Project, "facts">> & { id: number; title: string }, facts: Partial<ProjectFacts> = {}): Project {
  return {
    description: "",
    workspace: 2,
    workspace_title: "Claims",
    workspace_color: "#0ca678",
    pinned_at: null,
    created_by: 99,
    created_at: "2026-01-01T00:00:00.000Z",
    task_count: 0,
    ...over,
    facts: projectFacts(facts),
  };
}

/**
 * A project as `project.get` returns it: Injury Claims (12) in Claims unless `over` says
 * otherwise, with the viewer's facts (none unless given; the settings' own-data switch).
 */
export function projectDetail(over: Partial<Omit<ProjectDetail, "facts">> = {}, facts: Partial<ProjectFacts> = {}): ProjectDetail {
  const settings = over.settings ?? { annotators_may_view_own_data: false, labeling_restricted_to_assigned: true };
  return {
    ...project({ id: 12, title: "Injury Claims", ...over }, { annotatorsMayViewOwnData: settings.annotators_may_view_own_data, ...facts }),
    label_config: "",
    members_managed_by_directory: false,
    ...over,
    settings,
  };
}

export function page<T>(results: T[]) {
  return { count: results.length, next: null, previous: null, results };
}

export function member(id: number, role: Member["role"], name = `Person ${id}`): Member {
  return {
    id: 100 + id,
    user: { id, email: `person${id}@example.com`, name },
    role,
    status: role === "NO" ? "pending" : role === "DI" ? "deactivated" : "active",
    source: "manual",
    managed_by_directory: false,
    created_at: "2026-01-01T00:00:00.000Z",
  };
}

/** Answers every signed-in page needs, for `me`. */
export function baseHandlers(me: CurrentUser, workspaces: Workspace[], projects: Project[] = []): Handlers {
  return {
    "auth.session": () => me,
    "workspace.list": () => workspaces,
    "workspace.members": () => [],
    "project.list": () => page(projects),
  };
}
