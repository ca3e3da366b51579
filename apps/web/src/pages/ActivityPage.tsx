// The system-wide activity log (administrators and the owner), newest first, with its filters.
import { Alert, Badge, Button, Code, Group, Loader, Pagination, Select, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { can, explain } from "@lattice/policy";
import { useState } from "react";
import { errorText } from "../errors.js";
import { useSession } from "../session.js";
import { trpc, type RouterInputs } from "../trpc.js";

const PAGE_SIZE = 20;
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

type Filters = Omit<RouterInputs["activity"]["list"], "page" | "page_size">;

export function ActivityPage() {
  const { subject } = useSession();
  const decision = explain(subject, "activityLog.view");
  if (!decision.allowed)
    return (
      <Alert color="gray" title="Activity log" role="note">
        {decision.reason}
      </Alert>
    );
  return <ActivityLog />;
}

function ActivityLog() {
  const { subject } = useSession();
  const [page, setPage] = useState(1);
  const [user, setUser] = useState<string | null>(null);
  const [project, setProject] = useState<string | null>(null);
  const [workspace, setWorkspace] = useState<string | null>(null);
  const [method, setMethod] = useState<string | null>(null);
  const [start, setStart] = useState("");
  const [end, setEnd] = useState("");
  const [search, setSearch] = useState("");
  const [debouncedSearch] = useDebouncedValue(search.trim(), 300);

  const filters: Filters = {
    user: user ? Number(user) : undefined,
    project: project ? Number(project) : undefined,
    workspace: workspace ? Number(workspace) : undefined,
    method: method ?? undefined,
    start_date: start || undefined,
    end_date: end || undefined,
    search: debouncedSearch || undefined,
  };
  const log = trpc.activity.list.useQuery({ ...filters, page, page_size: PAGE_SIZE }, { placeholderData: (prev) => prev });
  const members = trpc.member.list.useQuery({ id: 0, page: 1, page_size: 100 }, { enabled: can(subject, "member.list") });
  const projects = trpc.project.list.useQuery({ page: 1, page_size: 100 });
  const workspaces = trpc.workspace.list.useQuery();

  const set =
    <T,>(setter: (v: T) => void) =>
    (v: T) => {
      setter(v);
      setPage(1);
    };
  const pages = log.data ? Math.max(1, Math.ceil(log.data.count / PAGE_SIZE)) : 1;
  const anyFilter = !!(user || project || workspace || method || start || end || search);

  return (
    <Stack gap="md">
      <Title order={1}>Activity log</Title>
      <Text size="sm" c="dimmed">
        Everything that changed in the organization, newest first.
      </Text>
      <Group align="flex-end" gap="sm" wrap="wrap">
        <TextInput label="Search" placeholder="Action, path or target" value={search} onChange={(e) => set(setSearch)(e.currentTarget.value)} w={220} />
        <Select
          label="User"
          placeholder="Anyone"
          clearable
          searchable
          data={(members.data?.results ?? []).map((m) => ({ value: String(m.user.id), label: m.user.name || m.user.email }))}
          value={user}
          onChange={set(setUser)}
          w={200}
        />
        <Select
          label="Workspace"
          placeholder="Any workspace"
          clearable
          data={(workspaces.data ?? []).map((w) => ({ value: String(w.id), label: w.is_sandbox ? `${w.title} (sandbox)` : w.title }))}
          value={workspace}
          onChange={set(setWorkspace)}
          w={180}
        />
        <Select
          label="Project"
          placeholder="Any project"
          clearable
          searchable
          data={(projects.data?.results ?? []).map((p) => ({ value: String(p.id), label: p.title }))}
          value={project}
          onChange={set(setProject)}
          w={200}
        />
        <Select label="Method" placeholder="Any" clearable data={METHODS} value={method} onChange={set(setMethod)} w={110} />
        <TextInput label="From" type="date" value={start} onChange={(e) => set(setStart)(e.currentTarget.value)} w={150} />
        <TextInput label="To" type="date" value={end} onChange={(e) => set(setEnd)(e.currentTarget.value)} w={150} />
        {anyFilter && (
          <Button
            variant="subtle"
            onClick={() => {
              setUser(null);
              setProject(null);
              setWorkspace(null);
              setMethod(null);
              setStart("");
              setEnd("");
              setSearch("");
              setPage(1);
            }}
          >
            Clear filters
          </Button>
        )}
      </Group>
      {log.isPending && <Loader size="sm" aria-label="Loading activity" />}
      {log.isError && (
        <Alert color="red" role="alert" title="Activity not available">
          {errorText(log.error)}
        </Alert>
      )}
      {log.data && (
        <>
          <Text size="sm" c="dimmed">
            {log.data.count} {log.data.count === 1 ? "entry" : "entries"}
          </Text>
          <Table aria-label="Activity log" striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Who</Table.Th>
                <Table.Th>Action</Table.Th>
                <Table.Th>Target</Table.Th>
                <Table.Th>Request</Table.Th>
                <Table.Th>IP</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {log.data.results.map((row) => (
                <Table.Tr key={row.id}>
                  <Table.Td>
                    <Text size="sm" style={{ whiteSpace: "nowrap" }}>
                      {new Date(row.created_at).toLocaleString()}
                    </Text>
                  </Table.Td>
                  <Table.Td>{row.user ? (row.user.deleted ? "deleted user" : row.user.name || row.user.email) : "system"}</Table.Td>
                  <Table.Td>
                    <Code>{row.action}</Code>
                    {row.changes && (
                      <Text size="xs" c="dimmed">
                        {Object.entries(row.changes)
                          .map(([k, v]) => `${k}: ${JSON.stringify(v.before)} → ${JSON.stringify(v.after)}`)
                          .join("; ")}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {row.target_type}
                    {row.target_id ? ` ${row.target_id}` : ""}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <Badge variant="light" size="sm" style={{ flexShrink: 0, overflow: "visible" }}>
                        {row.method}
                      </Badge>
                      <Text size="xs">{row.path}</Text>
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs">{row.ip}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {log.data.results.length === 0 && <Text size="sm">No activity matches these filters.</Text>}
          {pages > 1 && <Pagination total={pages} value={page} onChange={setPage} aria-label="Activity pages" />}
        </>
      )}
    </Stack>
  );
}
