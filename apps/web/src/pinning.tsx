// Pin and unpin with an optimistic list: the card moves at once, the server's answer then
// replaces the guess. The notification offers Undo, the inverse call; undoing an unpin pins
// as of the earlier moment, so the project goes back to its place among the pinned.
import { Button, Group, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient, type QueryKey } from "@tanstack/react-query";
import { getQueryKey } from "@trpc/react-query";
import { useRef } from "react";
import { errorText } from "./errors.js";
import { trpc, type Project, type ProjectListInput, type ProjectPage } from "./trpc.js";

const PIN_MUTATION_KEY = ["project-pins"];

type Filter = NonNullable<ProjectListInput["filter"]>;

/** The server's order: pinned first (most recently pinned first), then the rest, newest first. */
export function compareProjects(a: Pick<Project, "id" | "pinned_at">, b: Pick<Project, "id" | "pinned_at">): number {
  if (a.pinned_at && b.pinned_at && a.pinned_at !== b.pinned_at) return a.pinned_at < b.pinned_at ? 1 : -1;
  if (a.pinned_at && !b.pinned_at) return -1;
  if (!a.pinned_at && b.pinned_at) return 1;
  return b.id - a.id;
}

function belongs(p: Project, input: ProjectListInput | undefined): boolean {
  const filter: Filter = input?.filter ?? "all";
  if (filter === "pinned_only" && !p.pinned_at) return false;
  if (filter === "exclude_pinned" && p.pinned_at) return false;
  if (input?.workspace && p.workspace !== input.workspace) return false;
  if (input?.search && !p.title.toLowerCase().includes(input.search.toLowerCase())) return false;
  return true;
}

/** One cached page after `project` became `updated`: moved, dropped or brought in as the filter says. */
export function applyPin(page: ProjectPage, updated: Project, input: ProjectListInput | undefined): ProjectPage {
  const had = page.results.some((p) => p.id === updated.id);
  const rest = page.results.filter((p) => p.id !== updated.id);
  const keep = belongs(updated, input);
  const pageNo = Number(input?.page ?? 1);
  // A project not on this page is brought in only on the first page (where pins land).
  if (!had && (!keep || pageNo !== 1)) return page;
  const results = keep ? [...rest, updated].sort(compareProjects) : rest;
  const size = Number(input?.page_size ?? results.length);
  const count = page.count + (keep ? (had ? 0 : 1) : had ? -1 : 0);
  return { ...page, count, results: results.slice(0, Math.max(size, 1)) };
}

function inputOf(key: QueryKey): ProjectListInput | undefined {
  const meta = key[1] as { input?: ProjectListInput } | undefined;
  return meta?.input;
}

/** `pin(project)` and `unpin(project)`, optimistic, each followed by a notification with Undo. */
export function usePinning() {
  const queryClient = useQueryClient();
  const utils = trpc.useUtils();
  const listKey = getQueryKey(trpc.project.list);

  const optimistic = async (project: Project, pinned: boolean, pinnedAt?: string) => {
    await queryClient.cancelQueries({ queryKey: listKey });
    const snapshot = queryClient.getQueriesData<ProjectPage>({ queryKey: listKey });
    // A new pin is the most recent one, even if this clock is behind the server's.
    const newest = snapshot
      .flatMap(([, d]) => d?.results ?? [])
      .reduce((m, p) => (p.pinned_at && p.pinned_at > m ? p.pinned_at : m), "");
    const now = new Date(Math.max(Date.now(), newest ? Date.parse(newest) + 1 : 0)).toISOString();
    const updated: Project = { ...project, pinned_at: pinned ? (pinnedAt ?? now) : null };
    for (const [key, data] of snapshot) {
      if (data) queryClient.setQueryData<ProjectPage>(key, applyPin(data, updated, inputOf(key)));
    }
    utils.project.get.setData({ id: project.id }, (old) => (old ? { ...old, pinned_at: updated.pinned_at } : old));
    return { snapshot };
  };

  type Vars = { project: Project; pinned: boolean; pinnedAt?: string };
  // Pins and their undos reach the server in the order they were clicked; each one's
  // optimistic change still shows at once.
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const mutation = useMutation({
    mutationKey: PIN_MUTATION_KEY,
    mutationFn: ({ project, pinned, pinnedAt }: Vars) => {
      const call = () =>
        pinned ? utils.client.project.pin.mutate({ id: project.id, pinned_at: pinnedAt }) : utils.client.project.unpin.mutate({ id: project.id });
      const next = queue.current.then(call, call);
      queue.current = next.catch(() => undefined);
      return next;
    },
    onMutate: ({ project, pinned, pinnedAt }: Vars) => optimistic(project, pinned, pinnedAt),
    onError: (err, { project, pinned }, ctx) => {
      for (const [key, data] of ctx?.snapshot ?? []) queryClient.setQueryData(key, data);
      notifications.show({ id: `pin-${project.id}`, color: "red", title: `Could not ${pinned ? "pin" : "unpin"} ${project.title}`, message: errorText(err) });
    },
    onSettled: async () => {
      // Refetch once the last of several quick pins has settled, not in between.
      if (queryClient.isMutating({ mutationKey: PIN_MUTATION_KEY }) > 1) return;
      await Promise.all([utils.project.list.invalidate(), utils.project.get.invalidate()]);
    },
  });

  /** `undoing`: the project as it was before the call being undone (no Undo is offered then). */
  const run = (project: Project, pinned: boolean, undoing?: Project) => {
    mutation.mutate({ project, pinned, pinnedAt: pinned ? (undoing?.pinned_at ?? undefined) : undefined });
    const id = `pin-${project.id}`;
    notifications.hide(id);
    notifications.show({
      id,
      autoClose: 6000,
      message: (
        <Group justify="space-between" wrap="nowrap" gap="md">
          <Text size="sm">
            {project.title} was {pinned ? "pinned" : "unpinned"}
          </Text>
          {!undoing && (
            <Button
              size="compact-sm"
              variant="subtle"
              onClick={() => {
                notifications.hide(id);
                run({ ...project, pinned_at: pinned ? new Date().toISOString() : null }, !pinned, project);
              }}
            >
              Undo
            </Button>
          )}
        </Group>
      ),
    });
  };

  return {
    pin: (project: Project) => run(project, true),
    unpin: (project: Project) => run(project, false),
  };
}
