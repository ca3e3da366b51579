// Directory settings (administrators and the owner): the SCIM token, the LDAP connection, group
// mappings with the authoritative switches and the deprovisioning guard, previewing and running a
// sync, and the run history with the guard's approval.
import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Card,
  Code,
  Group,
  Loader,
  NumberInput,
  Pagination,
  PasswordInput,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { assignableRoles, explain, ROLES } from "@lattice/policy";
import { useEffect, useState } from "react";
import { ROLE_LABEL, roleLabel } from "../access.js";
import { CopyField } from "../components/CopyField.js";
import { errorText, fieldErrors } from "../errors.js";
import { useScope } from "../scope.js";
import { useSession } from "../session.js";
import { trpc, type RouterInputs, type RouterOutputs } from "../trpc.js";

type Settings = RouterOutputs["directory"]["settings"];
type Mappings = Settings["mappings"];
type LdapInput = Omit<RouterInputs["directory"]["updateLdap"], "id">;
type Run = RouterOutputs["directory"]["runs"]["results"][number];
type Source = "ldap" | "scim";

const RUNS_PAGE_SIZE = 10;
const ORG = { id: 0 } as const;

export function DirectoryPage() {
  const { subject } = useSession();
  const decision = explain(subject, "directory.manage");
  if (!decision.allowed)
    return (
      <Alert color="gray" title="Directory settings" role="note">
        {decision.reason}
      </Alert>
    );
  return (
    <Stack gap="md">
      <Title order={1}>Directory settings</Title>
      <Text size="sm" c="dimmed">
        Provision members from your identity provider over SCIM, or read them from LDAP, and map directory groups to roles, workspaces and
        projects.
      </Text>
      <ScimCard />
      <LdapCard />
      <MappingsCard />
      <SyncCard />
      <RunsCard />
    </Stack>
  );
}

// ---- SCIM ----

function ScimCard() {
  const settings = trpc.directory.settings.useQuery(ORG);
  const utils = trpc.useUtils();
  const [token, setToken] = useState<string | null>(null);
  const [confirmRotate, setConfirmRotate] = useState(false);
  const create = trpc.directory.scimToken.useMutation({
    onSuccess: (data) => {
      setToken(data.token);
      setConfirmRotate(false);
      void utils.directory.settings.invalidate();
    },
  });
  const createdAt = settings.data?.scim_token_created_at ?? null;
  const baseUrl = `${window.location.origin}/scim/v2`;

  return (
    <Card withBorder>
      <Stack gap="sm">
        <Title order={2} size="h4">
          SCIM
        </Title>
        <CopyField label="SCIM base URL" value={baseUrl} button="Copy URL" />
        <Text size="sm">
          {settings.isPending
            ? "Loading…"
            : createdAt
              ? `A SCIM token is set (created ${new Date(createdAt).toLocaleString()}). Rotating it stops the old one at once.`
              : "No SCIM token yet."}
        </Text>
        {token && (
          <Alert color="teal" title="Your new SCIM token">
            <Stack gap="xs">
              <Text size="sm">It is shown only now: copy it into your identity provider.</Text>
              <CopyField label="SCIM token" value={token} button="Copy token" />
            </Stack>
          </Alert>
        )}
        {create.isError && (
          <Alert color="red" role="alert">
            {errorText(create.error)}
          </Alert>
        )}
        {confirmRotate ? (
          <Alert color="orange" title="Rotate the SCIM token?">
            <Stack gap="xs">
              <Text size="sm">The current token stops working at once; your identity provider needs the new one.</Text>
              <Group>
                <Button color="orange" size="xs" loading={create.isPending} onClick={() => create.mutate(ORG)}>
                  Rotate token
                </Button>
                <Button variant="default" size="xs" onClick={() => setConfirmRotate(false)}>
                  Keep the current token
                </Button>
              </Group>
            </Stack>
          </Alert>
        ) : (
          <Group>
            <Button loading={create.isPending} disabled={settings.isPending} onClick={() => (createdAt ? setConfirmRotate(true) : create.mutate(ORG))}>
              {createdAt ? "Rotate SCIM token" : "Create SCIM token"}
            </Button>
          </Group>
        )}
      </Stack>
    </Card>
  );
}

