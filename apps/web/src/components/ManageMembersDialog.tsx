import { Alert, Box, Button, Checkbox, Group, Loader, Modal, ScrollArea, Stack, Text, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { useEffect, useState } from "react";
import { errorText } from "../errors.js";
import { trpc, type Person, type Workspace } from "../trpc.js";

function label(p: Person): string {
  return p.name ? `${p.name} (${p.email})` : p.email;
}

/**
 * `Manage Members`: organization members on the left, those who belong to the workspace on the
 * right; tick people and move them with `>` and `<`; nothing changes until Save.
 */
export function ManageMembersDialog({ workspace, opened, onClose }: { workspace: Workspace; opened: boolean; onClose: () => void }) {
  const utils = trpc.useUtils();
  const [search, setSearch] = useState("");
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const members = trpc.workspace.members.useQuery({ id: workspace.id }, { enabled: opened });
  const candidates = trpc.workspace.memberCandidates.useQuery(
    { id: workspace.id, search: debounced || undefined, limit: 50 },
    { enabled: opened, placeholderData: (prev) => prev },
  );
  // Staged changes: people moved right (added) or left (removed) but not yet saved.
  const [added, setAdded] = useState<Map<number, Person>>(new Map());
  const [removed, setRemoved] = useState<Map<number, Person>>(new Map());
  const [leftTicked, setLeftTicked] = useState<Set<number>>(new Set());
  const [rightTicked, setRightTicked] = useState<Set<number>>(new Set());
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!opened) {
      setAdded(new Map());
      setRemoved(new Map());
      setLeftTicked(new Set());
      setRightTicked(new Set());
      setSearch("");
      setError(null);
    }
  }, [opened]);

  const matches = (p: Person) => !debounced || label(p).toLowerCase().includes(debounced.toLowerCase());
  const left = [...(candidates.data ?? []).filter((p) => !added.has(p.id)), ...[...removed.values()].filter(matches)];
  const right = [...(members.data ?? []).filter((p) => !removed.has(p.id)), ...added.values()];

  const moveRight = () => {
    const next = new Map(added);
    const back = new Map(removed);
    for (const p of left) {
      if (!leftTicked.has(p.id)) continue;
      if (back.has(p.id)) back.delete(p.id);
      else next.set(p.id, p);
    }
    setAdded(next);
    setRemoved(back);
    setLeftTicked(new Set());
  };
  const moveLeft = () => {
    const next = new Map(removed);
    const undo = new Map(added);
    for (const p of right) {
      if (!rightTicked.has(p.id)) continue;
      if (undo.has(p.id)) undo.delete(p.id);
      else next.set(p.id, p);
    }
    setRemoved(next);
    setAdded(undo);
    setRightTicked(new Set());
  };

  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      for (const p of added.values()) await utils.client.workspace.addMember.mutate({ id: workspace.id, user_id: p.id });
      for (const p of removed.values()) await utils.client.workspace.removeMember.mutate({ id: workspace.id, user_id: p.id });
      await Promise.all([utils.workspace.members.invalidate({ id: workspace.id }), utils.workspace.memberCandidates.invalidate(), utils.project.list.invalidate()]);
      notifications.show({ color: "teal", message: `Members of ${workspace.title} were saved` });
      onClose();
    } catch (err) {
      setError(errorText(err));
      await utils.workspace.members.invalidate({ id: workspace.id });
    } finally {
      setSaving(false);
    }
  };

  const toggle = (set: Set<number>, id: number) => {
    const next = new Set(set);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  };

  const column = (title: string, people: Person[], ticked: Set<number>, onTick: (id: number) => void, loading: boolean, id: string) => (
    <Box style={{ flex: 1, minWidth: 0 }}>
      <Text fw={600} size="sm" mb={4} id={id}>
        {title}
      </Text>
      <ScrollArea h={260} type="auto" style={{ border: "1px solid var(--mantine-color-gray-3)", borderRadius: 8 }}>
        <Stack gap={4} p="xs" role="group" aria-labelledby={id}>
          {loading && <Loader size="xs" />}
          {people.map((p) => (
            <Checkbox key={p.id} label={label(p)} checked={ticked.has(p.id)} onChange={() => onTick(p.id)} />
          ))}
          {!loading && people.length === 0 && (
            <Text size="sm" c="dimmed">
              Nobody.
            </Text>
          )}
        </Stack>
      </ScrollArea>
    </Box>
  );

  return (
    <Modal opened={opened} onClose={onClose} title={`Manage Members of ${workspace.title}`} size="xl">
      <Stack gap="sm">
        <TextInput label="Search members" placeholder="Name or email" value={search} onChange={(e) => setSearch(e.currentTarget.value)} />
        <Group align="center" wrap="nowrap" gap="sm">
          {column("Organization members", left, leftTicked, (id) => setLeftTicked((s) => toggle(s, id)), candidates.isPending, "mm-left")}
          <Stack gap="xs">
            <Button variant="default" onClick={moveRight} disabled={leftTicked.size === 0} title="Add the ticked people to the workspace">
              {">"}
            </Button>
            <Button variant="default" onClick={moveLeft} disabled={rightTicked.size === 0} title="Remove the ticked people from the workspace">
              {"<"}
            </Button>
          </Stack>
          {column("Belong to the Workspace", right, rightTicked, (id) => setRightTicked((s) => toggle(s, id)), members.isPending, "mm-right")}
        </Group>
        <Text size="xs" c="dimmed">
          Only active members can be added. Members of a workspace reach all of its projects.
        </Text>
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={() => void save()} loading={saving} disabled={added.size === 0 && removed.size === 0}>
            Save
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
