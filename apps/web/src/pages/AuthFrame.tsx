import { Anchor, Center, Paper, Stack, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { ServerStatus } from "../HealthPanel.js";

/** The centred card of the sign-in, sign-up and waiting pages. */
export function AuthFrame({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Center mih="100vh" p="md" bg="gray.0">
      <Stack w="100%" maw={420} gap="md">
        <Anchor component={Link} to="/" underline="never" c="dark" ta="center">
          <Text fw={800} size="xl">
            Lattice
          </Text>
        </Anchor>
        <Paper withBorder shadow="sm" p="xl">
          <Stack gap="md">
            <Title order={1} size="h2">
              {title}
            </Title>
            {children}
          </Stack>
        </Paper>
        <ServerStatus />
      </Stack>
    </Center>
  );
}
