import { Button, Group, Stack, Text, Title } from "@mantine/core";
import { can } from "@lattice/policy";
import { useState } from "react";
import { CreateProjectDialog } from "../components/CreateProjectDialog.js";
import { PlusIcon } from "../components/icons.js";
import { ProjectFilterSelect, ProjectList } from "../components/ProjectList.js";
import { useScope } from "../scope.js";
import { useSession } from "../session.js";

/** All projects the member sees, pinned first. */
export function ProjectsPage() {
  const { subject } = useSession();
  const scope = useScope();
  const [creating, setCreating] = useState(false);
  const mayCreate = can(subject, "project.create") && scope.creatable.length > 0;
  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1}>Projects</Title>
          <Text c="dimmed" size="sm">
            Pinned projects come first.
          </Text>
        </div>
        <Group gap="sm">
          <ProjectFilterSelect />
          {mayCreate && (
            <Button leftSection={<PlusIcon />} onClick={() => setCreating(true)}>
              Create project
            </Button>
          )}
        </Group>
      </Group>
      <ProjectList />
      {mayCreate && <CreateProjectDialog opened={creating} onClose={() => setCreating(false)} />}
    </Stack>
  );
}
