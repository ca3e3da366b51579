import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Loader,
  Modal,
  NativeSelect,
  Pagination,
  Progress,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
  VisuallyHidden,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import {
  assignableRoles,
  can,
  canChangeRole,
  codeToMembership,
  explain,
  explainChangeRole,
  explainTransferOwnership,
  memberFacts,
  ROLE_CODES,
  roleToCode,
  type MemberRef,
  type RoleCode,
} from "@lattice/policy";
import { useId, useState } from "react";
import { CODE_LABEL, memberManagedByDirectoryReason, ROLE_LABEL, STATUS_LABEL } from "../access.js";
import { MemberAccessButton } from "../components/AccessViews.js";
import { AddPeopleDialog } from "../components/AddPeopleDialog.js";
import { PlusIcon } from "../components/icons.js";
import { errorText } from "../errors.js";
import { useSession } from "../session.js";
import { trpc, type Member } from "../trpc.js";

const PAGE_SIZE = 20;
const ROLE_FILTERS: { value: RoleCode | ""; label: string }[] = [
  { value: "", label: "All roles" },
  ...ROLE_CODES.map((c) => ({ value: c, label: CODE_LABEL[c] })),
];

const STATUS_COLOR = { active: "teal", pending: "yellow", deactivated: "gray" } as const;

function displayName(m: Member): string {
  return m.user.name || m.user.email;
}

function refOf(m: Member): MemberRef {
  return { userId: m.user.id, role: codeToMembership(m.role).role, status: m.status };
}

/** The Organization page: seats, the People list with its Role drop-downs, invitations, ownership. */
export function OrganizationPage() {
  const { subject, organization } = useSession();
  const [adding, setAdding] = useState(false);
  if (!can(subject, "member.list")) {
    return (
      <Alert color="gray" title="Organization">
        {explain(subject, "member.list").reason}
      </Alert>
    );
  }
  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1}>Organization</Title>
          <Text c="dimmed">{organization.title}</Text>
        </div>
        {can(subject, "invite.manage") && (
          <Button leftSection={<PlusIcon />} onClick={() => setAdding(true)}>
            Add People
          </Button>
        )}
      </Group>
      <SeatUsage />
      <People />
      {can(subject, "ownership.transfer") && <OwnershipTransfer />}
      {can(subject, "invite.manage") && <AddPeopleDialog opened={adding} onClose={() => setAdding(false)} />}
    </Stack>
  );
}

function SeatUsage() {
  const org = trpc.organization.get.useQuery({ id: 0 });
  if (!org.data) return null;
  const { seats_used: used, seat_limit: limit } = org.data;
  return (
    <Card withBorder padding="md" aria-label="Seats">
      <Group justify="space-between" mb={limit ? 6 : 0}>
        <Text fw={600}>Seats</Text>
        <Text size="sm" data-testid="seat-usage">
          {limit === null ? `${used} used (no seat limit)` : `${used} of ${limit} used`}
        </Text>
      </Group>
      {limit !== null && <Progress value={limit === 0 ? 100 : Math.min(100, (used / limit) * 100)} aria-label="Seat usage" />}
      <Text size="xs" c="dimmed" mt={4}>
        Active members use a seat; deactivating someone frees theirs.
      </Text>
    </Card>
  );
}

