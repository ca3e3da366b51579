// "Who can reach this project, and why" (project page) and "which projects a member reaches,
// and why" (People page): the server's reasons, in words.
import { Alert, Anchor, Badge, Button, Card, Group, Loader, Modal, Pagination, Stack, Table, Text, Title } from "@mantine/core";
import { useState } from "react";
import { Link } from "react-router";
import { roleLabel } from "../access.js";
import { errorText } from "../errors.js";
import { trpc, type RouterOutputs } from "../trpc.js";

type Reason = RouterOutputs["project"]["access"]["results"][number]["reasons"][number];

export const REASON_LABEL: Record<Reason, string> = {
  role: "their role reaches every project",
  own_sandbox: "in their own sandbox",
  workspace_member: "member of the workspace",
  project_member: "added to the project",
  task_assignment: "has tasks in it",
  creator: "created it",
};

function Reasons({ reasons }: { reasons: readonly Reason[] }) {
  return (
    <Group gap={4}>
      {reasons.map((r) => (
        <Badge key={r} variant="light" color="gray" styles={{ root: { textTransform: "none" } }}>
          {REASON_LABEL[r]}
        </Badge>
      ))}
    </Group>
  );
}

/** The project page's card: everyone who reaches the project, with why. */
export function ProjectAccessCard({ projectId }: { projectId: number }) {
  const access = trpc.project.access.useQuery({ id: projectId });
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Title order={2} size="h4">
          Who can reach this project
        </Title>
        {access.isPending && <Loader size="xs" aria-label="Loading access" />}
        {access.isError && (
          <Alert color="red" role="alert">
            {errorText(access.error)}
          </Alert>
        )}
        {access.data && (
          <Table aria-label="Project access">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Person</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Why</Table.Th>
                <Table.Th>Manages it</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {access.data.results.map((row) => (
                <Table.Tr key={row.user.id}>
                  <Table.Td>{row.user.name || row.user.email}</Table.Td>
                  <Table.Td>{roleLabel(row.role)}</Table.Td>
                  <Table.Td>
                    <Reasons reasons={row.reasons} />
                  </Table.Td>
                  <Table.Td>{row.can_manage ? "yes" : "no"}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Card>
  );
}

/** The People row's `Access` button: the projects this member reaches, and why. */
export function MemberAccessButton({ userId, name }: { userId: number; name: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button size="xs" variant="subtle" aria-label={`Access of ${name}`} onClick={() => setOpen(true)}>
        Access
      </Button>
      {open && <MemberAccessDialog userId={userId} name={name} onClose={() => setOpen(false)} />}
    </>
  );
}

const PAGE_SIZE = 20;

function MemberAccessDialog({ userId, name, onClose }: { userId: number; name: string; onClose: () => void }) {
  const [page, setPage] = useState(1);
  const access = trpc.access.forUser.useQuery({ user_id: userId, page, page_size: PAGE_SIZE }, { placeholderData: (prev) => prev });
  const pages = access.data ? Math.max(1, Math.ceil(access.data.count / PAGE_SIZE)) : 1;
  return (
    <Modal opened onClose={onClose} title={`Projects ${name} can reach`} size="lg">
      <Stack gap="sm">
        {access.isPending && <Loader size="xs" aria-label="Loading access" />}
        {access.isError && (
          <Alert color="red" role="alert">
            {errorText(access.error)}
          </Alert>
        )}
        {access.data && access.data.count === 0 && <Text size="sm">{name} reaches none of the projects you may review.</Text>}
        {access.data && access.data.count > 0 && (
          <Table aria-label={`Access of ${name}`}>
            <Table.Tbody>
              {access.data.results.map((row) => (
                <Table.Tr key={row.project.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/projects/${row.project.id}`} onClick={onClose}>
                      {row.project.title}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Reasons reasons={row.reasons} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {pages > 1 && <Pagination total={pages} value={page} onChange={setPage} aria-label="Access pages" />}
      </Stack>
    </Modal>
  );
}
