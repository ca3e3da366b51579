import { Button, Table } from "@mantine/core";

export interface ProjectMemberRow {
  id: number;
  name: string;
  email: string;
  direct: boolean;
  assigned: boolean;
}

/**
 * A project's members and why they are members; a Remove button per direct member when `onRemove`
 * is given, disabled and described by the element `removeDisabledBy` names when that is given.
 */
export function ProjectMembersTable({
  members,
  onRemove,
  removeDisabledBy,
}: {
  members: ProjectMemberRow[];
  onRemove?: (m: ProjectMemberRow) => void;
  /** The id of the element saying why members cannot be removed. */
  removeDisabledBy?: string;
}) {
  return (
    <Table aria-label="Project members">
      <Table.Tbody>
        {members.map((m) => (
          <Table.Tr key={m.id}>
            <Table.Td>{m.name || m.email}</Table.Td>
            <Table.Td>{m.email}</Table.Td>
            <Table.Td>{[m.direct ? "added" : null, m.assigned ? "has tasks" : null].filter(Boolean).join(", ")}</Table.Td>
            {onRemove && (
              <Table.Td>
                {m.direct && (
                  <Button
                    size="xs"
                    variant="subtle"
                    color="red"
                    aria-label={`Remove ${m.name || m.email} from the project`}
                    disabled={removeDisabledBy !== undefined}
                    aria-describedby={removeDisabledBy}
                    onClick={() => onRemove(m)}
                  >
                    Remove
                  </Button>
                )}
              </Table.Td>
            )}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
