import { ActionIcon, AppShell, Box, Burger, ColorSwatch, Drawer, Group, Menu, NavLink, ScrollArea, Text, UnstyledButton } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { can } from "@lattice/policy";
import { useState, type ReactNode } from "react";
import { Link, NavLink as RouterNavLink, useLocation } from "react-router";
import { ROLE_LABEL } from "../access.js";
import { useScope } from "../scope.js";
import { useLogout, useSession } from "../session.js";
import { CreateWorkspaceDialog } from "./CreateWorkspaceDialog.js";
import { PlusIcon } from "./icons.js";
import { OrganizationSwitcher } from "./OrganizationSwitcher.js";

/** Facts of a shared workspace nobody has joined: whether the role sees workspaces at all. */
const ANY_SHARED_WORKSPACE = { isSandbox: false, ownSandbox: false, workspaceMember: false, createdByMe: false } as const;
const OWN_SANDBOX = { isSandbox: true, ownSandbox: true, workspaceMember: false, createdByMe: true } as const;

/** The signed-in frame: a header with the hamburger menu, the organization and the account. */
export function AppLayout({ children }: { children: ReactNode }) {
  const { me, organization, subject } = useSession();
  const [menuOpen, menu] = useDisclosure(false);
  const [creating, setCreating] = useState(false);
  const logout = useLogout();
  const role = subject.role;

  return (
    <AppShell header={{ height: 56 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={menuOpen} onClick={menu.toggle} aria-label="Menu" size="sm" />
            <Text component={Link} to="/projects" fw={800} size="lg" c="dark" td="none">
              Lattice
            </Text>
            <OrganizationSwitcher me={me} />
          </Group>
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <UnstyledButton aria-label={`Account: ${me.email}`}>
                <Group gap={6} wrap="nowrap">
                  <Text size="sm" fw={500} truncate maw={200}>
                    {me.name || me.email}
                  </Text>
                  {role && (
                    <Text size="xs" c="dimmed">
                      {ROLE_LABEL[role]}
                    </Text>
                  )}
                </Group>
              </UnstyledButton>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Label>{me.email}</Menu.Label>
              <Menu.Label>
                {organization.title}
                {role ? ` · ${ROLE_LABEL[role]}` : ""}
              </Menu.Label>
              <Menu.Item onClick={() => logout.mutate()}>Log out</Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      </AppShell.Header>
      <Drawer opened={menuOpen} onClose={menu.close} title="Lattice" size={300} padding="md" aria-label="Main menu">
        <NavMenu
          onNavigate={menu.close}
          onCreateWorkspace={() => {
            menu.close();
            setCreating(true);
          }}
        />
      </Drawer>
      <CreateWorkspaceDialog opened={creating} onClose={() => setCreating(false)} />
      <AppShell.Main>
        <Box maw={1200} mx="auto">
          {children}
        </Box>
      </AppShell.Main>
    </AppShell>
  );
}

/** The hamburger menu's entries, each shown only to those the policy lets use it. */
export function NavMenu({ onNavigate, onCreateWorkspace }: { onNavigate?: () => void; onCreateWorkspace?: () => void }) {
  const { subject } = useSession();
  const scope = useScope();
  const location = useLocation();
  const seesWorkspaces = can(subject, "workspace.read", ANY_SHARED_WORKSPACE);
  const canCreateWorkspace = can(subject, "workspace.create");
  // The sandbox is a place to try out projects: listed for those who may create projects in it.
  const showSandbox = !!scope.sandbox && can(subject, "project.create", OWN_SANDBOX);
  const active = (path: string) => location.pathname === path || location.pathname.startsWith(`${path}/`);

  return (
    <nav aria-label="Main">
      <ScrollArea.Autosize mah="calc(100vh - 80px)">
        <NavLink component={RouterNavLink} to="/projects" label="All Projects" active={active("/projects")} onClick={onNavigate} />
        {can(subject, "member.list") && (
          <NavLink component={RouterNavLink} to="/organization" label="Organization" active={active("/organization")} onClick={onNavigate} />
        )}
        <NavLink component={RouterNavLink} to="/dashboards" label="Dashboards" active={active("/dashboards")} onClick={onNavigate} />
        {can(subject, "activityLog.view") && (
          <NavLink component={RouterNavLink} to="/activity" label="Activity log" active={active("/activity")} onClick={onNavigate} />
        )}
        {can(subject, "directory.manage") && (
          <NavLink component={RouterNavLink} to="/settings/directory" label="Directory settings" active={active("/settings/directory")} onClick={onNavigate} />
        )}
        {showSandbox && scope.sandbox && (
          <NavLink
            component={RouterNavLink}
            to={`/workspaces/${scope.sandbox.id}`}
            label="Sandbox"
            description="Your private workspace"
            leftSection={<ColorSwatch color={scope.sandbox.color} size={12} />}
            active={active(`/workspaces/${scope.sandbox.id}`)}
            onClick={onNavigate}
          />
        )}
        {seesWorkspaces && (
          <Box mt="md">
            <Group justify="space-between" px="sm" mb={4}>
              <Text size="xs" fw={700} c="dimmed" tt="uppercase" id="nav-workspaces">
                Workspaces
              </Text>
              {canCreateWorkspace && (
                <ActionIcon variant="subtle" size="sm" aria-label="Create workspace" title="Create workspace" onClick={onCreateWorkspace}>
                  <PlusIcon />
                </ActionIcon>
              )}
            </Group>
            <Box role="list" aria-labelledby="nav-workspaces">
              {scope.shared.map((w) => (
                <Box role="listitem" key={w.id}>
                  <NavLink
                    component={RouterNavLink}
                    to={`/workspaces/${w.id}`}
                    label={w.title}
                    leftSection={<ColorSwatch color={w.color} size={12} />}
                    active={active(`/workspaces/${w.id}`)}
                    onClick={onNavigate}
                  />
                </Box>
              ))}
              {scope.shared.length === 0 && !scope.loading && (
                <Text size="sm" c="dimmed" px="sm">
                  No workspaces yet.
                </Text>
              )}
            </Box>
          </Box>
        )}
      </ScrollArea.Autosize>
    </nav>
  );
}
