// The project page's tasks: list, import and export, assignment, labeling and review. Each
// control is shown only when the policy lets the viewer use it, or disabled with its reason.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  Code,
  FileButton,
  Group,
  JsonInput,
  Loader,
  Modal,
  MultiSelect,
  Pagination,
  Progress,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { can, explain, type ProjectFacts, type Subject } from "@lattice/policy";
import { useState } from "react";
import { roleCodesThatMay } from "../access.js";
import { errorText } from "../errors.js";
import { personLabel } from "../format.js";
import { trpc, type ProjectDetail, type RouterOutputs, type Task } from "../trpc.js";

const PAGE_SIZE = 30;

/** A control the policy forbids: disabled, with the policy's reason beside it. */
export function Refused({ label, reason, id }: { label: string; reason: string; id: string }) {
  return (
    <Stack gap={2} maw={360}>
      <Button variant="default" disabled aria-describedby={id}>
        {label}
      </Button>
      <Text size="xs" c="dimmed" id={id}>
        {reason}
      </Text>
    </Stack>
  );
}

/** Upload a file with progress: XMLHttpRequest reports upload progress, fetch does not. */
export function uploadTasks(projectId: number, file: File, onProgress: (pct: number) => void): Promise<{ task_count: number; annotation_count: number }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/projects/${projectId}/import`);
    xhr.withCredentials = true;
    const csv = file.name.toLowerCase().endsWith(".csv") || file.type === "text/csv";
    xhr.setRequestHeader("Content-Type", csv ? "text/csv" : "application/json");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100));
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: reported below by status
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as { task_count: number; annotation_count: number });
      else reject(new Error((body as { message?: string } | null)?.message ?? `Import failed (HTTP ${xhr.status})`));
    };
    xhr.onerror = () => reject(new Error("The upload was interrupted: check your connection and try again."));
    xhr.send(file);
  });
}

function preview(data: Record<string, unknown>): string {
  const text = JSON.stringify(data);
  return text.length > 90 ? `${text.slice(0, 87)}…` : text;
}

export function TasksPanel({ project: p, subject, facts, meId }: { project: ProjectDetail; subject: Subject; facts: ProjectFacts; meId: number }) {
  const utils = trpc.useUtils();
  const [page, setPage] = useState(1);
  // Annotators see their own tasks only where the project's settings allow it.
  const viewing = explain(subject, "data.view", { ...facts, ownWork: true });
  // Whoever sees only their own work here gets a labeling view: no project-wide data controls,
  // not even disabled ones.
  const seesAllWork = can(subject, "data.view", { ...facts, ownWork: false });
  const tasks = trpc.task.list.useQuery({ id: p.id, page, page_size: PAGE_SIZE }, { enabled: viewing.allowed });
  const [selected, setSelected] = useState<number[]>([]);
  const [assigning, setAssigning] = useState(false);
  const [labeling, setLabeling] = useState<Task | null>(null);
  const [reviewing, setReviewing] = useState<Task | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [importError, setImportError] = useState<string | null>(null);

  const importing = explain(subject, "data.import", facts);
  const exporting = explain(subject, "data.export", facts);
  const assignAnnotators = explain(subject, "task.assignAnnotators", facts);
  const assignReviewers = explain(subject, "task.assignReviewers", facts);
  const labelingAccess = explain(subject, "labeling.access", facts);
  const verify = explain(subject, "annotation.verify", facts);
  const mayReview = verify.allowed;
  const mayAssign = assignAnnotators.allowed || assignReviewers.allowed;

  // Labeling and reviewing change the tasks; importing and assigning also who is in the project.
  const refreshTasks = () => Promise.all([utils.task.list.invalidate({ id: p.id }), utils.project.get.invalidate({ id: p.id })]);
  const refresh = () => Promise.all([refreshTasks(), utils.project.members.invalidate({ id: p.id }), utils.project.access.invalidate({ id: p.id })]);

  async function onFile(file: File | null) {
    if (!file) return;
    setImportError(null);
    setProgress(0);
    try {
      const res = await uploadTasks(p.id, file, setProgress);
      notifications.show({ color: "teal", message: `Imported ${res.task_count} ${res.task_count === 1 ? "task" : "tasks"} into ${p.title}` });
      await refresh();
    } catch (err) {
      setImportError(errorText(err));
    } finally {
      setProgress(null);
    }
  }

  const rows = tasks.data?.results ?? [];
  const pages = tasks.data ? Math.max(1, Math.ceil(tasks.data.count / PAGE_SIZE)) : 1;
  const toggle = (id: number) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));

  return (
    <Card withBorder>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start">
          <Title order={2} size="h4">
            Tasks
          </Title>
          <Group gap="sm" align="flex-start">
            {importing.allowed ? (
              <FileButton onChange={(f) => void onFile(f)} accept="application/json,.json,text/csv,.csv">
                {(props) => (
                  <Button {...props} variant="light" loading={progress !== null}>
                    Import
                  </Button>
                )}
              </FileButton>
            ) : (
              seesAllWork && <Refused label="Import" reason={importing.reason} id="import-reason" />
            )}
            {exporting.allowed ? (
              <Group gap={4}>
                <Button component="a" variant="default" href={`/api/projects/${p.id}/export?format=JSON`} download>
                  Export JSON
                </Button>
                <Button component="a" variant="default" href={`/api/projects/${p.id}/export?format=CSV`} download>
                  Export CSV
                </Button>
              </Group>
            ) : (
              seesAllWork && <Refused label="Export" reason={exporting.reason} id="export-reason" />
            )}
            {mayAssign && (
              <Button disabled={selected.length === 0} onClick={() => setAssigning(true)}>
                Assign
              </Button>
            )}
          </Group>
        </Group>
        {progress !== null && <Progress value={progress} aria-label="Import progress" animated size="lg" />}
        {importError && (
          <Alert color="red" role="alert" title="Could not import" withCloseButton onClose={() => setImportError(null)}>
            {importError}
          </Alert>
        )}
        {mayAssign && (
          <Text size="sm" c="dimmed">
            Tick tasks, then Assign them to annotators{assignReviewers.allowed ? " or reviewers" : ""}.
          </Text>
        )}
        {!viewing.allowed && (
          <Text size="sm" c="dimmed" role="note">
            {viewing.reason}
          </Text>
        )}
        {viewing.allowed && tasks.isPending && <Loader size="xs" aria-label="Loading tasks" />}
        {tasks.isError && (
          <Alert color="red" role="alert" title="Tasks not available">
            {errorText(tasks.error)}
          </Alert>
        )}
        {tasks.data && rows.length === 0 && (
          <Text size="sm" c="dimmed">
            {seesAllWork ? "This project has no tasks yet." : "No tasks of this project are yours to see."}
            {importing.allowed ? " Import a JSON array or a CSV file." : ""}
          </Text>
        )}
        {rows.length > 0 && (
          <Table aria-label="Tasks" striped>
            <Table.Thead>
              <Table.Tr>
                {mayAssign && (
                  <Table.Th>
                    <Checkbox
                      aria-label="Select all tasks on this page"
                      checked={rows.every((t) => selected.includes(t.id))}
                      onChange={(e) => setSelected(e.currentTarget.checked ? rows.map((t) => t.id) : [])}
                    />
                  </Table.Th>
                )}
                <Table.Th>ID</Table.Th>
                <Table.Th>Data</Table.Th>
                <Table.Th>Annotations</Table.Th>
                <Table.Th>Yours</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((t) => (
                <Table.Tr key={t.id}>
                  {mayAssign && (
                    <Table.Td>
                      <Checkbox aria-label={`Select task ${t.id}`} checked={selected.includes(t.id)} onChange={() => toggle(t.id)} />
                    </Table.Td>
                  )}
                  <Table.Td>{t.id}</Table.Td>
                  <Table.Td>
                    <Code>{preview(t.data)}</Code>
                  </Table.Td>
                  <Table.Td>{t.annotation_count}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {t.assigned_to_me.annotate && <Badge variant="light">to annotate</Badge>}
                      {t.assigned_to_me.review && (
                        <Badge variant="light" color="grape">
                          to review
                        </Badge>
                      )}
                      {t.my_annotation !== null && (
                        <Badge variant="light" color="teal">
                          annotated
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {labelingAccess.allowed && (
                        <Button size="xs" variant="light" onClick={() => setLabeling(t)} aria-label={`Label task ${t.id}`}>
                          Label
                        </Button>
                      )}
                      {mayReview && t.annotation_count > 0 && (
                        <Button size="xs" variant="light" color="grape" onClick={() => setReviewing(t)} aria-label={`Review task ${t.id}`}>
                          Review
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {pages > 1 && <Pagination total={pages} value={page} onChange={setPage} aria-label="Task pages" />}
      </Stack>
      {assigning && (
        <AssignDialog
          project={p}
          subject={subject}
          taskIds={selected}
          kinds={[...(assignAnnotators.allowed ? (["annotate"] as const) : []), ...(assignReviewers.allowed ? (["review"] as const) : [])]}
          reviewersReason={assignReviewers.allowed ? null : assignReviewers.reason}
          onClose={() => setAssigning(false)}
          onDone={async () => {
            setAssigning(false);
            setSelected([]);
            await refresh();
          }}
        />
      )}
      {labeling && <LabelDialog task={labeling} onClose={() => setLabeling(null)} onDone={refreshTasks} />}
      {reviewing && <ReviewDialog task={reviewing} meId={meId} onClose={() => setReviewing(null)} onDone={refreshTasks} />}
    </Card>
  );
}

function AssignDialog({
  project: p,
  subject,
  taskIds,
  kinds,
  reviewersReason,
  onClose,
  onDone,
}: {
  project: ProjectDetail;
  subject: Subject;
  taskIds: number[];
  kinds: ("annotate" | "review")[];
  reviewersReason: string | null;
  onClose: () => void;
  onDone: () => Promise<unknown>;
}) {
  const [kind, setKind] = useState<"annotate" | "review">(kinds[0] ?? "annotate");
  const [people, setPeople] = useState<string[]>([]);
  // Offered: the roles the server accepts for the kind (it checks the assignee's role can label,
  // or review). Reviewers do not see the People list: they pick among the project's members.
  const seesPeople = can(subject, "member.list");
  const members = trpc.member.list.useQuery(
    { id: 0, page: 1, page_size: 100, role: roleCodesThatMay(kind === "annotate" ? "labeling.access" : "review.access") },
    { enabled: seesPeople },
  );
  const projectMembers = trpc.project.members.useQuery({ id: p.id }, { enabled: !seesPeople });
  const assign = trpc.task.assign.useMutation({
    onSuccess: async (res) => {
      notifications.show({ color: "teal", message: `${res.created} ${res.created === 1 ? "assignment" : "assignments"} made in ${p.title}` });
      await onDone();
    },
  });
  const people_ = seesPeople ? (members.data?.results ?? []).map((m) => m.user) : (projectMembers.data ?? []);
  const options = people_.map((u) => ({ value: String(u.id), label: personLabel(u) }));
  const loadingPeople = seesPeople ? members.isPending : projectMembers.isPending;
  return (
    <Modal opened onClose={onClose} title={`Assign ${taskIds.length} ${taskIds.length === 1 ? "task" : "tasks"}`}>
      <Stack>
        {kinds.length > 1 ? (
          <SegmentedControl
            value={kind}
            onChange={(v) => setKind(v as "annotate" | "review")}
            data={[
              { value: "annotate", label: "Annotators" },
              { value: "review", label: "Reviewers" },
            ]}
            aria-label="Assign as"
          />
        ) : (
          reviewersReason && (
            <Text size="xs" c="dimmed">
              Assigning reviewers: {reviewersReason}
            </Text>
          )
        )}
        <MultiSelect
          label={kind === "annotate" ? "Annotators" : "Reviewers"}
          placeholder={loadingPeople ? "Loading people…" : "Pick people"}
          data={options}
          value={people}
          onChange={setPeople}
          searchable
          comboboxProps={{ withinPortal: false }}
        />
        {members.isError && <Text size="sm" c="red">{errorText(members.error)}</Text>}
        {assign.isError && (
          <Alert color="red" role="alert" title="Could not assign">
            {errorText(assign.error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            disabled={people.length === 0}
            loading={assign.isPending}
            onClick={() => assign.mutate({ id: p.id, task_ids: taskIds, user_ids: people.map(Number), kind })}
          >
            Assign tasks
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** The minimal labeling view: the task's data and the result as JSON. */
function LabelDialog({ task, onClose, onDone }: { task: Task; onClose: () => void; onDone: () => Promise<unknown> }) {
  const [result, setResult] = useState('{\n  "label": ""\n}');
  const [parseError, setParseError] = useState<string | null>(null);
  const utils = trpc.useUtils();
  const annotate = trpc.task.annotate.useMutation({
    onSuccess: async () => {
      notifications.show({ color: "teal", message: `Annotation of task ${task.id} submitted` });
      onClose();
      await Promise.all([onDone(), utils.task.annotations.invalidate({ id: task.id })]);
    },
  });
  function submit() {
    let value: unknown;
    try {
      value = JSON.parse(result);
    } catch (err) {
      setParseError(`The result is not valid JSON: ${errorText(err)}`);
      return;
    }
    setParseError(null);
    annotate.mutate({ id: task.id, result: value });
  }
  return (
    <Modal opened onClose={onClose} title={`Label task ${task.id}`} size="lg">
      <Stack>
        <Text size="sm" fw={500}>
          Task data
        </Text>
        <Code block>{JSON.stringify(task.data, null, 2)}</Code>
        {task.my_annotation !== null && (
          <Text size="sm" c="dimmed">
            You annotated this task already; submitting replaces your result.
          </Text>
        )}
        <JsonInput label="Result (JSON)" value={result} onChange={setResult} autosize minRows={4} error={parseError} formatOnBlur />
        {annotate.isError && (
          <Alert color="red" role="alert" title="Could not submit">
            {errorText(annotate.error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={submit} loading={annotate.isPending}>
            Submit
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

type TaskAnnotation = RouterOutputs["task"]["annotations"][number];

/** Who wrote an annotation, as the server names them (a removed member shows as a deleted user). */
function authorLabel(author: NonNullable<TaskAnnotation["author"]>): string {
  return author.deleted || author.email === null ? author.name : personLabel({ name: author.name, email: author.email });
}

/** Accept or reject each annotation of a task, with a comment. */
function ReviewDialog({ task, meId, onClose, onDone }: { task: Task; meId: number; onClose: () => void; onDone: () => Promise<unknown> }) {
  const utils = trpc.useUtils();
  const annotationsQuery = trpc.task.annotations.useQuery({ id: task.id });
  const annotations = annotationsQuery.data;
  const [comments, setComments] = useState<Record<number, string>>({});
  const review = trpc.annotation.review.useMutation({
    onSuccess: async (a) => {
      utils.task.annotations.setData({ id: task.id }, (list) => list?.map((x) => (x.id === a.id ? { ...x, ...a, author: x.author } : x)));
      notifications.show({ color: "teal", message: `Annotation ${a.id} ${a.review_state}` });
      await onDone();
    },
  });
  return (
    <Modal opened onClose={onClose} title={`Review task ${task.id}`} size="lg">
      <Stack>
        <Code block>{JSON.stringify(task.data, null, 2)}</Code>
        {annotationsQuery.isPending && <Loader size="xs" aria-label="Loading annotations" />}
        {annotationsQuery.isError && (
          <Alert color="red" role="alert" title="Annotations not available">
            {errorText(annotationsQuery.error)}
          </Alert>
        )}
        {annotations?.length === 0 && <Text size="sm">This task has no annotations to review.</Text>}
        {annotations?.map((a) => (
          <Card withBorder key={a.id}>
            <Stack gap="xs">
              <Group justify="space-between">
                <Text size="sm" fw={500}>
                  Annotation {a.id}
                  {a.completed_by === meId ? " (yours)" : a.author ? ` by ${authorLabel(a.author)}` : ""}
                </Text>
                <Badge color={a.review_state === "accepted" ? "teal" : a.review_state === "rejected" ? "red" : "gray"}>{a.review_state}</Badge>
              </Group>
              <Code block>{JSON.stringify(a.result, null, 2)}</Code>
              {a.review_comment && <Text size="sm">Comment: {a.review_comment}</Text>}
              <Textarea
                label={`Comment on annotation ${a.id}`}
                value={comments[a.id] ?? ""}
                onChange={(e) => {
                  const v = e.currentTarget.value;
                  setComments((c) => ({ ...c, [a.id]: v }));
                }}
                autosize
              />
              <Group>
                <Button
                  color="teal"
                  size="xs"
                  loading={review.isPending && review.variables.id === a.id && review.variables.accepted}
                  onClick={() => review.mutate({ id: a.id, accepted: true, comment: comments[a.id] || undefined })}
                >
                  Accept
                </Button>
                <Button
                  color="red"
                  variant="outline"
                  size="xs"
                  loading={review.isPending && review.variables.id === a.id && !review.variables.accepted}
                  onClick={() => review.mutate({ id: a.id, accepted: false, comment: comments[a.id] || undefined })}
                >
                  Reject
                </Button>
              </Group>
            </Stack>
          </Card>
        ))}
        {review.isError && (
          <Alert color="red" role="alert" title="Could not review">
            {errorText(review.error)}
          </Alert>
        )}
        <Anchor component="button" type="button" onClick={onClose} size="sm">
          Close
        </Anchor>
      </Stack>
    </Modal>
  );
}
