import { Anchor, Container, Stack, Text, Title } from "@mantine/core";
import { Link } from "react-router";
import { HealthPanel } from "../HealthPanel.js";

/** The server's health, for anyone (no sign-in needed). */
export function StatusPage() {
  return (
    <Container size="md" py="xl">
      <Stack>
        <Title order={1}>Lattice</Title>
        <Text c="dimmed">Organizations, members, workspaces and projects for data-labeling teams.</Text>
        <HealthPanel />
        <Anchor component={Link} to="/">
          Go to the app
        </Anchor>
      </Stack>
    </Container>
  );
}
