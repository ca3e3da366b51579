import { FormFooter } from "./FormFooter.js";
import { Modal, NativeSelect, Stack, TextInput, Textarea } from "@mantine/core";
import { useForm } from "@mantine/form";
import { notifications } from "@mantine/notifications";
import { useEffect } from "react";
import { useScope } from "../scope.js";
import { trpc, type Workspace } from "../trpc.js";
import { PROJECT_TITLE_MAX, projectTitleError } from "../validation.js";

export function workspaceOptionLabel(w: Workspace): string {
  return w.is_sandbox ? "Sandbox (only you)" : w.title;
}

/** A new project, in a workspace where the member may create projects (their sandbox by default). */
export function CreateProjectDialog({ opened, onClose, workspaceId }: { opened: boolean; onClose: () => void; workspaceId?: number }) {
  const scope = useScope();
  const utils = trpc.useUtils();
  const fallback = workspaceId ?? scope.sandbox?.id ?? scope.creatable[0]?.id;
  const form = useForm({
    initialValues: { title: "", description: "", workspace: fallback ? String(fallback) : "" },
    validate: {
      title: projectTitleError,
      workspace: (v: string) => (v ? null : "Choose a workspace"),
    },
  });
  const { setFieldValue } = form;
  useEffect(() => {
    if (opened && fallback) setFieldValue("workspace", String(fallback));
  }, [opened, fallback, setFieldValue]);
  const create = trpc.project.create.useMutation({
    onSuccess: async (p) => {
      await Promise.all([utils.project.list.invalidate(), utils.workspace.list.invalidate(), utils.workspace.get.invalidate()]);
      notifications.show({ color: "teal", message: `Project ${p.title} was created` });
      form.reset();
      onClose();
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title="Create project">
      <form
        onSubmit={form.onSubmit((v) =>
          create.mutate({ title: v.title.trim(), description: v.description.trim() || undefined, workspace: Number(v.workspace) }),
        )}
        noValidate
      >
        <Stack gap="sm">
          <TextInput label="Project name" required maxLength={PROJECT_TITLE_MAX} data-autofocus {...form.getInputProps("title")} />
          <Textarea label="Description" autosize minRows={2} {...form.getInputProps("description")} />
          <NativeSelect
            label="Workspace"
            data={scope.creatable.map((w) => ({ value: String(w.id), label: workspaceOptionLabel(w) }))}
            {...form.getInputProps("workspace")}
          />
          <FormFooter error={create.isError ? create.error : null} pending={create.isPending} onCancel={onClose} submitLabel="Create" />
        </Stack>
      </form>
    </Modal>
  );
}
