import { Alert, Button, Divider, Group, Modal, Stack, Text, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { notifications } from "@mantine/notifications";
import { explain, type Subject, type WorkspaceFacts } from "@lattice/policy";
import { useEffect, useState } from "react";
import { useNavigate } from "react-router";
import { errorText } from "../errors.js";
import { trpc, type Workspace } from "../trpc.js";
import { WorkspaceFields, workspaceValidation, type WorkspaceValues } from "./CreateWorkspaceDialog.js";

/** Why `Delete Workspace` cannot be used, or null when it can. */
export function deleteWorkspaceBlocked(subject: Subject, ws: Workspace, facts: WorkspaceFacts): string | null {
  const decision = explain(subject, "workspace.delete", facts);
  if (!decision.allowed) return decision.reason;
  if (ws.project_count > 0) {
    const n = ws.project_count;
    return `This workspace still holds ${n} project${n === 1 ? "" : "s"}. Delete ${n === 1 ? "it" : "them"} or move ${n === 1 ? "it" : "them"} to another workspace first.`;
  }
  return null;
}

/** The gear next to the workspace's name: rename, recolour, and `Delete Workspace`. */
export function WorkspaceSettingsDialog({
  workspace: ws,
  subject,
  facts,
  opened,
  onClose,
}: {
  workspace: Workspace;
  subject: Subject;
  facts: WorkspaceFacts;
  opened: boolean;
  onClose: () => void;
}) {
  const utils = trpc.useUtils();
  const navigate = useNavigate();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const mayEdit = explain(subject, "workspace.update", facts);
  const form = useForm<WorkspaceValues>({ initialValues: { title: ws.title, color: ws.color, description: ws.description }, validate: workspaceValidation() });
  const { setValues } = form;
  useEffect(() => {
    if (opened) setValues({ title: ws.title, color: ws.color, description: ws.description });
    else setConfirmDelete(false);
  }, [opened, ws.title, ws.color, ws.description, setValues]);

  const update = trpc.workspace.update.useMutation({
    onSuccess: async () => {
      await Promise.all([utils.workspace.list.invalidate(), utils.workspace.get.invalidate({ id: ws.id }), utils.project.list.invalidate()]);
      notifications.show({ color: "teal", message: "Workspace settings were saved" });
      onClose();
    },
  });
  const remove = trpc.workspace.delete.useMutation({
    onSuccess: async () => {
      onClose();
      navigate("/projects");
      await utils.workspace.list.invalidate();
      notifications.show({ color: "teal", message: `Workspace ${ws.title} was deleted` });
    },
  });
  const blocked = deleteWorkspaceBlocked(subject, ws, facts);

  return (
    <Modal opened={opened} onClose={onClose} title={`${ws.is_sandbox ? "Sandbox" : ws.title} settings`}>
      <Stack gap="sm">
        {mayEdit.allowed ? (
          <form
            onSubmit={form.onSubmit((v) => update.mutate({ id: ws.id, title: v.title.trim(), color: v.color, description: v.description }))}
            noValidate
          >
            <Stack gap="sm">
              <WorkspaceFields form={form} />
              {update.isError && (
                <Alert color="red" role="alert">
                  {errorText(update.error)}
                </Alert>
              )}
              <Group justify="flex-end">
                <Button type="submit" loading={update.isPending}>
                  Save
                </Button>
              </Group>
            </Stack>
          </form>
        ) : (
          <Text size="sm" c="dimmed">
            {mayEdit.reason}
          </Text>
        )}
        <Divider />
        <Title order={3} size="h5">
          Delete
        </Title>
        {confirmDelete ? (
          <Alert color="red" title={`Delete ${ws.title}?`}>
            <Stack gap="xs">
              <Text size="sm">The workspace and its member list are deleted. This cannot be undone.</Text>
              {remove.isError && (
                <Text size="sm" c="red" role="alert">
                  {errorText(remove.error)}
                </Text>
              )}
              <Group>
                <Button color="red" size="xs" loading={remove.isPending} onClick={() => remove.mutate({ id: ws.id })}>
                  Delete
                </Button>
                <Button variant="default" size="xs" onClick={() => setConfirmDelete(false)}>
                  Cancel
                </Button>
              </Group>
            </Stack>
          </Alert>
        ) : (
          <Stack gap={4}>
            <Group>
              <Button color="red" variant="outline" disabled={!!blocked} onClick={() => setConfirmDelete(true)} aria-describedby={blocked ? "delete-ws-reason" : undefined}>
                Delete Workspace
              </Button>
            </Group>
            {blocked && (
              <Text size="sm" c="dimmed" id="delete-ws-reason">
                {blocked}
              </Text>
            )}
          </Stack>
        )}
      </Stack>
    </Modal>
  );
}
