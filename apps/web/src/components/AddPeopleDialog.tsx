import { Alert, Button, Group, Loader, Modal, Stack, Text } from "@mantine/core";
import { useState } from "react";
import { errorText } from "../errors.js";
import { useSession } from "../session.js";
import { trpc } from "../trpc.js";
import { CopyField } from "./CopyField.js";

/** `+ Add People`: the organization's invitation link, Copy Link, and resetting the link. */
export function AddPeopleDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { organization } = useSession();
  const utils = trpc.useUtils();
  const invite = trpc.invite.get.useQuery({ id: 0 }, { enabled: opened, staleTime: 60_000 });
  const [confirmReset, setConfirmReset] = useState(false);
  const reset = trpc.invite.reset.useMutation({
    onSuccess: (data) => {
      utils.invite.get.setData({ id: 0 }, data);
      setConfirmReset(false);
    },
  });
  const link = invite.data?.invite_url ?? "";

  return (
    <Modal opened={opened} onClose={onClose} title="Add People" size="lg">
      <Stack gap="sm">
        <Text size="sm">
          Share this link with the people you want in {organization.title}. After they sign up, find them on this page with the status
          Not Activated and pick their role to activate them.
        </Text>
        {invite.isPending && <Loader size="sm" />}
        {invite.isError && (
          <Alert color="red" role="alert">
            {errorText(invite.error)}
          </Alert>
        )}
        {invite.data && <CopyField label="Invitation link" value={link} button="Copy Link" copiedText="Link copied." />}
        {confirmReset ? (
          <Alert color="orange" title="Reset the invitation link?">
            <Stack gap="xs">
              <Text size="sm">The current link stops working at once; people who have not used it yet need the new one.</Text>
              {reset.isError && (
                <Text size="sm" c="red" role="alert">
                  {errorText(reset.error)}
                </Text>
              )}
              <Group>
                <Button color="orange" size="xs" loading={reset.isPending} onClick={() => reset.mutate({ id: 0 })}>
                  Reset link
                </Button>
                <Button variant="default" size="xs" onClick={() => setConfirmReset(false)}>
                  Keep the current link
                </Button>
              </Group>
            </Stack>
          </Alert>
        ) : (
          <Group justify="space-between">
            <Button variant="subtle" color="orange" onClick={() => setConfirmReset(true)} disabled={!invite.data}>
              Reset link
            </Button>
            <Button variant="default" onClick={onClose}>
              Done
            </Button>
          </Group>
        )}
      </Stack>
    </Modal>
  );
}
