import { ProjectMembersTable } from "../components/ProjectMembersTable.js";
import { Alert, Anchor, Button, Card, Group, Loader, Modal, NativeSelect, Select, Stack, Switch, Text, TextInput, Textarea, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { can, explain, type ProjectFacts } from "@lattice/policy";
import { useEffect, useState } from "react";
import { Link, useNavigate } from "react-router";
import { MEMBERS_MANAGED_BY_DIRECTORY } from "../access.js";
import { workspaceOptionLabel } from "../components/CreateProjectDialog.js";
import { errorText } from "../errors.js";
import { personLabel } from "../format.js";
import { useScope } from "../scope.js";
import { useSession } from "../session.js";
import { trpc, type ProjectDetail } from "../trpc.js";
import { useRouteProject } from "./ProjectPage.js";
import { PROJECT_TITLE_MAX, projectTitleError } from "../validation.js";

/** Project Settings: general settings, moving to another workspace, members, deletion. */
export function ProjectSettingsPage() {
  const { subject } = useSession();
  const scope = useScope();
  const { project: p, fallback } = useRouteProject();

  if (!p) return fallback;
  if (scope.loading) return <Loader size="sm" aria-label="Loading project" />;
  const facts = p.facts;
  const update = explain(subject, "project.update", facts);

  return (
    <Stack gap="lg">
      <Anchor component={Link} to={`/projects/${p.id}`} size="sm">
        ← {p.title}
      </Anchor>
      <Title order={1}>Project settings</Title>
      {!update.allowed ? (
        <Alert color="gray">{update.reason}</Alert>
      ) : (
        <>
          <GeneralSettings project={p} />
          <MoveProject project={p} />
          <ProjectMembers project={p} facts={facts} />
          {can(subject, "project.delete", facts) && <DeleteProject project={p} />}
        </>
      )}
    </Stack>
  );
}

function GeneralSettings({ project: p }: { project: ProjectDetail }) {
  const utils = trpc.useUtils();
  const form = useForm({
    initialValues: {
      title: p.title,
      description: p.description,
      annotators_may_view_own_data: p.settings.annotators_may_view_own_data,
      labeling_restricted_to_assigned: p.settings.labeling_restricted_to_assigned,
    },
    validate: { title: projectTitleError },
  });
  const save = trpc.project.update.useMutation({
    onSuccess: async (updated) => {
      utils.project.get.setData({ id: p.id }, updated);
      await utils.project.list.invalidate();
      notifications.show({ color: "teal", message: "Project settings were saved" });
    },
  });
  return (
    <Card withBorder>
      <form
        onSubmit={form.onSubmit((v) =>
          save.mutate({
            id: p.id,
            title: v.title.trim(),
            description: v.description,
            settings: { annotators_may_view_own_data: v.annotators_may_view_own_data, labeling_restricted_to_assigned: v.labeling_restricted_to_assigned },
          }),
        )}
        noValidate
      >
        <Stack gap="sm">
          <Title order={2} size="h4">
            General
          </Title>
          <TextInput label="Project name" maxLength={PROJECT_TITLE_MAX} {...form.getInputProps("title")} />
          <Textarea label="Description" autosize minRows={2} {...form.getInputProps("description")} />
          <Switch label="Annotators may view their own data" {...form.getInputProps("annotators_may_view_own_data", { type: "checkbox" })} />
          <Switch label="Only assigned annotators may label" {...form.getInputProps("labeling_restricted_to_assigned", { type: "checkbox" })} />
          {save.isError && (
            <Alert color="red" role="alert">
              {errorText(save.error)}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button type="submit" loading={save.isPending}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

/** Moving is creating in the destination: only workspaces where the member may create projects are offered. */
function MoveProject({ project: p }: { project: ProjectDetail }) {
  const scope = useScope();
  const utils = trpc.useUtils();
  const [target, setTarget] = useState(String(p.workspace));
  useEffect(() => setTarget(String(p.workspace)), [p.workspace]);
  const options = scope.creatable.filter((w) => w.id !== p.workspace);
  const move = trpc.project.update.useMutation({
    onSuccess: async (updated) => {
      utils.project.get.setData({ id: p.id }, updated);
      await Promise.all([utils.project.list.invalidate(), utils.workspace.list.invalidate(), utils.workspace.get.invalidate(), utils.project.members.invalidate({ id: p.id })]);
      notifications.show({ color: "teal", message: `${updated.title} was moved to ${updated.workspace_title}` });
    },
  });
  const current = scope.byId.get(p.workspace);
  return (
    <Card withBorder>
      <Stack gap="sm">
        <Title order={2} size="h4">
          Workspace
        </Title>
        <Text size="sm">
          This project is in <strong>{current ? workspaceOptionLabel(current) : p.workspace_title}</strong>.
        </Text>
        {options.length === 0 ? (
          <Text size="sm" c="dimmed">
            There is no other workspace where you may create projects.
          </Text>
        ) : (
          <Group align="flex-end">
            <NativeSelect
              label="Move to workspace"
              data={[{ value: String(p.workspace), label: "Choose a workspace", disabled: true }, ...options.map((w) => ({ value: String(w.id), label: workspaceOptionLabel(w) }))]}
              value={target}
              onChange={(e) => setTarget(e.currentTarget.value)}
            />
            <Button onClick={() => move.mutate({ id: p.id, workspace: Number(target) })} disabled={target === String(p.workspace)} loading={move.isPending}>
              Move project
            </Button>
          </Group>
        )}
        {move.isError && (
          <Alert color="red" role="alert">
            {errorText(move.error)}
          </Alert>
        )}
      </Stack>
    </Card>
  );
}

function ProjectMembers({ project: p, facts }: { project: ProjectDetail; facts: ProjectFacts }) {
  const { subject } = useSession();
  const utils = trpc.useUtils();
  const members = trpc.project.members.useQuery({ id: p.id });
  const manage = explain(subject, "project.manageMembers", facts);
  // The API refuses (422) manual changes to the members of a project the directory manages.
  const managed = p.members_managed_by_directory;
  const [search, setSearch] = useState("");
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const [picked, setPicked] = useState<{ value: string; label: string } | null>(null);
  // Picking an option writes its label into the search box; that is not a new search.
  const query = picked && search.trim() === picked.label ? "" : debounced;
  const people = trpc.member.list.useQuery(
    { id: 0, page: 1, page_size: 20, status: ["active"], search: query || undefined },
    { enabled: manage.allowed && !managed && can(subject, "member.list"), placeholderData: (prev) => prev },
  );
  const inProject = new Set((members.data ?? []).filter((m) => m.direct).map((m) => m.id));
  const found = (people.data?.results ?? [])
    .filter((m) => !inProject.has(m.user.id))
    .map((m) => ({ value: String(m.user.id), label: personLabel(m.user) }));
  const options = picked && !found.some((o) => o.value === picked.value) ? [picked, ...found] : found;
  const refresh = () => Promise.all([utils.project.members.invalidate({ id: p.id }), utils.project.list.invalidate()]);
  const add = trpc.project.addMember.useMutation({
    onSuccess: async () => {
      setPicked(null);
      setSearch("");
      await refresh();
      notifications.show({ color: "teal", message: "Member added to the project" });
    },
  });
  const remove = trpc.project.removeMember.useMutation({ onSuccess: refresh });

  return (
    <Card withBorder>
      <Stack gap="sm">
        <Title order={2} size="h4">
          Members
        </Title>
        <Text size="sm" c="dimmed">
          Annotators and reviewers see a project once they are added to it, belong to its workspace, or have tasks in it.
        </Text>
        {members.data && members.data.length > 0 && (
          <ProjectMembersTable
            members={members.data}
            onRemove={manage.allowed ? (m) => remove.mutate({ id: p.id, user_id: m.id }) : undefined}
            removeDisabledBy={managed ? "project-members-managed" : undefined}
          />
        )}
        {members.data?.length === 0 && (
          <Text size="sm" c="dimmed">
            Nobody has been added yet.
          </Text>
        )}
        {manage.allowed ? (
          <Group align="flex-end">
            <Select
              label="Add member"
              placeholder="Search people"
              searchable
              searchValue={search}
              onSearchChange={setSearch}
              data={options}
              value={picked?.value ?? null}
              onChange={(_value, option) => setPicked(option ? { value: option.value, label: option.label } : null)}
              nothingFoundMessage={people.isFetching ? "Searching…" : "Nobody found"}
              w={320}
              disabled={managed}
              // Mantine links its description to the input; Add and Remove refer to it too.
              description={managed ? MEMBERS_MANAGED_BY_DIRECTORY : undefined}
              descriptionProps={{ id: "project-members-managed" }}
            />
            <Button
              onClick={() => picked && add.mutate({ id: p.id, user_id: Number(picked.value) })}
              disabled={managed || !picked}
              aria-describedby={managed ? "project-members-managed" : undefined}
              loading={add.isPending}
            >
              Add
            </Button>
          </Group>
        ) : (
          <Text size="sm" c="dimmed">
            {manage.reason}
          </Text>
        )}
        {(add.isError || remove.isError) && (
          <Alert color="red" role="alert">
            {errorText(add.error ?? remove.error)}
          </Alert>
        )}
      </Stack>
    </Card>
  );
}

function DeleteProject({ project: p }: { project: ProjectDetail }) {
  const utils = trpc.useUtils();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const remove = trpc.project.delete.useMutation({
    onSuccess: async () => {
      setConfirming(false);
      navigate("/projects");
      await Promise.all([utils.project.list.invalidate(), utils.workspace.list.invalidate()]);
      notifications.show({ color: "teal", message: `${p.title} was deleted` });
    },
  });
  return (
    <Card withBorder>
      <Stack gap="sm">
        <Title order={2} size="h4">
          Delete project
        </Title>
        <Group>
          <Button color="red" variant="outline" onClick={() => setConfirming(true)}>
            Delete project
          </Button>
        </Group>
      </Stack>
      <Modal opened={confirming} onClose={() => setConfirming(false)} title={`Delete ${p.title}?`}>
        <Stack>
          <Text size="sm">The project, its tasks and annotations are deleted for everyone. This cannot be undone.</Text>
          {remove.isError && (
            <Alert color="red" role="alert">
              {errorText(remove.error)}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button color="red" loading={remove.isPending} onClick={() => remove.mutate({ id: p.id })}>
              Delete
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  );
}
