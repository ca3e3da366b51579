import { Alert, Box, Button, Checkbox, Group, List, Loader, Modal, ScrollArea, Stack, Text, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { useEffect, useState } from "react";
import { errorText } from "../errors.js";
import { personLabel } from "../format.js";
import { trpc, type Person, type Workspace } from "../trpc.js";

function without<V>(map: Map<number, V>, id: number): Map<number, V> {
  const next = new Map(map);
  next.delete(id);
  return next;
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
  // The changes the last Save could not make, each with the server's reason; they stay staged.
  const [failures, setFailures] = useState<{ change: string; reason: string }[]>([]);
  const [savedCount, setSavedCount] = useState(0);

  useEffect(() => {
    if (!opened) {
      setAdded(new Map());
      setRemoved(new Map());
      setLeftTicked(new Set());
      setRightTicked(new Set());
      setSearch("");
      setFailures([]);
    }
  }, [opened]);

  const matches = (p: Person) => !debounced || personLabel(p).toLowerCase().includes(debounced.toLowerCase());
  // Candidates are those not yet in the workspace; while they refetch after a save, the member list
  // (updated as each change is made) decides.
  const inWorkspace = new Set((members.data ?? []).map((p) => p.id));
  const left = [...(candidates.data ?? []).filter((p) => !added.has(p.id) && !inWorkspace.has(p.id)), ...[...removed.values()].filter(matches)];
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

  // One call per change. Each change made leaves the staged state at once (and the member list
  // follows it), so after a failure the dialog shows what is left and a retry sends only that.
  const save = async () => {
    setSaving(true);
    setFailures([]);
    const failed: { change: string; reason: string }[] = [];
    const total = added.size + removed.size;
    const byId = { id: workspace.id };
    for (const p of added.values()) {
      try {
        await utils.client.workspace.addMember.mutate({ ...byId, user_id: p.id });
        utils.workspace.members.setData(byId, (list) => (list && !list.some((x) => x.id === p.id) ? [...list, p] : list));
        setAdded((m) => without(m, p.id));
      } catch (err) {
        failed.push({ change: `Add ${personLabel(p)}`, reason: errorText(err) });
      }
    }
    for (const p of removed.values()) {
      try {
        await utils.client.workspace.removeMember.mutate({ ...byId, user_id: p.id });
        utils.workspace.members.setData(byId, (list) => list?.filter((x) => x.id !== p.id));
        setRemoved((m) => without(m, p.id));
      } catch (err) {
        failed.push({ change: `Remove ${personLabel(p)}`, reason: errorText(err) });
      }
    }
    await Promise.all([utils.workspace.members.invalidate(byId), utils.workspace.memberCandidates.invalidate(), utils.project.list.invalidate()]);
    setSaving(false);
    if (failed.length > 0) {
      setFailures(failed);
      setSavedCount(total - failed.length);
      return;
    }
    notifications.show({ color: "teal", message: `Members of ${workspace.title} were saved` });
    onClose();
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
            <Checkbox key={p.id} label={personLabel(p)} checked={ticked.has(p.id)} onChange={() => onTick(p.id)} />
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
        {failures.length > 0 && (
          <Alert color="red" role="alert" title={`${failures.length} ${failures.length === 1 ? "change was" : "changes were"} not saved`}>
            <List size="sm">
              {failures.map((f) => (
                <List.Item key={f.change}>
                  {f.change}: {f.reason}
                </List.Item>
              ))}
            </List>
            <Text size="sm" mt="xs">
              {savedCount > 0 ? `${savedCount} other ${savedCount === 1 ? "change was" : "changes were"} saved. ` : ""}
              Those above are still staged: Save tries them again.
            </Text>
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