// ---- LDAP ----

const LDAP_DEFAULTS: LdapInput = {
  url: "",
  starttls: false,
  bind_dn: "",
  user_base: "",
  user_filter: "(objectClass=person)",
  group_base: "",
  group_filter: "(objectClass=groupOfNames)",
  attr_id: "entryUUID",
  attr_email: "mail",
  attr_name: "cn",
  membership_attr: "member",
  attr_uid: "uid",
  page_size: 500,
  schedule_minutes: 0,
};

function LdapCard() {
  const ldap = trpc.directory.ldap.useQuery(ORG);
  const utils = trpc.useUtils();
  const [form, setForm] = useState<LdapInput>(LDAP_DEFAULTS);
  const [password, setPassword] = useState("");
  const [dirty, setDirty] = useState(false);

  useEffect(() => {
    if (ldap.data) {
      const { has_bind_password: _h, ...rest } = ldap.data;
      setForm(rest);
      setDirty(false);
    }
  }, [ldap.data]);

  const save = trpc.directory.updateLdap.useMutation({
    onSuccess: (data) => {
      utils.directory.ldap.setData(ORG, data);
      setPassword("");
      notifications.show({ color: "teal", message: "The LDAP connection was saved" });
    },
  });
  const test = trpc.directory.testLdap.useMutation();
  const errors = save.isError ? fieldErrors(save.error) : {};
  const set = <K extends keyof LdapInput>(key: K, value: LdapInput[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setDirty(true);
  };
  const text = (key: "url" | "bind_dn" | "user_base" | "user_filter" | "group_base" | "group_filter" | "attr_id" | "attr_email" | "attr_name" | "attr_uid", label: string) => (
    <TextInput label={label} value={form[key] ?? ""} onChange={(e) => set(key, e.currentTarget.value)} error={errors[key]} />
  );
  const hasPassword = ldap.data?.has_bind_password ?? false;

  if (ldap.isPending) return <Loader size="sm" aria-label="Loading LDAP settings" />;

  return (
    <Card withBorder>
      <form
        aria-label="LDAP connection"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate({ ...ORG, ...form, ...(password ? { bind_password: password } : {}) });
        }}
      >
        <Stack gap="sm">
          <Title order={2} size="h4">
            LDAP connection
          </Title>
          {ldap.isError && (
            <Alert color="red" role="alert">
              {errorText(ldap.error)}
            </Alert>
          )}
          <Group grow align="flex-start">
            {text("url", "URL")}
            <Switch mt={30} label="StartTLS" checked={form.starttls ?? false} onChange={(e) => set("starttls", e.currentTarget.checked)} />
          </Group>
          <Group grow align="flex-start">
            {text("bind_dn", "Bind DN")}
            <PasswordInput
              label="Bind password"
              description={hasPassword ? "A password is set; leave empty to keep it." : "No password is set."}
              placeholder={hasPassword ? "Unchanged" : ""}
              autoComplete="new-password"
              value={password}
              onChange={(e) => {
                setPassword(e.currentTarget.value);
                setDirty(true);
              }}
              error={errors.bind_password}
            />
          </Group>
          <Group grow align="flex-start">
            {text("user_base", "User base")}
            {text("user_filter", "User filter")}
          </Group>
          <Group grow align="flex-start">
            {text("group_base", "Group base")}
            {text("group_filter", "Group filter")}
          </Group>
          <Group grow align="flex-start">
            {text("attr_id", "ID attribute")}
            {text("attr_email", "Email attribute")}
            {text("attr_name", "Name attribute")}
          </Group>
          <Group grow align="flex-start">
            <Select
              label="Membership attribute"
              data={["member", "memberUid"]}
              allowDeselect={false}
              value={form.membership_attr ?? "member"}
              onChange={(v) => set("membership_attr", (v ?? "member") as "member" | "memberUid")}
            />
            {text("attr_uid", "UID attribute")}
            <NumberInput label="Page size" min={1} max={5000} value={form.page_size} onChange={(v) => set("page_size", Number(v) || 1)} error={errors.page_size} />
            <NumberInput
              label="Schedule (minutes)"
              description="0 runs only on demand"
              min={0}
              max={10080}
              value={form.schedule_minutes}
              onChange={(v) => set("schedule_minutes", Number(v) || 0)}
              error={errors.schedule_minutes}
            />
          </Group>
          {save.isError && (
            <Alert color="red" role="alert">
              {errorText(save.error)}
            </Alert>
          )}
          <Group>
            <Button type="submit" loading={save.isPending}>
              Save connection
            </Button>
            <Button variant="default" loading={test.isPending} disabled={!ldap.data || dirty} onClick={() => test.mutate(ORG)}>
              Test connection
            </Button>
            {(dirty || !ldap.data) && (
              <Text size="xs" c="dimmed">
                {ldap.data ? "Save the changes to test them." : "Save a connection to test it."}
              </Text>
            )}
          </Group>
          {test.isError && (
            <Alert color="red" role="alert">
              {errorText(test.error)}
            </Alert>
          )}
          {test.data && <TestResult result={test.data} />}
        </Stack>
      </form>
    </Card>
  );
}

