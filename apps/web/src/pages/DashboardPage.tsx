// Dashboards: "what happens and when" at the scopes the role reaches (Table 3: own, project,
// workspace and invited projects, organization), and the annotator dashboard. Drawn with
// recharts (React 19 ready; @mantine/charts pins @mantine/core 9.7.3, one behind ours).
import { Alert, Card, Group, Loader, SegmentedControl, Select, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { DASHBOARD_SCOPES, can, dashboardScope, explain, type DashboardScope } from "@lattice/policy";
import { useState, type ReactNode } from "react";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { errorText } from "../errors.js";
import { useScope } from "../scope.js";
import { useSession } from "../session.js";
import { trpc } from "../trpc.js";

const SCOPE_LABEL: Record<DashboardScope, string> = {
  own: "My work",
  project: "Project",
  workspace: "Workspace",
  organization: "Organization",
};

const COLORS = { tasks: "#15aabf", annotations: "#4c6ef5", accepted: "#12b886", rejected: "#fa5252", pending: "#adb5bd", agreement: "#7950f2", rate: "#f59f00" };

const pct = (v: number | null) => (v === null ? "—" : `${Math.round(v * 100)}%`);

const PERIODS = [
  { value: "7", label: "7 days" },
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
];

export function Chart({ title, children, height = 260 }: { title: string; children: ReactNode; height?: number }) {
  return (
    <Card withBorder component="figure" m={0} aria-label={title}>
      <Text component="figcaption" fw={600} size="sm" mb="xs">
        {title}
      </Text>
      <div style={{ width: "100%", height }}>
        <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 480, height }}>
          {children as React.ReactElement}
        </ResponsiveContainer>
      </div>
    </Card>
  );
}

function Stat({ label, value }: { label: string; value: ReactNode }) {
  return (
    <Card withBorder padding="sm">
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text size="xl" fw={700}>
        {value}
      </Text>
    </Card>
  );
}

export function DashboardPage() {
  const { subject } = useSession();
  const role = subject.role;
  const annotatorView = can(subject, "annotatorDashboard.view");
  if (!role) return null;
  const widest = dashboardScope(role);
  const scopes = DASHBOARD_SCOPES.slice(0, DASHBOARD_SCOPES.indexOf(widest) + 1).reverse();
  return (
    <Stack gap="lg">
      <Title order={1}>Dashboards</Title>
      {annotatorView && <AnnotatorDashboard />}
      <Summary scopes={scopes} />
    </Stack>
  );
}

