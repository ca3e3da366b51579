import { Button, Menu, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { CODE_LABEL, STATUS_LABEL } from "../access.js";
import { errorText } from "../errors.js";
import { useSwitchOrganization } from "../session.js";
import type { CurrentUser } from "../trpc.js";

/** For members of several organizations: pick the active one. */
export function OrganizationSwitcher({ me, alwaysMenu = false }: { me: CurrentUser; alwaysMenu?: boolean }) {
  const switchOrg = useSwitchOrganization();
  const active = me.active_organization;
  if (me.organizations.length < 2 && !alwaysMenu) {
    return active ? (
      <Text size="sm" fw={500} truncate>
        {active.title}
      </Text>
    ) : null;
  }
  return (
    <Menu position="bottom-start" withinPortal>
      <Menu.Target>
        <Button variant="default" size="xs" loading={switchOrg.isPending} aria-label={`Organization: ${active?.title ?? "none"}. Switch organization`}>
          {active?.title ?? "Choose an organization"}
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Switch organization</Menu.Label>
        {me.organizations.map((o) => (
          <Menu.Item
            key={o.id}
            // Pending members may switch to see the waiting page; deactivated ones have no access.
            disabled={o.id === active?.id || o.status === "deactivated"}
            rightSection={
              <Text size="xs" c={o.status === "active" ? "dimmed" : o.status === "pending" ? "orange" : "red"}>
                {o.status === "active" ? CODE_LABEL[o.role] : STATUS_LABEL[o.status]}
              </Text>
            }
            onClick={() =>
              switchOrg.mutate(
                { id: o.id },
                { onError: (err) => notifications.show({ color: "red", title: `Could not switch to ${o.title}`, message: errorText(err) }) },
              )
            }
          >
            {o.title}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
