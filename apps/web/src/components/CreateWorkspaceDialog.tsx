import { FormFooter } from "./FormFooter.js";
import { ColorInput, Modal, Stack, TextInput, Textarea } from "@mantine/core";
import { useForm, type UseFormReturnType } from "@mantine/form";
import { notifications } from "@mantine/notifications";
import { useNavigate } from "react-router";
import { trpc } from "../trpc.js";

export const WORKSPACE_SWATCHES = ["#1c7ed6", "#0ca678", "#f59f00", "#e03131", "#7048e8", "#d6336c", "#1098ad", "#495057"];

export interface WorkspaceValues {
  title: string;
  color: string;
  description: string;
}

export function workspaceValidation() {
  return {
    title: (v: string) => (v.trim().length === 0 ? "Name the workspace" : v.trim().length > 100 ? "At most 100 characters" : null),
    color: (v: string) => (/^#[0-9a-fA-F]{6}$/.test(v) ? null : "Pick a colour like #1c7ed6"),
  };
}

/** Name and colour fields, shared by creating and editing a workspace. */
export function WorkspaceFields({ form }: { form: UseFormReturnType<WorkspaceValues> }) {
  return (
    <>
      <TextInput label="Workspace name" required data-autofocus {...form.getInputProps("title")} />
      <ColorInput label="Color" format="hex" swatches={WORKSPACE_SWATCHES} swatchesPerRow={8} withEyeDropper={false} {...form.getInputProps("color")} />
      <Textarea label="Description" autosize minRows={2} {...form.getInputProps("description")} />
    </>
  );
}

/** The `+` next to Workspaces: name the workspace, pick a colour, Save. */
export function CreateWorkspaceDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const navigate = useNavigate();
  const utils = trpc.useUtils();
  const form = useForm<WorkspaceValues>({ initialValues: { title: "", color: WORKSPACE_SWATCHES[0]!, description: "" }, validate: workspaceValidation() });
  const create = trpc.workspace.create.useMutation({
    onSuccess: async (ws) => {
      await utils.workspace.list.invalidate();
      notifications.show({ color: "teal", message: `Workspace ${ws.title} was created` });
      form.reset();
      onClose();
      navigate(`/workspaces/${ws.id}`);
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title="Create workspace">
      <form
        onSubmit={form.onSubmit((v) => create.mutate({ title: v.title.trim(), color: v.color, description: v.description.trim() || undefined }))}
        noValidate
      >
        <Stack gap="sm">
          <WorkspaceFields form={form} />
          <FormFooter error={create.isError ? create.error : null} pending={create.isPending} onCancel={onClose} submitLabel="Save" />
        </Stack>
      </form>
    </Modal>
  );
}