function Summary({ scopes }: { scopes: DashboardScope[] }) {
  const { subject } = useSession();
  const scope = useScope();
  const [chosen, setChosen] = useState<DashboardScope>(scopes[0] ?? "own");
  const [target, setTarget] = useState<string | null>(null);
  const [days, setDays] = useState("30");
  const projects = trpc.project.list.useQuery({ page: 1, page_size: 100 }, { enabled: chosen === "project" });
  const id = (chosen === "project" || chosen === "workspace") && target ? Number(target) : undefined;
  const summary = trpc.dashboard.summary.useQuery({ scope: chosen, id, days: Number(days) }, { placeholderData: (prev) => prev });
  const wider = DASHBOARD_SCOPES.filter((s) => !scopes.includes(s));
  const s = summary.data;

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <Title order={2} size="h3">
          What happens and when
        </Title>
        <Group align="flex-end">
          {scopes.length > 1 && (
            <SegmentedControl
              aria-label="Dashboard scope"
              value={chosen}
              onChange={(v) => {
                setChosen(v as DashboardScope);
                setTarget(null);
              }}
              data={scopes.map((x) => ({ value: x, label: SCOPE_LABEL[x] }))}
            />
          )}
          {chosen === "workspace" && (
            <Select
              label="Workspace"
              placeholder="All my workspaces"
              clearable
              data={scope.shared.map((w) => ({ value: String(w.id), label: w.title }))}
              value={target}
              onChange={setTarget}
              w={200}
            />
          )}
          {chosen === "project" && (
            <Select
              label="Project"
              placeholder="All my projects"
              clearable
              searchable
              data={(projects.data?.results ?? []).map((p) => ({ value: String(p.id), label: p.title }))}
              value={target}
              onChange={setTarget}
              w={220}
            />
          )}
          <SegmentedControl aria-label="Period of counts over time" value={days} onChange={setDays} data={PERIODS} />
        </Group>
      </Group>
      {wider.length > 0 && (
        <Text size="xs" c="dimmed">
          {explain(subject, "dashboard.view", { scope: "organization" }).reason}
        </Text>
      )}
      {summary.isPending && <Loader size="sm" aria-label="Loading dashboard" />}
      {summary.isError && (
        <Alert color="red" role="alert" title="Dashboard not available">
          {errorText(summary.error)}
        </Alert>
      )}
      {s && (
        <>
          <SimpleGrid cols={{ base: 2, sm: 3, md: 6 }}>
            <Stat label="Projects" value={s.projects} />
            <Stat label="Tasks" value={s.tasks} />
            <Stat label="Annotations" value={s.annotations} />
            <Stat label="Accepted" value={s.accepted} />
            <Stat label="Rejected" value={s.rejected} />
            <Stat label="Agreement" value={s.pairs === null ? "—" : pct(s.agreement)} />
          </SimpleGrid>
          <Chart title="Counts over time">
            <LineChart data={s.series}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="date" />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Legend />
              <Line type="monotone" dataKey="tasks" name="Tasks created" stroke={COLORS.tasks} dot={{ r: 2 }} />
              <Line type="monotone" dataKey="annotations" name="Annotations submitted" stroke={COLORS.annotations} dot={{ r: 2 }} />
              <Line type="monotone" dataKey="accepted" name="Reviews: accepted" stroke={COLORS.accepted} dot={{ r: 2 }} />
              <Line type="monotone" dataKey="rejected" name="Reviews: rejected" stroke={COLORS.rejected} dot={{ r: 2 }} />
            </LineChart>
          </Chart>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <Chart title="Annotations per annotator">
              <BarChart data={s.per_annotator.map((a) => ({ name: a.user.deleted ? "deleted user" : a.user.name || a.user.email || "?", ...a }))}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="name" />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Legend />
                <Bar dataKey="accepted" name="Accepted" stackId="a" fill={COLORS.accepted} />
                <Bar dataKey="rejected" name="Rejected" stackId="a" fill={COLORS.rejected} />
                <Bar dataKey="pending" name="Not reviewed" stackId="a" fill={COLORS.pending} />
              </BarChart>
            </Chart>
            <Chart title="Annotations per project">
              <BarChart data={s.per_project.map((p) => ({ name: p.project.title, ...p }))}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="name" />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Legend />
                <Bar dataKey="accepted" name="Accepted" stackId="p" fill={COLORS.accepted} />
                <Bar dataKey="rejected" name="Rejected" stackId="p" fill={COLORS.rejected} />
                <Bar dataKey="pending" name="Not reviewed" stackId="p" fill={COLORS.pending} />
              </BarChart>
            </Chart>
            {s.pairs !== null &&
              (s.per_annotator.some((a) => a.agreement !== null) ? (
                <Chart title="Agreement per annotator">
                  <BarChart
                    data={s.per_annotator
                      .filter((a) => a.agreement !== null)
                      .map((a) => ({ name: a.user.deleted ? "deleted user" : a.user.name || a.user.email || "?", agreement: Math.round((a.agreement ?? 0) * 100) }))}
                  >
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis dataKey="name" />
                    <YAxis domain={[0, 100]} unit="%" />
                    <Tooltip formatter={(v) => `${String(v)}%`} />
                    <Bar dataKey="agreement" name="Agreement" fill={COLORS.agreement} />
                  </BarChart>
                </Chart>
              ) : (
                <Card withBorder>
                  <Text fw={600} size="sm">
                    Agreement per annotator
                  </Text>
                  <Text size="sm" c="dimmed">
                    No task has two annotations yet: agreement compares annotators on the same task.
                  </Text>
                </Card>
              ))}
          </SimpleGrid>
          {s.per_annotator.length === 0 && s.per_project.length === 0 && <Text size="sm">No annotations in this scope yet.</Text>}
        </>
      )}
    </Stack>
  );
}

function AnnotatorDashboard() {
  const [days, setDays] = useState("30");
  const dash = trpc.dashboard.annotator.useQuery({ days: Number(days) }, { placeholderData: (prev) => prev });
  const d = dash.data;
  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <Title order={2} size="h3">
          Annotator dashboard
        </Title>
        <SegmentedControl aria-label="Period" value={days} onChange={setDays} data={PERIODS} />
      </Group>
      {dash.isPending && <Loader size="sm" aria-label="Loading annotator dashboard" />}
      {dash.isError && (
        <Alert color="red" role="alert" title="Annotator dashboard not available">
          {errorText(dash.error)}
        </Alert>
      )}
      {d && (
        <>
          <SimpleGrid cols={{ base: 2, sm: 3, md: 5 }}>
            <Stat label="Tasks assigned" value={d.tasks_assigned} />
            <Stat label="Annotations" value={d.annotations} />
            <Stat label="Accepted" value={d.accepted} />
            <Stat label="Rejected" value={d.rejected} />
            <Stat label="Acceptance rate" value={pct(d.acceptance_rate)} />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <Chart title="My annotations over time">
              <BarChart data={d.series}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="date" />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Legend />
                <Bar dataKey="annotations" name="Annotations" fill={COLORS.annotations} />
                <Bar dataKey="accepted" name="Accepted" fill={COLORS.accepted} />
                <Bar dataKey="rejected" name="Rejected" fill={COLORS.rejected} />
              </BarChart>
            </Chart>
            <Chart title="My acceptance rate over time">
              <LineChart data={d.series.map((p) => ({ date: p.date, rate: p.acceptance_rate === null ? null : Math.round(p.acceptance_rate * 100) }))}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="date" />
                <YAxis domain={[0, 100]} unit="%" />
                <Tooltip formatter={(v) => `${String(v)}%`} />
                <Line type="monotone" dataKey="rate" name="Acceptance rate" stroke={COLORS.rate} connectNulls />
              </LineChart>
            </Chart>
          </SimpleGrid>
        </>
      )}
    </Stack>
  );
}
