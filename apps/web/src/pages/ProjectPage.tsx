import { ProjectMembersTable } from "../components/ProjectMembersTable.js";
import { Alert, Anchor, Badge, Button, Card, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { can } from "@lattice/policy";
import { Link, useParams } from "react-router";
import { PinIcon } from "../components/icons.js";
import { TasksPanel } from "../components/TasksPanel.js";
import { ProjectAccessCard } from "../components/AccessViews.js";
import { errorText } from "../errors.js";
import { usePinning } from "../pinning.js";
import { useSession } from "../session.js";
import type { ReactElement } from "react";
import { trpc, type ProjectDetail } from "../trpc.js";

export function useProjectId(): number {
  const id = Number(useParams().id);
  return Number.isSafeInteger(id) && id > 0 ? id : 0;
}

/**
 * The project of the route, with the caller's facts about it as the server decided with them,
 * or what to show instead while it loads or when it cannot be read.
 */
export function useRouteProject(): { project: ProjectDetail; fallback: null } | { project: null; fallback: ReactElement } {
  const id = useProjectId();
  const project = trpc.project.get.useQuery({ id }, { enabled: id > 0 });
  const unavailable = (message: string) => (
    <Alert color="red" role="alert" title="Project not available">
      {message}
    </Alert>
  );
  if (id === 0) return { project: null, fallback: unavailable("There is no such project.") };
  if (project.isPending) return { project: null, fallback: <Loader size="sm" aria-label="Loading project" /> };
  if (project.isError) return { project: null, fallback: unavailable(errorText(project.error)) };
  return { project: project.data, fallback: null };
}

/** One project: what it is, where it lives, who is in it, and its tasks. */
export function ProjectPage() {
  const { me, subject } = useSession();
  const { project: p, fallback } = useRouteProject();
  const members = trpc.project.members.useQuery({ id: p?.id ?? 0 }, { enabled: !!p });
  const pinning = usePinning();

  if (!p) return fallback;
  const facts = p.facts;
  const mayPin = can(subject, "project.pin", facts);
  const mayChange = can(subject, "project.update", facts);

  return (
    <Stack gap="lg">
      <Anchor component={Link} to="/projects" size="sm">
        ← All projects
      </Anchor>
      <Group justify="space-between" align="flex-start">
        <Stack gap={6}>
          <Group gap="sm">
            <Title order={1}>{p.title}</Title>
            {p.pinned_at && (
              <Badge color="orange" variant="light" leftSection={<PinIcon />}>
                Pinned
              </Badge>
            )}
          </Group>
          <Group gap="xs">
            <Badge variant="dot" color={p.workspace_color} styles={{ root: { textTransform: "none" } }}>
              {p.workspace_title}
            </Badge>
            <Text size="sm" c="dimmed">
              {p.task_count} {p.task_count === 1 ? "task" : "tasks"}
            </Text>
          </Group>
        </Stack>
        <Group gap="sm">
          {mayPin &&
            (p.pinned_at ? (
              <Button variant="default" onClick={() => pinning.unpin(p)}>
                Unpin project
              </Button>
            ) : (
              <Button variant="default" onClick={() => pinning.pin(p)}>
                Pin project
              </Button>
            ))}
          {mayChange && (
            <Button component={Link} to={`/projects/${p.id}/settings`} variant="light">
              Project settings
            </Button>
          )}
        </Group>
      </Group>
      {p.description && <Text>{p.description}</Text>}
      <Card withBorder>
        <Stack gap="xs">
          <Title order={2} size="h4">
            Members
          </Title>
          <Text size="sm" c="dimmed">
            People added to this project directly or given tasks in it. Members of the workspace and managers reach it too.
          </Text>
          {members.isPending && <Loader size="xs" />}
          {members.data && members.data.length === 0 && (
            <Text size="sm" c="dimmed">
              Nobody has been added to this project.
            </Text>
          )}
          {members.data && members.data.length > 0 && <ProjectMembersTable members={members.data} />}
        </Stack>
      </Card>
      <TasksPanel project={p} subject={subject} facts={facts} meId={me.id} />
      {can(subject, "project.viewAccess", facts) && <ProjectAccessCard projectId={p.id} />}
    </Stack>
  );
}