function People() {
  const [search, setSearch] = useState("");
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const [role, setRole] = useState<RoleCode | "">("");
  const [page, setPage] = useState(1);
  const list = trpc.member.list.useQuery(
    { id: 0, page, page_size: PAGE_SIZE, search: debounced || undefined, role: role ? [role] : undefined },
    { placeholderData: (prev) => prev },
  );
  const pages = Math.max(1, Math.ceil((list.data?.count ?? 0) / PAGE_SIZE));

  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-end">
        <Title order={2} size="h3">
          People
        </Title>
        <Group gap="sm" align="flex-end">
          <TextInput
            label="Search people"
            placeholder="Name or email"
            value={search}
            onChange={(e) => {
              setSearch(e.currentTarget.value);
              setPage(1);
            }}
          />
          <NativeSelect
            label="Role"
            aria-label="Filter by role"
            data={ROLE_FILTERS}
            value={role}
            onChange={(e) => {
              setRole(e.currentTarget.value as RoleCode | "");
              setPage(1);
            }}
          />
        </Group>
      </Group>
      {list.isError && (
        <Alert color="red" role="alert">
          {errorText(list.error)}
        </Alert>
      )}
      <Table.ScrollContainer minWidth={640}>
        <Table verticalSpacing="sm" highlightOnHover aria-label="People">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Email</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data?.results.map((m) => (
              <PersonRow key={m.id} member={m} />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {list.isPending && <Loader size="sm" />}
      {list.data && list.data.count === 0 && <Text c="dimmed">Nobody matches.</Text>}
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          {list.data ? `${list.data.count} ${list.data.count === 1 ? "person" : "people"}` : ""}
        </Text>
        {pages > 1 && <Pagination total={pages} value={page} onChange={setPage} aria-label="People pages" />}
      </Group>
    </Stack>
  );
}

/** Facts of a project the caller created: the narrowest case in which a manager may review access. */
const MANAGED_PROJECT = {
  inSandbox: false,
  ownSandbox: false,
  workspaceMember: true,
  createdByMe: true,
  projectMember: false,
  assigned: false,
  annotatorsMayViewOwnData: false,
} as const;

function PersonRow({ member: m }: { member: Member }) {
  const { me, subject } = useSession();
  const utils = trpc.useUtils();
  const [confirmRemove, setConfirmRemove] = useState(false);
  const actor: MemberRef = { userId: me.id, role: subject.role, status: subject.status };
  const target = refOf(m);
  const facts = memberFacts(actor, target);
  const name = displayName(m);
  // The API refuses (422) role changes and removal of members an authoritative directory manages.
  const managedReasonId = useId();
  const managed = m.managed_by_directory;
  // Managers review the access of the projects they manage; administrators and the owner, all.
  const mayReviewAccess = can(subject, "project.viewAccess", MANAGED_PROJECT);

  const refresh = async () => {
    await Promise.all([utils.member.list.invalidate(), utils.organization.get.invalidate()]);
  };
  const update = trpc.member.update.useMutation({
    onSuccess: async (row) => {
      await refresh();
      notifications.show({
        color: "teal",
        message: row.role === "DI" ? `${name} was deactivated` : `${name} is now ${CODE_LABEL[row.role]}`,
      });
    },
    onError: (err) => notifications.show({ color: "red", title: `Could not change ${name}'s role`, message: errorText(err) }),
  });
  const remove = trpc.member.remove.useMutation({
    onSuccess: async () => {
      setConfirmRemove(false);
      await refresh();
      notifications.show({ color: "teal", message: `${name} was removed from the organization` });
    },
  });

  const changeRole = can(subject, "member.changeRole") ? explain(subject, "member.changeRole", facts) : null;
  const roleCell = (() => {
    const label = CODE_LABEL[m.role];
    if (!changeRole) return <Text size="sm">{label}</Text>;
    if (!changeRole.allowed) {
      return (
        <Tooltip label={changeRole.reason} multiline w={260}>
          <Text size="sm" title={changeRole.reason}>
            {label}
          </Text>
        </Tooltip>
      );
    }
    const options = [
      ...(m.status === "pending" ? [{ value: "NO", label: "Not Activated", disabled: true }] : []),
      ...assignableRoles(me.edition).map((r) => ({
        value: roleToCode(r),
        label: ROLE_LABEL[r],
        disabled: !canChangeRole(actor, target, r, me.edition),
      })),
      { value: "DI", label: "Deactivate", disabled: !explainChangeRole(actor, target, "deactivated", me.edition).allowed },
    ];
    return (
      <Group gap="xs" wrap="nowrap">
        <NativeSelect
          aria-label={`Role of ${name}`}
          data={options}
          value={m.role}
          disabled={managed || update.isPending}
          // Mantine links its own description to the select (aria-describedby); Remove refers to it too.
          description={managed ? memberManagedByDirectoryReason(m.source) : undefined}
          descriptionProps={{ id: managedReasonId }}
          inputWrapperOrder={["label", "input", "description", "error"]}
          onChange={(e) => {
            const role = e.currentTarget.value as RoleCode;
            if (role !== m.role) update.mutate({ id: 0, user_id: m.user.id, role });
          }}
          size="xs"
          w={160}
        />
        {update.isPending && <Loader size="xs" aria-label="Saving" />}
      </Group>
    );
  })();
  const removal = can(subject, "member.remove") ? explain(subject, "member.remove", facts) : null;

  return (
    <Table.Tr>
      <Table.Td>
        <Text size="sm" fw={500}>
          {m.user.name || "—"}
          {m.user.id === me.id && (
            <Text span size="xs" c="dimmed">
              {" "}
              (you)
            </Text>
          )}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{m.user.email}</Text>
      </Table.Td>
      <Table.Td>
        <Badge color={STATUS_COLOR[m.status]} variant="light">
          {STATUS_LABEL[m.status]}
        </Badge>
      </Table.Td>
      <Table.Td>{roleCell}</Table.Td>
      <Table.Td>
        {mayReviewAccess && m.status === "active" && <MemberAccessButton userId={m.user.id} name={name} />}
        {removal?.allowed && (
          <Button
            size="xs"
            variant="subtle"
            color="red"
            aria-label={`Remove ${name}`}
            disabled={managed}
            aria-describedby={managed ? managedReasonId : undefined}
            onClick={() => setConfirmRemove(true)}
          >
            Remove
          </Button>
        )}
        {/* Said under the Role drop-down when there is one (the reason is given once). */}
        {removal?.allowed && managed && !changeRole?.allowed && (
          <Text size="xs" c="dimmed" id={managedReasonId}>
            {memberManagedByDirectoryReason(m.source)}
          </Text>
        )}
        <Modal opened={confirmRemove} onClose={() => setConfirmRemove(false)} title={`Remove ${name}?`}>
          <Stack>
            <Text size="sm">
              {name} loses access to the organization at once. Their work stays. To come back they need a new invitation and activation.
            </Text>
            {remove.isError && (
              <Alert color="red" role="alert">
                {errorText(remove.error)}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setConfirmRemove(false)}>
                Cancel
              </Button>
              <Button color="red" loading={remove.isPending} onClick={() => remove.mutate({ id: 0, user_id: m.user.id })}>
                Remove
              </Button>
            </Group>
          </Stack>
        </Modal>
      </Table.Td>
    </Table.Tr>
  );
}

/** The owner hands ownership to an active administrator and becomes an administrator. */
function OwnershipTransfer() {
  const { me, subject } = useSession();
  const utils = trpc.useUtils();
  const admins = trpc.member.list.useQuery({ id: 0, page: 1, page_size: 100, role: ["AD"] });
  const [choice, setChoice] = useState("");
  const [confirming, setConfirming] = useState(false);
  const mutation = trpc.member.transferOwnership.useMutation({
    onSuccess: async (row) => {
      setConfirming(false);
      setChoice("");
      await Promise.all([utils.auth.session.invalidate(), utils.member.list.invalidate()]);
      notifications.show({ color: "teal", message: `${row.user.name || row.user.email} is now the owner` });
    },
  });
  const candidates = admins.data?.results ?? [];
  const chosen = candidates.find((m) => String(m.user.id) === choice);
  const actor: MemberRef = { userId: me.id, role: subject.role, status: subject.status };
  const decision = chosen
    ? explainTransferOwnership(actor, refOf(chosen))
    : { allowed: false, reason: candidates.length ? "Choose the administrator who becomes the owner." : "Ownership can only be handed to an active administrator, and there is none." };

  return (
    <Card withBorder padding="md">
      <Stack gap="sm">
        <Title order={2} size="h4">
          Ownership
        </Title>
        <Text size="sm" c="dimmed">
          You own this organization. You can hand ownership to an active administrator; you then become an administrator.
        </Text>
        <Group align="flex-end">
          <NativeSelect
            label="New owner"
            data={[{ value: "", label: candidates.length ? "Choose an administrator" : "No administrators" }, ...candidates.map((m) => ({ value: String(m.user.id), label: `${displayName(m)} (${m.user.email})` }))]}
            value={choice}
            onChange={(e) => setChoice(e.currentTarget.value)}
          />
          <Button variant="outline" color="orange" disabled={!decision.allowed} onClick={() => setConfirming(true)} aria-describedby="transfer-reason">
            Transfer ownership
          </Button>
        </Group>
        {!decision.allowed && (
          <Text size="xs" c="dimmed" id="transfer-reason">
            {decision.reason}
          </Text>
        )}
      </Stack>
      <Modal opened={confirming} onClose={() => setConfirming(false)} title="Transfer ownership?">
        <Stack>
          <Text size="sm">
            {chosen ? displayName(chosen) : ""} becomes the owner of this organization and you become an administrator. Only the new
            owner can hand it back.
          </Text>
          {mutation.isError && (
            <Alert color="red" role="alert">
              {errorText(mutation.error)}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button color="orange" loading={mutation.isPending} onClick={() => chosen && mutation.mutate({ id: 0, user_id: chosen.user.id })}>
              Transfer ownership
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  );
}