function TestResult({ result }: { result: RouterOutputs["directory"]["testLdap"] }) {
  if (!result.ok)
    return (
      <Alert color="red" role="alert" title="The connection failed">
        {result.error}
      </Alert>
    );
  return (
    <Alert color="teal" title="Connected" role="status">
      <Stack gap="xs">
        <Text size="sm">
          {result.users} users and {result.groups} groups found.
        </Text>
        {result.sample_users.length > 0 && (
          <Table aria-label="Sample users">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>User</Table.Th>
                <Table.Th>Email</Table.Th>
                <Table.Th>DN</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {result.sample_users.map((u) => (
                <Table.Tr key={u.dn}>
                  <Table.Td>{u.name}</Table.Td>
                  <Table.Td>{u.email}</Table.Td>
                  <Table.Td>
                    <Code>{u.dn}</Code>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {result.sample_groups.length > 0 && (
          <Table aria-label="Sample groups">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Group</Table.Th>
                <Table.Th>Members</Table.Th>
                <Table.Th>DN</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {result.sample_groups.map((g) => (
                <Table.Tr key={g.dn}>
                  <Table.Td>{g.name}</Table.Td>
                  <Table.Td>{g.members}</Table.Td>
                  <Table.Td>
                    <Code>{g.dn}</Code>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Alert>
  );
}

// ---- Mappings, switches, guard ----

type ProjectMappingRole = Mappings["projects"][number]["role"];
/** The roles a project mapping may give, as the API's type has them (a missing or extra one fails to compile). */
const PROJECT_MAPPING_ROLES = { annotator: true, reviewer: true } as const satisfies Record<ProjectMappingRole, true>;
const PROJECT_MAPPING_ROLE_LIST = ROLES.filter((r): r is ProjectMappingRole => r in PROJECT_MAPPING_ROLES);
const PROJECT_ROLE_OPTIONS = PROJECT_MAPPING_ROLE_LIST.map((r) => ({ value: r, label: ROLE_LABEL[r] }));

function RemoveButton({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <ActionIcon variant="subtle" color="red" aria-label={label} title={label} onClick={onClick} mt={4}>
      ×
    </ActionIcon>
  );
}

function MappingsCard() {
  const settings = trpc.directory.settings.useQuery(ORG);
  const { me } = useSession();
  const scope = useScope();
  const projects = trpc.project.list.useQuery({ page: 1, page_size: 100 });
  const utils = trpc.useUtils();
  const [draft, setDraft] = useState<Omit<Settings, "scim_token_created_at"> | null>(null);

  // The saved mappings and switches (not the token date, which changes when the token rotates):
  // the draft follows them only when they change.
  const saved = settings.data ? JSON.stringify({ ...settings.data, scim_token_created_at: null }) : null;
  useEffect(() => {
    if (saved) {
      const { scim_token_created_at: _c, ...rest } = JSON.parse(saved) as Settings;
      setDraft(rest);
    }
  }, [saved]);

  const save = trpc.directory.updateSettings.useMutation({
    onSuccess: (data) => {
      utils.directory.settings.setData(ORG, data);
      notifications.show({ color: "teal", message: "Group mappings were saved" });
    },
  });

  if (settings.isError)
    return (
      <Alert color="red" role="alert">
        {errorText(settings.error)}
      </Alert>
    );
  if (!draft) return <Loader size="sm" aria-label="Loading group mappings" />;

  // The roles this edition lets administrators give, highest first; a new mapping starts at the lowest.
  const roles = assignableRoles(me.edition);
  const roleOptions = roles.map((r) => ({ value: r, label: ROLE_LABEL[r] }));
  const lowestRole = roles.at(-1);
  const lowestProjectRole = PROJECT_MAPPING_ROLE_LIST[0];
  const workspaceOptions = scope.shared.map((w) => ({ value: String(w.id), label: w.title }));
  const projectOptions = (projects.data?.results ?? []).map((p) => ({ value: String(p.id), label: `${p.title} (${p.workspace_title})` }));
  const setMappings = (m: Partial<Mappings>) => setDraft((d) => (d ? { ...d, mappings: { ...d.mappings, ...m } } : d));
  const m = draft.mappings;
  const update = <T,>(list: T[], i: number, patch: Partial<T>) => list.map((x, j) => (j === i ? { ...x, ...patch } : x));
  const without = <T,>(list: T[], i: number) => list.filter((_, j) => j !== i);

  return (
    <Card withBorder>
      <Stack gap="sm">
        <Title order={2} size="h4">
          Group mappings
        </Title>

        <Text fw={600} size="sm">
          Group → role
        </Text>
        {m.roles.map((r, i) => (
          <Group key={i} align="flex-start" wrap="nowrap">
            <TextInput aria-label={`Role mapping ${i + 1} group`} placeholder="Directory group" value={r.group} onChange={(e) => setMappings({ roles: update(m.roles, i, { group: e.currentTarget.value }) })} style={{ flex: 1 }} />
            <Select aria-label={`Role mapping ${i + 1} role`} data={roleOptions} allowDeselect={false} value={r.role} onChange={(v) => v && setMappings({ roles: update(m.roles, i, { role: v as typeof r.role }) })} w={180} />
            <RemoveButton label={`Remove role mapping ${i + 1}`} onClick={() => setMappings({ roles: without(m.roles, i) })} />
          </Group>
        ))}
        <Group>
          <Button variant="subtle" size="xs" disabled={!lowestRole} onClick={() => lowestRole && setMappings({ roles: [...m.roles, { group: "", role: lowestRole }] })}>
            Add role mapping
          </Button>
        </Group>

        <Text fw={600} size="sm">
          Group → workspace
        </Text>
        {m.workspaces.map((w, i) => (
          <Group key={i} align="flex-start" wrap="nowrap">
            <TextInput aria-label={`Workspace mapping ${i + 1} group`} placeholder="Directory group" value={w.group} onChange={(e) => setMappings({ workspaces: update(m.workspaces, i, { group: e.currentTarget.value }) })} style={{ flex: 1 }} />
            <Select
              aria-label={`Workspace mapping ${i + 1} workspace`}
              data={workspaceOptions}
              allowDeselect={false}
              searchable
              value={w.workspace ? String(w.workspace) : null}
              onChange={(v) => v && setMappings({ workspaces: update(m.workspaces, i, { workspace: Number(v) }) })}
              w={240}
            />
            <RemoveButton label={`Remove workspace mapping ${i + 1}`} onClick={() => setMappings({ workspaces: without(m.workspaces, i) })} />
          </Group>
        ))}
        <Group>
          <Button variant="subtle" size="xs" disabled={workspaceOptions.length === 0} onClick={() => setMappings({ workspaces: [...m.workspaces, { group: "", workspace: Number(workspaceOptions[0]?.value ?? 0) }] })}>
            Add workspace mapping
          </Button>
        </Group>

        <Text fw={600} size="sm">
          Group → project
        </Text>
        {m.projects.map((p, i) => (
          <Group key={i} align="flex-start" wrap="nowrap">
            <TextInput aria-label={`Project mapping ${i + 1} group`} placeholder="Directory group" value={p.group} onChange={(e) => setMappings({ projects: update(m.projects, i, { group: e.currentTarget.value }) })} style={{ flex: 1 }} />
            <Select
              aria-label={`Project mapping ${i + 1} project`}
              data={projectOptions}
              allowDeselect={false}
              searchable
              value={p.project ? String(p.project) : null}
              onChange={(v) => v && setMappings({ projects: update(m.projects, i, { project: Number(v) }) })}
              w={240}
            />
            <Select aria-label={`Project mapping ${i + 1} role`} data={PROJECT_ROLE_OPTIONS} allowDeselect={false} value={p.role} onChange={(v) => v && setMappings({ projects: update(m.projects, i, { role: v as typeof p.role }) })} w={150} />
            <RemoveButton label={`Remove project mapping ${i + 1}`} onClick={() => setMappings({ projects: without(m.projects, i) })} />
          </Group>
        ))}
        <Group>
          <Button variant="subtle" size="xs" disabled={projectOptions.length === 0 || !lowestProjectRole}
            onClick={() => lowestProjectRole && setMappings({ projects: [...m.projects, { group: "", project: Number(projectOptions[0]?.value ?? 0), role: lowestProjectRole }] })}>
            Add project mapping
          </Button>
        </Group>

        <Title order={3} size="h5" mt="sm">
          The directory is authoritative for
        </Title>
        <Switch label="Roles (members missing from the directory are deactivated)" checked={draft.authoritative_roles} onChange={(e) => setDraft({ ...draft, authoritative_roles: e.currentTarget.checked })} />
        <Switch label="Workspace membership" checked={draft.authoritative_workspaces} onChange={(e) => setDraft({ ...draft, authoritative_workspaces: e.currentTarget.checked })} />
        <Switch label="Project membership" checked={draft.authoritative_projects} onChange={(e) => setDraft({ ...draft, authoritative_projects: e.currentTarget.checked })} />
        <NumberInput
          label="Deprovisioning guard (%)"
          description="A run that would deactivate more than this share of directory-managed members waits for approval."
          min={0}
          max={100}
          suffix="%"
          value={Math.round(draft.guard_threshold * 100)}
          onChange={(v) => setDraft({ ...draft, guard_threshold: Math.min(100, Math.max(0, Number(v) || 0)) / 100 })}
          w={320}
        />
        {save.isError && (
          <Alert color="red" role="alert">
            {errorText(save.error)}
          </Alert>
        )}
        <Group>
          <Button loading={save.isPending} onClick={() => save.mutate({ ...ORG, ...draft })}>
            Save mappings
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

// ---- Sync ----

const PLAN_LABEL: Record<string, string> = {
  create: "Accounts created",
  activate: "Memberships activated",
  change_role: "Roles changed",
  deactivate: "Members deactivated",
  skipped_no_seat: "Skipped (no seat left)",
  adopt: "Memberships adopted",
  workspace_join: "Workspace joins",
  workspace_leave: "Workspace leaves",
  project_join: "Project joins",
  project_change: "Project role changes",
  project_leave: "Project leaves",
  directory_users: "Directory users",
  directory_groups: "Directory groups",
  managed_active: "Directory-managed active members",
  managed_workspace_members: "Directory-managed workspace memberships",
  managed_project_members: "Directory-managed project memberships",
};

const STATUS_COLOR: Record<string, string> = {
  running: "blue",
  planned: "grape",
  applied: "teal",
  needs_approval: "orange",
  approved: "cyan",
  failed: "red",
};
const STATUS_LABEL: Record<string, string> = {
  running: "Running",
  planned: "Planned (dry run)",
  applied: "Applied",
  needs_approval: "Needs approval",
  approved: "Approved",
  failed: "Failed",
};
const inProgress = (status: string) => status === "running" || status === "approved";

function StatusBadge({ status }: { status: string }) {
  return (
    <Badge color={STATUS_COLOR[status] ?? "gray"} variant="light" styles={{ root: { textTransform: "none" } }}>
      {STATUS_LABEL[status] ?? status}
    </Badge>
  );
}

type Plan = NonNullable<RouterOutputs["directory"]["run"]["plan"]>;
type PlanKind = keyof Plan;
type PlanEntry = Plan[PlanKind][number];

const SOURCE_LABEL: Record<string, string> = { manual: "Manual", scim: "SCIM", ldap: "LDAP" };

/** The columns after Name and Email, for each kind of change. */
const PLAN_COLUMNS: Record<PlanKind, ("role" | "change" | "former_role" | "managed_by" | "workspace" | "project")[]> = {
  create: [],
  activate: ["role"],
  change_role: ["change"],
  deactivate: ["former_role"],
  skipped_no_seat: ["role"],
  adopt: ["managed_by"],
  workspace_join: ["workspace"],
  workspace_leave: ["workspace"],
  project_join: ["project", "role"],
  project_change: ["project", "change"],
  project_leave: ["project"],
};
const COLUMN_HEADER = { role: "Role", change: "Role", former_role: "Role until now", managed_by: "Managed until now by", workspace: "Workspace", project: "Project" } as const;

/** A title with its id beside it, or what is left of a deleted one. */
function Place({ kind, id, title }: { kind: "workspace" | "project"; id: number; title: string | null }) {
  if (title === null)
    return (
      <Text span size="sm" c="dimmed" fs="italic">
        (deleted {kind} #{id})
      </Text>
    );
  return (
    <>
      {title}{" "}
      <Text span size="xs" c="dimmed">
        #{id}
      </Text>
    </>
  );
}

function PlanCell({ column, entry }: { column: (typeof PLAN_COLUMNS)[PlanKind][number]; entry: PlanEntry }) {
  const e = entry as PlanEntry & { role?: string; from?: string | null; to?: string; workspace?: number; workspace_title?: string | null; project?: number; project_title?: string | null };
  switch (column) {
    case "role":
      return <>{roleLabel(e.role)}</>;
    case "change":
      return (
        <>
          {roleLabel(e.from)} → {roleLabel(e.to)}
        </>
      );
    case "former_role":
      return <>{roleLabel(e.from)}</>;
    case "managed_by":
      return <>{e.from ? (SOURCE_LABEL[e.from] ?? e.from) : "—"}</>;
    case "workspace":
      return <Place kind="workspace" id={e.workspace!} title={e.workspace_title ?? null} />;
    case "project":
      return <Place kind="project" id={e.project!} title={e.project_title ?? null} />;
  }
}

const PLAN_SHOWN = 20;

function PlanView({ plan }: { plan: Plan | null }) {
  if (!plan) return null;
  const entries = (Object.entries(plan) as [PlanKind, PlanEntry[]][]).filter(([, v]) => v.length > 0);
  if (entries.length === 0) return <Text size="sm">Nothing would change.</Text>;
  return (
    <Stack gap="xs" aria-label="Sync plan">
      {entries.map(([kind, list]) => (
        <div key={kind}>
          <Text size="sm" fw={600}>
            {PLAN_LABEL[kind] ?? kind} ({list.length})
          </Text>
          <Table aria-label={PLAN_LABEL[kind] ?? kind}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Email</Table.Th>
                {PLAN_COLUMNS[kind].map((c) => (
                  <Table.Th key={c}>{COLUMN_HEADER[c]}</Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.slice(0, PLAN_SHOWN).map((e, i) => (
                <Table.Tr key={i}>
                  <Table.Td>{e.name || "—"}</Table.Td>
                  <Table.Td>{e.email}</Table.Td>
                  {PLAN_COLUMNS[kind].map((c) => (
                    <Table.Td key={c}>
                      <PlanCell column={c} entry={e} />
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {list.length > PLAN_SHOWN && (
            <Text size="xs" c="dimmed">
              … and {list.length - PLAN_SHOWN} more
            </Text>
          )}
        </div>
      ))}
    </Stack>
  );
}

function Counts({ counts }: { counts: Record<string, number> | null }) {
  if (!counts) return <Text size="sm">—</Text>;
  const shown = Object.entries(counts).filter(([, n]) => n > 0);
  if (shown.length === 0) return <Text size="sm">No changes</Text>;
  return (
    <Text size="sm">
      {shown.map(([k, n]) => `${PLAN_LABEL[k] ?? k}: ${n}`).join(", ")}
    </Text>
  );
}

function SyncCard() {
  const ldap = trpc.directory.ldap.useQuery(ORG);
  const utils = trpc.useUtils();
  const [source, setSource] = useState<Source>("ldap");
  const [runId, setRunId] = useState<string | null>(null);
  const onSuccess = (data: { run_id: string }, vars: { dry_run?: unknown }) => {
    setRunId(data.run_id);
    void utils.directory.runs.invalidate();
    notifications.show({ color: "teal", message: vars.dry_run === true ? "The preview was queued" : "The sync was queued" });
  };
  const syncLdap = trpc.directory.syncLdap.useMutation({ onSuccess });
  const syncScim = trpc.directory.syncScim.useMutation({ onSuccess });
  const mutation = source === "ldap" ? syncLdap : syncScim;
  const run = trpc.directory.run.useQuery(
    { ...ORG, run_id: runId ?? "" },
    { enabled: !!runId, refetchInterval: (q) => (q.state.data && inProgress(q.state.data.status) ? 1500 : false) },
  );
  const needsLdap = source === "ldap" && !ldap.data;
  const start = (dry: boolean) => {
    setRunId(null);
    mutation.mutate({ ...ORG, dry_run: dry });
  };
  useEffect(() => {
    if (run.data && !inProgress(run.data.status)) void utils.directory.runs.invalidate();
  }, [run.data, utils]);

  return (
    <Card withBorder>
      <Stack gap="sm">
        <Title order={2} size="h4">
          Sync
        </Title>
        <SegmentedControl
          aria-label="Source"
          value={source}
          onChange={(v) => setSource(v as Source)}
          data={[
            { value: "ldap", label: "LDAP" },
            { value: "scim", label: "SCIM" },
          ]}
          w={200}
        />
        <Group>
          <Button variant="default" loading={mutation.isPending && mutation.variables?.dry_run === true} disabled={needsLdap || mutation.isPending} onClick={() => start(true)}>
            Preview sync
          </Button>
          <Button loading={mutation.isPending && mutation.variables?.dry_run === false} disabled={needsLdap || mutation.isPending} onClick={() => start(false)}>
            Run sync
          </Button>
          {needsLdap && (
            <Text size="xs" c="dimmed">
              Save an LDAP connection first.
            </Text>
          )}
        </Group>
        {mutation.isError && (
          <Alert color="red" role="alert">
            {errorText(mutation.error)}
          </Alert>
        )}
        {run.isError && (
          <Alert color="red" role="alert">
            {errorText(run.error)}
          </Alert>
        )}
        {run.data && (
          <Card withBorder bg="gray.0" aria-label={run.data.dry_run ? "Preview" : "Sync run"} role="region">
            <Stack gap="xs">
              <Group gap="xs">
                <Text fw={600} size="sm">
                  {run.data.dry_run ? "Preview" : "Sync run"}
                </Text>
                <StatusBadge status={run.data.status} />
                {inProgress(run.data.status) && <Loader size="xs" aria-label="Sync in progress" />}
              </Group>
              {run.data.error && (
                <Text size="sm" c={run.data.status === "failed" ? "red" : "orange"}>
                  {run.data.error}
                </Text>
              )}
              <Counts counts={run.data.counts} />
              {!inProgress(run.data.status) && <PlanView plan={run.data.plan} />}
            </Stack>
          </Card>
        )}
      </Stack>
    </Card>
  );
}

// ---- Run history ----

/** Who started a run nobody requested (an account since deleted shows as "—"). */
const UNATTENDED: Record<string, string> = { schedule: "Schedule", scim: "SCIM" };

function PersonName({ person, at }: { person: NonNullable<Run["requested_by"]>; at?: string | null }) {
  return (
    <Text span size="sm" title={at ? `${person.email}, ${new Date(at).toLocaleString()}` : person.email}>
      {person.name || person.email}
    </Text>
  );
}

function RunsCard() {
  const [pageNo, setPageNo] = useState(1);
  const utils = trpc.useUtils();
  const runs = trpc.directory.runs.useQuery(
    { ...ORG, page: pageNo, page_size: RUNS_PAGE_SIZE },
    { placeholderData: (prev) => prev, refetchInterval: (q) => (q.state.data?.results.some((r) => inProgress(r.status)) ? 3000 : false) },
  );
  const approve = trpc.directory.approveRun.useMutation({
    onSuccess: () => {
      // The list and the run shown above it (a held run now reads Approved).
      void utils.directory.runs.invalidate();
      void utils.directory.run.invalidate();
      notifications.show({ color: "teal", message: "The run was approved and will be applied" });
    },
  });
  const pages = runs.data ? Math.max(1, Math.ceil(runs.data.count / RUNS_PAGE_SIZE)) : 1;

  return (
    <Card withBorder>
      <Stack gap="sm">
        <Title order={2} size="h4">
          Run history
        </Title>
        {runs.isPending && <Loader size="sm" aria-label="Loading runs" />}
        {runs.isError && (
          <Alert color="red" role="alert">
            {errorText(runs.error)}
          </Alert>
        )}
        {approve.isError && (
          <Alert color="red" role="alert">
            {errorText(approve.error)}
          </Alert>
        )}
        {runs.data && runs.data.results.length === 0 && (
          <Text size="sm" c="dimmed">
            No sync has run yet.
          </Text>
        )}
        {runs.data && runs.data.results.length > 0 && (
          <Table aria-label="Sync runs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Started</Table.Th>
                <Table.Th>Source</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>Requested by</Table.Th>
                <Table.Th>Approved by</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Counts</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {runs.data.results.map((r: Run) => (
                <Table.Tr key={r.id}>
                  <Table.Td>{new Date(r.created_at).toLocaleString()}</Table.Td>
                  <Table.Td>{r.source.toUpperCase()}</Table.Td>
                  <Table.Td>
                    {r.dry_run ? "Preview" : "Sync"} ({r.trigger})
                  </Table.Td>
                  <Table.Td>{r.requested_by ? <PersonName person={r.requested_by} /> : (UNATTENDED[r.trigger] ?? "—")}</Table.Td>
                  <Table.Td>{r.approved_by ? <PersonName person={r.approved_by} at={r.approved_at} /> : "—"}</Table.Td>
                  <Table.Td>
                    <Stack gap={2}>
                      <StatusBadge status={r.status} />
                      {r.error && (
                        <Text size="xs" c={r.status === "failed" ? "red" : "orange"}>
                          {r.error}
                        </Text>
                      )}
                    </Stack>
                  </Table.Td>
                  <Table.Td>
                    <Counts counts={r.counts} />
                  </Table.Td>
                  <Table.Td>
                    {r.status === "needs_approval" && (
                      <Button size="xs" color="orange" loading={approve.isPending && approve.variables?.run_id === r.id} onClick={() => approve.mutate({ ...ORG, run_id: r.id })}>
                        Approve
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {pages > 1 && <Pagination value={pageNo} onChange={setPageNo} total={pages} />}
      </Stack>
    </Card>
  );
}
