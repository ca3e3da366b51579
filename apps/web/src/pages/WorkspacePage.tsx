import { ActionIcon, Alert, Avatar, Badge, Button, ColorSwatch, Group, Loader, Stack, Text, Title, Tooltip } from "@mantine/core";
import { can, explain } from "@lattice/policy";
import { useState } from "react";
import { useParams } from "react-router";
import { MEMBERS_MANAGED_BY_DIRECTORY, workspaceFacts } from "../access.js";
import { CreateProjectDialog } from "../components/CreateProjectDialog.js";
import { GearIcon, PlusIcon } from "../components/icons.js";
import { ManageMembersDialog } from "../components/ManageMembersDialog.js";
import { ProjectFilterSelect, ProjectList } from "../components/ProjectList.js";
import { WorkspaceSettingsDialog } from "../components/WorkspaceSettingsDialog.js";
import { errorText } from "../errors.js";
import { useSession } from "../session.js";
import { trpc } from "../trpc.js";

/** One workspace (or the member's sandbox): its projects, members, and settings. */
export function WorkspacePage() {
  const id = Number(useParams().id);
  const { me, subject } = useSession();
  const ws = trpc.workspace.get.useQuery({ id }, { enabled: Number.isSafeInteger(id) && id > 0 });
  const shared = ws.data && !ws.data.is_sandbox;
  const members = trpc.workspace.members.useQuery({ id }, { enabled: !!shared });
  const [managing, setManaging] = useState(false);
  const [settings, setSettings] = useState(false);
  const [creating, setCreating] = useState(false);

  if (ws.isPending) return <Loader size="sm" aria-label="Loading workspace" />;
  if (ws.isError)
    return (
      <Alert color="red" role="alert" title="Workspace not available">
        {errorText(ws.error)}
      </Alert>
    );
  const w = ws.data;
  const facts = workspaceFacts(w, me.id);
  const mayUpdate = can(subject, "workspace.update", facts);
  const mayDelete = can(subject, "workspace.delete", facts);
  const manageMembers = explain(subject, "workspace.manageMembers", facts);
  const mayCreateProject = can(subject, "project.create", facts);

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Group gap="xs">
            <ColorSwatch color={w.color} size={18} aria-hidden />
            <Title order={1}>{w.is_sandbox ? "Sandbox" : w.title}</Title>
            {(mayUpdate || mayDelete) && (
              <ActionIcon variant="subtle" color="gray" aria-label="Workspace settings" onClick={() => setSettings(true)}>
                <GearIcon />
              </ActionIcon>
            )}
          </Group>
          <Text c="dimmed" size="sm">
            {w.is_sandbox ? "Your private workspace: only you see it and its projects. A sandbox cannot have members." : w.description || " "}
          </Text>
        </Stack>
        <Group gap="sm">
          {!w.is_sandbox &&
            manageMembers.allowed &&
            (w.members_managed_by_directory ? (
              // The API refuses (422) manual changes to the members of a workspace the directory manages.
              <Stack gap={2} align="flex-end">
                <Button variant="default" disabled aria-describedby="manage-members-reason">
                  Manage Members
                </Button>
                <Text size="xs" c="dimmed" id="manage-members-reason" maw={280} ta="right">
                  {MEMBERS_MANAGED_BY_DIRECTORY}
                </Text>
              </Stack>
            ) : (
              <Button variant="default" onClick={() => setManaging(true)}>
                Manage Members
              </Button>
            ))}
          {mayCreateProject && (
            <Button leftSection={<PlusIcon />} onClick={() => setCreating(true)}>
              Create project
            </Button>
          )}
        </Group>
      </Group>
      {shared && (
        <Group gap="xs" aria-label="Workspace members">
          <Text size="sm" fw={600}>
            Members:
          </Text>
          {members.data?.length === 0 && (
            <Text size="sm" c="dimmed">
              none yet
            </Text>
          )}
          {members.data?.map((p) => (
            <Tooltip key={p.id} label={p.email}>
              <Badge variant="light" color="gray" leftSection={<Avatar size={14} name={p.name || p.email} color="initials" />} styles={{ root: { textTransform: "none" } }}>
                {p.name || p.email}
              </Badge>
            </Tooltip>
          ))}
        </Group>
      )}
      <Group justify="space-between">
        <Title order={2} size="h3">
          Projects
        </Title>
        <ProjectFilterSelect />
      </Group>
      <ProjectList workspace={w.id} />
      {manageMembers.allowed && !w.members_managed_by_directory && <ManageMembersDialog workspace={w} opened={managing} onClose={() => setManaging(false)} />}
      {(mayUpdate || mayDelete) && <WorkspaceSettingsDialog workspace={w} subject={subject} facts={facts} opened={settings} onClose={() => setSettings(false)} />}
      {mayCreateProject && <CreateProjectDialog opened={creating} onClose={() => setCreating(false)} workspaceId={w.id} />}
    </Stack>
  );
}
