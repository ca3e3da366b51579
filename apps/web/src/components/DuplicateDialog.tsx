// "Duplicate project": destination workspace, new name and description, what to copy, and a
// progress bar that follows the worker's job until the copy lands.
import { Alert, Anchor, Button, Checkbox, Group, Modal, NativeSelect, Progress, Radio, Stack, Text, TextInput, Textarea } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useEffect, useState } from "react";
import { Link } from "react-router";
import { errorText, fieldErrors } from "../errors.js";
import { useScope } from "../scope.js";
import { trpc, type Project } from "../trpc.js";

const MODES = [
  { value: "settings", label: "Settings only" },
  { value: "settings,data", label: "Settings and data" },
  { value: "settings,data,annotations", label: "Settings, data and all annotations" },
] as const;
type Mode = (typeof MODES)[number]["value"];

export function DuplicateDialog({ project: p, onClose }: { project: Project; onClose: () => void }) {
  const scope = useScope();
  const utils = trpc.useUtils();
  const [jobId, setJobId] = useState<string | null>(null);
  const form = useForm({
    initialValues: {
      workspace: String(p.workspace),
      title: `${p.title} (copy)`.slice(0, 50),
      description: p.description,
      mode: "settings" as Mode,
      ground_truth: false,
    },
    validate: {
      title: (v) => (v.trim().length < 3 || v.trim().length > 50 ? "The new name must be 3 to 50 characters" : null),
    },
  });
  const duplicate = trpc.project.duplicate.useMutation({
    onSuccess: (res) => setJobId(res.job_id),
    onError: (err) => form.setErrors(fieldErrors(err)),
  });
  const job = trpc.job.get.useQuery(
    { id: jobId ?? "" },
    {
      enabled: !!jobId,
      refetchInterval: (q) => (q.state.data && (q.state.data.status === "succeeded" || q.state.data.status === "failed") ? false : 700),
    },
  );
  const done = job.data?.status === "succeeded";
  const failed = job.data?.status === "failed";
  const newProject = done ? job.data?.project_id : undefined;
  useEffect(() => {
    if (newProject) void Promise.all([utils.project.list.invalidate(), utils.workspace.list.invalidate()]);
  }, [newProject, utils]);

  // Offer the current workspace first when the caller may create projects there.
  const destinations = scope.creatable.map((w) => ({ value: String(w.id), label: w.is_sandbox ? "Sandbox (private)" : w.title }));
  const workspace = destinations.some((d) => d.value === form.values.workspace) ? form.values.workspace : (destinations[0]?.value ?? "");

  return (
    <Modal opened onClose={onClose} title={`Duplicate ${p.title}`} size="lg">
      {jobId ? (
        <Stack>
          <Text size="sm">{done ? "The copy is ready." : failed ? "The copy failed." : "Copying in the background…"}</Text>
          <Progress
            value={Math.round((job.data?.progress ?? 0) * 100)}
            animated={!done && !failed}
            color={failed ? "red" : done ? "teal" : undefined}
            aria-label="Duplication progress"
            size="lg"
          />
          {failed && (
            <Alert color="red" role="alert" title="Could not duplicate">
              {job.data?.error ?? "The worker gave up on this copy."}
            </Alert>
          )}
          {job.isError && (
            <Alert color="red" role="alert" title="Cannot follow the copy">
              {errorText(job.error)}
            </Alert>
          )}
          {done && job.data?.project_id && (
            <Anchor component={Link} to={`/projects/${job.data.project_id}`} onClick={onClose}>
              Open {form.values.title.trim()}
            </Anchor>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Close
            </Button>
          </Group>
        </Stack>
      ) : (
        <form
          onSubmit={form.onSubmit((v) =>
            duplicate.mutate({
              id: p.id,
              workspace: Number(workspace),
              title: v.title.trim(),
              description: v.description,
              mode: v.mode,
              ground_truth: v.mode === "settings,data,annotations" ? v.ground_truth : undefined,
            }),
          )}
        >
          <Stack>
            <NativeSelect
              label="Destination workspace"
              data={destinations}
              value={workspace}
              onChange={(e) => form.setFieldValue("workspace", e.currentTarget.value)}
            />
            <TextInput label="New name" required {...form.getInputProps("title")} />
            <Textarea label="New description" autosize minRows={2} {...form.getInputProps("description")} />
            <Radio.Group label="What to copy" {...form.getInputProps("mode")}>
              <Stack gap={6} mt={4}>
                {MODES.map((m) => (
                  <Radio key={m.value} value={m.value} label={m.label} />
                ))}
              </Stack>
            </Radio.Group>
            {form.values.mode === "settings,data,annotations" && (
              <Checkbox label="Mark the copied annotations as ground truth" {...form.getInputProps("ground_truth", { type: "checkbox" })} />
            )}
            {duplicate.isError && (
              <Alert color="red" role="alert" title="Could not duplicate">
                {errorText(duplicate.error)}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={duplicate.isPending} disabled={destinations.length === 0}>
                Duplicate
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
