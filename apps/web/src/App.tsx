import { Container, Stack, Text, Title } from "@mantine/core";
import { HealthPanel } from "./HealthPanel.js";

export function App() {
  return (
    <Container size="md" py="xl">
      <Stack>
        <Title order={1}>Lattice</Title>
        <Text c="dimmed">Organizations, members, workspaces and projects for data-labeling teams.</Text>
        <HealthPanel />
      </Stack>
    </Container>
  );
}
