import { ActionIcon, Alert, Anchor, Badge, Card, Group, Loader, Menu, NativeSelect, Pagination, SimpleGrid, Stack, Text } from "@mantine/core";
import { can, explain, type ProjectFacts } from "@lattice/policy";
import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { errorText } from "../errors.js";
import { usePinning } from "../pinning.js";
import { useSession } from "../session.js";
import { trpc, type Project } from "../trpc.js";
import { DuplicateDialog } from "./DuplicateDialog.js";
import { DotsIcon, PinIcon } from "./icons.js";

export const PROJECTS_PAGE_SIZE = 12;

const FILTERS = [
  { value: "all", label: "All projects", api: "all" },
  { value: "pinned", label: "Pinned projects", api: "pinned_only" },
  { value: "unpinned", label: "Unpinned projects", api: "exclude_pinned" },
] as const;

type FilterValue = (typeof FILTERS)[number]["value"];

/** The filter drop-down, kept in the address (`?filter=pinned`) so that a reload keeps it. */
export function useProjectFilter() {
  const [params, setParams] = useSearchParams();
  const value = (FILTERS.find((f) => f.value === params.get("filter"))?.value ?? "all") as FilterValue;
  const page = Math.max(1, Number(params.get("page")) || 1);
  const set = (next: { filter?: FilterValue; page?: number }) => {
    const p = new URLSearchParams(params);
    const f = next.filter ?? value;
    if (f === "all") p.delete("filter");
    else p.set("filter", f);
    const pg = next.page ?? (next.filter ? 1 : page);
    if (pg <= 1) p.delete("page");
    else p.set("page", String(pg));
    setParams(p, { replace: true });
  };
  return { value, page, api: FILTERS.find((f) => f.value === value)!.api, set };
}

export function ProjectFilterSelect() {
  const filter = useProjectFilter();
  return (
    <NativeSelect
      aria-label="Filter projects"
      data={FILTERS.map((f) => ({ value: f.value, label: f.label }))}
      value={filter.value}
      onChange={(e) => filter.set({ filter: e.currentTarget.value as FilterValue })}
      w={190}
    />
  );
}

/** Project cards, pinned first, paginated; `workspace` narrows them to one workspace. */
export function ProjectList({ workspace }: { workspace?: number }) {
  const filter = useProjectFilter();
  const list = trpc.project.list.useQuery(
    { filter: filter.api, page: filter.page, page_size: PROJECTS_PAGE_SIZE, workspace },
    { placeholderData: (prev) => prev },
  );
  const pinning = usePinning();
  const pages = Math.max(1, Math.ceil((list.data?.count ?? 0) / PROJECTS_PAGE_SIZE));

  if (list.isPending) return <Loader size="sm" aria-label="Loading projects" />;
  if (list.isError)
    return (
      <Alert color="red" role="alert" title="Could not load the projects">
        {errorText(list.error)}
      </Alert>
    );
  const { results, count } = list.data;
  return (
    <Stack gap="md">
      {count === 0 && (
        <Text c="dimmed">
          {filter.value === "pinned" ? "There are no pinned projects." : filter.value === "unpinned" ? "Every project is pinned." : "No projects yet."}
        </Text>
      )}
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} role="list" aria-label="Projects">
        {results.map((p) => (
          <ProjectCard key={p.id} project={p} facts={p.facts} onPin={pinning.pin} onUnpin={pinning.unpin} />
        ))}
      </SimpleGrid>
      {pages > 1 && (
        <Group justify="center">
          <Pagination total={pages} value={filter.page} onChange={(page) => filter.set({ page })} aria-label="Project pages" />
        </Group>
      )}
    </Stack>
  );
}

export function ProjectCard({
  project: p,
  facts,
  onPin,
  onUnpin,
}: {
  project: Project;
  facts: ProjectFacts;
  onPin: (p: Project) => void;
  onUnpin: (p: Project) => void;
}) {
  const { subject } = useSession();
  const mayPin = can(subject, "project.pin", facts);
  const mayChange = can(subject, "project.update", facts);
  const duplication = explain(subject, "project.duplicate", facts);
  const [duplicating, setDuplicating] = useState(false);
  const pinned = !!p.pinned_at;

  return (
    <Card withBorder padding="md" role="listitem" aria-label={p.title} data-testid="project-card">
      <Stack gap={6} h="100%">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Anchor component={Link} to={`/projects/${p.id}`} fw={600} size="lg" lineClamp={2}>
            {p.title}
          </Anchor>
          {pinned && (
            <Badge color="orange" variant="light" leftSection={<PinIcon />}>
              Pinned
            </Badge>
          )}
        </Group>
        {p.description && (
          <Text size="sm" c="dimmed" lineClamp={2}>
            {p.description}
          </Text>
        )}
        <Group justify="space-between" mt="auto" pt="xs" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <Badge variant="dot" color={p.workspace_color} styles={{ root: { textTransform: "none" } }}>
              {p.workspace_title}
            </Badge>
            <Text size="xs" c="dimmed">
              {p.task_count} {p.task_count === 1 ? "task" : "tasks"}
            </Text>
          </Group>
          {(mayPin || mayChange) && (
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <ActionIcon variant="subtle" color="gray" aria-label={`More actions for ${p.title}`}>
                  <DotsIcon />
                </ActionIcon>
              </Menu.Target>
              <Menu.Dropdown>
                {mayPin &&
                  (pinned ? (
                    <Menu.Item onClick={() => onUnpin(p)}>Unpin project</Menu.Item>
                  ) : (
                    <Menu.Item onClick={() => onPin(p)}>Pin project</Menu.Item>
                  ))}
                {duplication.allowed ? (
                  <Menu.Item onClick={() => setDuplicating(true)}>Duplicate project</Menu.Item>
                ) : (
                  <Menu.Item disabled aria-label="Duplicate project" title={duplication.reason}>
                    Duplicate project
                    <Text size="xs" c="dimmed" maw={240}>
                      {duplication.reason}
                    </Text>
                  </Menu.Item>
                )}
                {mayChange && (
                  <Menu.Item component={Link} to={`/projects/${p.id}/settings`}>
                    Project settings
                  </Menu.Item>
                )}
              </Menu.Dropdown>
            </Menu>
          )}
        </Group>
      </Stack>
      {duplicating && <DuplicateDialog project={p} onClose={() => setDuplicating(false)} />}
    </Card>
  );
}
