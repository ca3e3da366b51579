import { Alert, Badge, Card, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { trpc } from "./trpc.js";

/** The first page's content: the server's health, fetched through tRPC. */
export function HealthPanel() {
  const health = trpc.health.useQuery(undefined, { refetchInterval: 10_000 });
  return (
    <Card withBorder padding="lg" maw={480} aria-labelledby="health-title">
      <Stack gap="sm">
        <Title order={2} id="health-title" size="h4">
          Server health
        </Title>
        {health.isPending && (
          <Group gap="xs">
            <Loader size="xs" /> <Text size="sm">Checking…</Text>
          </Group>
        )}
        {health.isError && (
          <Alert color="red" title="Cannot reach the server" role="alert">
            {health.error.message}
          </Alert>
        )}
        {health.data && (
          <Stack gap={4} data-testid="health">
            <Group gap="xs">
              <Text size="sm">Status</Text>
              <Badge color={health.data.status === "ok" ? "green" : "yellow"}>{health.data.status}</Badge>
            </Group>
            <Text size="sm">Database: {health.data.database}</Text>
            <Text size="sm">Migrations: {health.data.migrations}</Text>
            <Text size="xs" c="dimmed">
              Checked at {new Date(health.data.time).toLocaleTimeString()}
            </Text>
          </Stack>
        )}
      </Stack>
    </Card>
  );
}

/** One line under the sign-in card: the server's health, fetched through tRPC. */
export function ServerStatus() {
  const health = trpc.health.useQuery(undefined, { refetchInterval: 30_000, retry: false });
  const text = health.data
    ? `Server ${health.data.status} · database ${health.data.database} · migrations ${health.data.migrations}`
    : health.isError
      ? "The server cannot be reached."
      : "Checking the server…";
  return (
    <Text size="xs" c="dimmed" ta="center" role="status" data-testid="server-status">
      {text}
    </Text>
  );
}
