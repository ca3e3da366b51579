import { Button, Group, Text } from "@mantine/core";
import { OrganizationSwitcher } from "../components/OrganizationSwitcher.js";
import { useLogout } from "../session.js";
import { trpc, type CurrentUser } from "../trpc.js";
import { AuthFrame } from "./AuthFrame.js";

/** A pending (Not Activated) member: nothing to do until an owner or administrator activates them. */
export function WaitingPage({ me }: { me: CurrentUser }) {
  const logout = useLogout();
  const utils = trpc.useUtils();
  const org = me.active_organization;
  return (
    <AuthFrame title="Waiting for activation">
      <Text>
        Your account {me.email} has joined <strong>{org?.title}</strong> and is <strong>Not Activated</strong> yet.
      </Text>
      <Text size="sm" c="dimmed">
        An owner or administrator of {org?.title} activates your account and gives you a role. This page changes by itself once they
        have.
      </Text>
      {me.organizations.length > 1 && (
        <Group gap="xs">
          <Text size="sm">Meanwhile, go to another organization:</Text>
          <OrganizationSwitcher me={me} />
        </Group>
      )}
      <Group>
        <Button variant="light" onClick={() => void utils.auth.session.invalidate()}>
          Check again
        </Button>
        <Button variant="default" onClick={() => logout.mutate()} loading={logout.isPending}>
          Log out
        </Button>
      </Group>
    </AuthFrame>
  );
}

/** Signed in, but without an active organization (deactivated or removed from it). */
export function NoOrganizationPage({ me }: { me: CurrentUser }) {
  const logout = useLogout();
  return (
    <AuthFrame title="No active organization">
      <Text>
        {me.organizations.length > 0
          ? "Your membership in your last organization is deactivated or was removed. Choose another organization you belong to."
          : "You are not an active member of any organization. Ask an administrator for an invitation link, or for your account to be reactivated."}
      </Text>
      {me.organizations.length > 0 && <OrganizationSwitcher me={me} alwaysMenu />}
      <Group>
        <Button variant="default" onClick={() => logout.mutate()} loading={logout.isPending}>
          Log out
        </Button>
      </Group>
    </AuthFrame>
  );
}
