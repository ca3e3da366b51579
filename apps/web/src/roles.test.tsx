// What each role is shown: the policy decides, and forbidden actions are absent or disabled
// with the reason (and never requested from the server).
import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { baseHandlers, meAs, member, page, project, projectDetail, renderApp, sandbox, workspace } from "./test/render.js";

afterEach(() => {
  cleanup();
  localStorage.clear();
});

const claims = workspace({ id: 2, title: "Claims", color: "#0ca678", project_count: 2 });
const accident = project({ id: 11, title: "Accident Claims", pinned_at: "2026-02-01T00:00:00.000Z" });
const injury = project({ id: 12, title: "Injury Claims" });

async function openMenu() {
  await userEvent.click(await screen.findByRole("button", { name: "Menu" }));
  return screen.findByRole("dialog", { name: "Lattice" });
}

describe("signed out and pending", () => {
  it("sends a signed-out visitor to the login page after one public session check", async () => {
    const app = renderApp("/projects", {}, { signedIn: false });
    expect(await screen.findByRole("heading", { name: "Log in" })).toBeTruthy();
    // The session check, and the public health line under the card; nothing of an organization.
    expect(new Set(app.calls.map((c) => c.path))).toEqual(new Set(["auth.session", "health"]));
  });

  it("shows a Not Activated member the waiting page and nothing of the organization", async () => {
    const app = renderApp("/projects", { "auth.session": () => meAs("NO") });
    expect(await screen.findByRole("heading", { name: "Waiting for activation" })).toBeTruthy();
    expect(screen.getByText("Not Activated")).toBeTruthy();
    expect(new Set(app.calls.map((c) => c.path))).toEqual(new Set(["auth.session", "health"]));
  });

  it("says why sign-up failed, in the server's words", async () => {
    renderApp("/signup?invite=abc", { "auth.signup": () => Promise.reject(new Error("This invitation link is not valid; it may have been reset. Ask for a new one.")) }, { signedIn: false });
    expect(await screen.findByText("You were invited")).toBeTruthy();
    await userEvent.type(screen.getByLabelText(/^Email/), "new@example.com");
    await userEvent.type(screen.getByLabelText(/^Password/), "long enough password");
    await userEvent.click(screen.getByRole("button", { name: "Sign up" }));
    expect((await screen.findByRole("alert")).textContent).toContain("This invitation link is not valid");
    // The invitation notice is information, not an alert.
    expect(screen.getAllByRole("alert")).toHaveLength(1);
  });
});

describe("the hamburger menu", () => {
  it("shows an annotator no Workspaces, no Organization and no Sandbox", async () => {
    const app = renderApp("/projects", baseHandlers(meAs("AN"), [sandbox()], [injury]));
    const menu = await openMenu();
    expect(within(menu).getByRole("link", { name: "All Projects" })).toBeTruthy();
    expect(within(menu).queryByText("Workspaces")).toBeNull();
    expect(within(menu).queryByRole("button", { name: "Create workspace" })).toBeNull();
    expect(within(menu).queryByRole("link", { name: /Organization/ })).toBeNull();
    expect(within(menu).queryByRole("link", { name: /Sandbox/ })).toBeNull();
    expect(app.called("member.list")).toBe(false);
  });

  it("shows an owner Organization, the Sandbox, and Workspaces with + to create one", async () => {
    renderApp("/projects", baseHandlers(meAs("OW"), [sandbox(), claims], [accident, injury]));
    const menu = await openMenu();
    expect(within(menu).getByRole("link", { name: "Organization" })).toBeTruthy();
    expect(await within(menu).findByRole("link", { name: /Sandbox/ })).toBeTruthy();
    expect(within(menu).getByText("Workspaces")).toBeTruthy();
    expect(within(menu).getByRole("link", { name: "Claims" })).toBeTruthy();
    await userEvent.click(within(menu).getByRole("button", { name: "Create workspace" }));
    const dialog = await screen.findByRole("dialog", { name: "Create workspace" });
    expect(within(dialog).getByLabelText(/^Workspace name/)).toBeTruthy();
    expect(within(dialog).getByLabelText("Color")).toBeTruthy();
  });

  it("shows a manager Workspaces and Organization", async () => {
    renderApp("/projects", baseHandlers(meAs("MA"), [sandbox(), claims]));
    const menu = await openMenu();
    expect(within(menu).getByRole("link", { name: "Organization" })).toBeTruthy();
    expect(within(menu).getByRole("button", { name: "Create workspace" })).toBeTruthy();
  });
});

describe("the Projects page", () => {
  it("shows an annotator the pinned label but no card menu and no Create project", async () => {
    renderApp("/projects", baseHandlers(meAs("AN"), [sandbox()], [accident, injury]));
    const card = await screen.findByRole("listitem", { name: "Accident Claims" });
    expect(within(card).getByText("Pinned")).toBeTruthy();
    expect(screen.queryByRole("button", { name: /More actions/ })).toBeNull();
    expect(screen.queryByText("Pin project")).toBeNull();
    expect(screen.queryByRole("button", { name: "Create project" })).toBeNull();
  });

  it("offers a reviewer Pin project and Unpin project, but not the settings", async () => {
    // A reviewer sees the projects they belong to; the server says so in each row's facts.
    const member = { projectMember: true };
    renderApp("/projects", baseHandlers(meAs("RE"), [sandbox()], [project({ ...accident }, member), project({ ...injury }, member)]));
    await userEvent.click(await screen.findByRole("button", { name: "More actions for Injury Claims" }));
    expect(await screen.findByRole("menuitem", { name: "Pin project" })).toBeTruthy();
    expect(screen.queryByRole("menuitem", { name: "Project settings" })).toBeNull();
    await userEvent.keyboard("{Escape}");
    await userEvent.click(screen.getByRole("button", { name: "More actions for Accident Claims" }));
    expect(await screen.findByRole("menuitem", { name: "Unpin project" })).toBeTruthy();
  });

  it("offers a manager Pin project on a project they were invited to outside their workspaces, but not its settings", async () => {
    renderApp("/projects", baseHandlers(meAs("MA"), [sandbox(), claims], [project({ ...injury }, { projectMember: true })]));
    await userEvent.click(await screen.findByRole("button", { name: "More actions for Injury Claims" }));
    expect(await screen.findByRole("menuitem", { name: "Pin project" })).toBeTruthy();
    expect(screen.queryByRole("menuitem", { name: "Project settings" })).toBeNull();
  });

  it("moves a pinned card first at once, tells so with Undo, and Undo moves it back at once", async () => {
    let answerPin!: () => void;
    const unpinned = [injury, accident].map((p) => ({ ...p, pinned_at: null })); // newest first, as the server lists them
    const handlers = {
      ...baseHandlers(meAs("OW"), [sandbox(), claims], unpinned),
      "project.pin": () => new Promise((resolve) => (answerPin = () => resolve({ ...accident, pinned_at: new Date().toISOString() }))),
      "project.unpin": () => ({ ...accident, pinned_at: null }),
    };
    const app = renderApp("/projects", handlers);
    const order = () => screen.getAllByTestId("project-card").map((c) => c.getAttribute("aria-label"));
    await screen.findByRole("listitem", { name: "Accident Claims" });
    expect(order()).toEqual(["Injury Claims", "Accident Claims"]);

    await userEvent.click(screen.getByRole("button", { name: "More actions for Accident Claims" }));
    await userEvent.click(await screen.findByRole("menuitem", { name: "Pin project" }));
    // The server has not answered: the order and the label are optimistic.
    await waitFor(() => expect(order()).toEqual(["Accident Claims", "Injury Claims"]));
    expect(within(screen.getByRole("listitem", { name: "Accident Claims" })).getByText("Pinned")).toBeTruthy();
    expect(await screen.findByText("Accident Claims was pinned")).toBeTruthy();

    await userEvent.click(screen.getByRole("button", { name: "Undo" }));
    await waitFor(() => expect(order()).toEqual(["Injury Claims", "Accident Claims"]));
    expect(await screen.findByText("Accident Claims was unpinned")).toBeTruthy();
    expect(app.called("project.unpin")).toBe(false); // Undo waits for the pin's answer before it is sent
    answerPin();
    await waitFor(() => expect(app.called("project.unpin")).toBe(true));
    const paths = app.calls.map((c) => c.path).filter((p) => p.startsWith("project.") && p !== "project.list");
    expect(paths).toEqual(["project.pin", "project.unpin"]);
  });

  it("Undo of an unpin puts an older pin back in its place, below newer pins, and says when it was pinned", async () => {
    const older = "2026-03-01T10:00:00.000Z";
    const newer = "2026-03-02T10:00:00.000Z";
    const third = { ...injury, id: injury.id + 100, title: "Theft Claims", pinned_at: newer };
    // The server's state: the list is read again after each call settles.
    let accidentPinnedAt: string | null = older;
    const listed = () => [third, { ...accident, pinned_at: accidentPinnedAt }, { ...injury, pinned_at: null }].sort((a, b) => (b.pinned_at ?? "").localeCompare(a.pinned_at ?? "") || b.id - a.id);
    const pins: unknown[] = [];
    const app = renderApp("/projects", {
      ...baseHandlers(meAs("OW"), [sandbox(), claims]),
      "project.list": () => page(listed()),
      "project.unpin": () => {
        accidentPinnedAt = null;
        return { ...accident, pinned_at: null };
      },
      "project.pin": (input) => {
        pins.push(input);
        accidentPinnedAt = (input as { pinned_at: string }).pinned_at;
        return { ...accident, pinned_at: accidentPinnedAt };
      },
    });
    const order = () => screen.getAllByTestId("project-card").map((c) => c.getAttribute("aria-label"));
    await screen.findByRole("listitem", { name: "Accident Claims" });
    expect(order()).toEqual(["Theft Claims", "Accident Claims", "Injury Claims"]);

    await userEvent.click(screen.getByRole("button", { name: "More actions for Accident Claims" }));
    await userEvent.click(await screen.findByRole("menuitem", { name: "Unpin project" }));
    await waitFor(() => expect(order()).toEqual(["Theft Claims", "Injury Claims", "Accident Claims"]));
    await userEvent.click(await screen.findByRole("button", { name: "Undo" }));
    // Back under the newer pin, not on top as a fresh pin would be.
    await waitFor(() => expect(order()).toEqual(["Theft Claims", "Accident Claims", "Injury Claims"]));
    await waitFor(() => expect(app.called("project.pin")).toBe(true));
    expect(pins).toEqual([{ id: accident.id, pinned_at: older }]);
  });

  it("filters with All projects, Pinned projects and Unpinned projects", async () => {
    const app = renderApp("/projects", baseHandlers(meAs("AN"), [sandbox()], [accident, injury]));
    const filter = await screen.findByRole("combobox", { name: "Filter projects" });
    expect([...(filter as HTMLSelectElement).options].map((o) => o.text)).toEqual(["All projects", "Pinned projects", "Unpinned projects"]);
    await userEvent.selectOptions(filter, "Pinned projects");
    await waitFor(() => expect(app.calls.some((c) => c.path === "project.list" && (c.input as { filter: string }).filter === "pinned_only")).toBe(true));
  });
});

describe("the Organization page", () => {
  const people = [member(1, "OW", "User 1"), member(2, "NO", "Nia Pending"), member(3, "AN", "Ann Annotator"), member(4, "MA", "Max Manager")];
  const orgHandlers = (me: ReturnType<typeof meAs>) => ({
    ...baseHandlers(me, [sandbox(me.id), claims]),
    "organization.get": () => ({ id: 10, title: "Acme", created_at: "2026-01-01T00:00:00.000Z", seat_limit: 5, seats_used: 3 }),
    "member.list": (input: unknown) => ((input as { role?: string[] }).role?.[0] === "AD" ? page([]) : page(people)),
  });

  it("shows a manager the People list without Role drop-downs, Add People or Remove", async () => {
    const app = renderApp("/organization", orgHandlers(meAs("MA", 4)));
    expect(await screen.findByText("Nia Pending")).toBeTruthy();
    expect(screen.getAllByText("Not Activated").length).toBeGreaterThan(0);
    expect(screen.queryByRole("combobox", { name: /^Role of/ })).toBeNull();
    expect(screen.queryByRole("button", { name: "Add People" })).toBeNull();
    expect(screen.queryByRole("button", { name: /^Remove/ })).toBeNull();
    expect(screen.queryByText("Ownership")).toBeNull();
    expect(app.called("invite.get")).toBe(false);
  });

  it("tells an annotator why there is no People page", async () => {
    renderApp("/organization", baseHandlers(meAs("AN"), [sandbox()]));
    expect(await screen.findByText("Annotators cannot view the People page.")).toBeTruthy();
  });

  it("gives the owner a Role drop-down that activates a Not Activated member and saves at once", async () => {
    const updates: unknown[] = [];
    const app = renderApp("/organization", {
      ...orgHandlers(meAs("OW", 1)),
      "member.update": (input) => {
        updates.push(input);
        return { ...member(2, "AN", "Nia Pending") };
      },
    });
    const select = (await screen.findByRole("combobox", { name: "Role of Nia Pending" })) as HTMLSelectElement;
    expect([...select.options].map((o) => o.text)).toEqual(["Not Activated", "Administrator", "Manager", "Reviewer", "Annotator", "Deactivate"]);
    expect(select.value).toBe("NO");
    // Nobody changes the owner's role or their own: no drop-down on the owner's row.
    expect(screen.queryByRole("combobox", { name: "Role of User 1" })).toBeNull();
    expect(screen.getByTestId("seat-usage").textContent).toBe("3 of 5 used");
    await userEvent.selectOptions(select, "Annotator");
    await waitFor(() => expect(updates).toEqual([{ id: 0, user_id: 2, role: "AN" }]));
    expect(await screen.findByText("Nia Pending is now Annotator")).toBeTruthy();
    expect(app.calls.filter((c) => c.path === "member.list").length).toBeGreaterThan(1);
  });

  it("disables the Role drop-down and Remove of a member the directory manages, saying why", async () => {
    const synced = { ...member(3, "AN", "Ann Annotator"), source: "ldap", managed_by_directory: true };
    // From the directory, but the directory is not authoritative for roles: changed here as usual.
    const unmanaged = { ...member(4, "MA", "Max Manager"), source: "scim" };
    const app = renderApp("/organization", {
      ...orgHandlers(meAs("OW", 1)),
      "member.list": () => page([member(1, "OW", "User 1"), synced, unmanaged]),
    });
    const reason = "Managed by the directory (LDAP): change it in the identity provider.";
    const role = (await screen.findByRole("combobox", { name: "Role of Ann Annotator", description: reason })) as HTMLSelectElement;
    expect(role.disabled).toBe(true);
    expect(role.value).toBe("AN");
    const remove = screen.getByRole("button", { name: "Remove Ann Annotator", description: reason }) as HTMLButtonElement;
    expect(remove.disabled).toBe(true);
    expect(screen.getAllByText(reason)).toHaveLength(1);
    await userEvent.click(remove);
    expect(screen.queryByRole("dialog", { name: "Remove Ann Annotator?" })).toBeNull();
    expect((screen.getByRole("combobox", { name: "Role of Max Manager", description: "" }) as HTMLSelectElement).disabled).toBe(false);
    expect((screen.getByRole("button", { name: "Remove Max Manager", description: "" }) as HTMLButtonElement).disabled).toBe(false);
    expect(app.called("member.update")).toBe(false);
    expect(app.called("member.remove")).toBe(false);
  });

  it("lets the owner hand ownership to an active administrator, after confirming", async () => {
    const admin = member(5, "AD", "Ada Admin");
    const transfers: unknown[] = [];
    renderApp("/organization", {
      ...orgHandlers(meAs("OW", 1)),
      "member.list": (input: unknown) => ((input as { role?: string[] }).role?.[0] === "AD" ? page([admin]) : page([...people, admin])),
      "member.transferOwnership": (input) => {
        transfers.push(input);
        return { ...admin, role: "OW" };
      },
    });
    const transfer = await screen.findByRole("button", { name: "Transfer ownership" });
    expect((transfer as HTMLButtonElement).disabled).toBe(true);
    await userEvent.selectOptions(await screen.findByRole("combobox", { name: "New owner" }), "Ada Admin (person5@example.com)");
    await userEvent.click(transfer);
    const dialog = await screen.findByRole("dialog", { name: "Transfer ownership?" });
    expect(transfers).toEqual([]);
    await userEvent.click(within(dialog).getByRole("button", { name: "Transfer ownership" }));
    await waitFor(() => expect(transfers).toEqual([{ id: 0, user_id: 5 }]));
  });

  it("lets the owner open Add People with the link, Copy Link and reset", async () => {
    renderApp("/organization", {
      ...orgHandlers(meAs("OW", 1)),
      "invite.get": () => ({ token: "t1", invite_url: "http://lattice.test/signup?invite=t1" }),
    });
    await userEvent.click(await screen.findByRole("button", { name: "Add People" }));
    const dialog = await screen.findByRole("dialog", { name: "Add People" });
    expect(await within(dialog).findByDisplayValue("http://lattice.test/signup?invite=t1")).toBeTruthy();
    expect(within(dialog).getByRole("button", { name: "Copy Link" })).toBeTruthy();
    expect(within(dialog).getByRole("button", { name: "Reset link" })).toBeTruthy();
  });
});

describe("the workspace page", () => {
  it("disables Delete Workspace while projects remain, saying why", async () => {
    renderApp("/workspaces/2", { ...baseHandlers(meAs("OW"), [sandbox(), claims]), "workspace.get": () => claims });
    await userEvent.click(await screen.findByRole("button", { name: "Workspace settings" }));
    const dialog = await screen.findByRole("dialog", { name: "Claims settings" });
    const del = within(dialog).getByRole("button", { name: "Delete Workspace" }) as HTMLButtonElement;
    expect(del.disabled).toBe(true);
    expect(within(dialog).getByText(/This workspace still holds 2 projects/)).toBeTruthy();
    expect(del.getAttribute("aria-describedby")).toBe("delete-ws-reason");
  });

  it("lets the owner delete an empty workspace", async () => {
    const empty = { ...claims, project_count: 0 };
    renderApp("/workspaces/2", { ...baseHandlers(meAs("OW"), [sandbox(), empty]), "workspace.get": () => empty });
    await userEvent.click(await screen.findByRole("button", { name: "Workspace settings" }));
    const dialog = await screen.findByRole("dialog", { name: "Claims settings" });
    expect((within(dialog).getByRole("button", { name: "Delete Workspace" }) as HTMLButtonElement).disabled).toBe(false);
  });

  it("gives a manager outside the workspace neither Manage Members nor settings", async () => {
    const handlers = { ...baseHandlers(meAs("MA"), [sandbox(), claims]), "workspace.get": () => claims };
    const app = renderApp("/workspaces/2", handlers);
    expect(await screen.findByRole("heading", { name: "Claims" })).toBeTruthy();
    await waitFor(() => expect(app.called("workspace.get")).toBe(true));
    expect(screen.queryByRole("button", { name: "Manage Members" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Workspace settings" })).toBeNull();
    expect(app.called("workspace.memberCandidates")).toBe(false);
  });

  it("gives a manager who belongs to the workspace Manage Members with the two lists", async () => {
    const me = meAs("MA");
    const handlers = {
      ...baseHandlers(me, [sandbox(), { ...claims, is_member: true }]),
      "workspace.get": () => ({ ...claims, is_member: true }),
      "workspace.members": () => [{ id: me.id, email: me.email, name: me.name }],
      "workspace.memberCandidates": () => [{ id: 3, email: "ann@example.com", name: "Ann Annotator" }],
      "workspace.addMember": () => ({ ok: true }),
    };
    const app = renderApp("/workspaces/2", handlers);
    await userEvent.click(await screen.findByRole("button", { name: "Manage Members" }));
    const dialog = await screen.findByRole("dialog", { name: "Manage Members of Claims" });
    await userEvent.click(await within(dialog).findByRole("checkbox", { name: "Ann Annotator (ann@example.com)" }));
    await userEvent.click(within(dialog).getByRole("button", { name: ">" }));
    const right = within(dialog).getByRole("group", { name: "Belong to the Workspace" });
    expect(within(right).getByText("Ann Annotator (ann@example.com)")).toBeTruthy();
    // Nothing is sent until Save.
    expect(app.called("workspace.addMember")).toBe(false);
    await userEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(app.calls.filter((c) => c.path === "workspace.addMember").map((c) => c.input)).toEqual([{ id: 2, user_id: 3 }]));
  });

  it("keeps only the changes Manage Members could not save, says which, and retries only those", async () => {
    const me = meAs("MA");
    let failBea = true;
    const handlers = {
      ...baseHandlers(me, [sandbox(), { ...claims, is_member: true }]),
      "workspace.get": () => ({ ...claims, is_member: true }),
      "workspace.members": () => [{ id: me.id, email: me.email, name: me.name }],
      "workspace.memberCandidates": () => [
        { id: 3, email: "ann@example.com", name: "Ann Annotator" },
        { id: 4, email: "bea@example.com", name: "Bea Reviewer" },
      ],
      "workspace.addMember": (input: unknown) => {
        if ((input as { user_id: number }).user_id === 4 && failBea) return Promise.reject(new Error("Bea Reviewer is not an active member."));
        return { ok: true };
      },
    };
    const app = renderApp("/workspaces/2", handlers);
    await userEvent.click(await screen.findByRole("button", { name: "Manage Members" }));
    const dialog = await screen.findByRole("dialog", { name: "Manage Members of Claims" });
    await userEvent.click(await within(dialog).findByRole("checkbox", { name: "Ann Annotator (ann@example.com)" }));
    await userEvent.click(within(dialog).getByRole("checkbox", { name: "Bea Reviewer (bea@example.com)" }));
    await userEvent.click(within(dialog).getByRole("button", { name: ">" }));
    await userEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    const alert = await within(dialog).findByRole("alert");
    expect(alert.textContent).toContain("Add Bea Reviewer (bea@example.com): Bea Reviewer is not an active member.");
    expect(alert.textContent).not.toContain("Ann Annotator");
    failBea = false;
    await userEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.queryByRole("dialog", { name: "Manage Members of Claims" })).toBeNull());
    expect(app.calls.filter((c) => c.path === "workspace.addMember").map((c) => c.input)).toEqual([
      { id: 2, user_id: 3 },
      { id: 2, user_id: 4 },
      { id: 2, user_id: 4 },
    ]);
  });

  it("disables Manage Members of a workspace the directory manages, saying why", async () => {
    const mapped = { ...claims, is_member: true, members_managed_by_directory: true };
    const app = renderApp("/workspaces/2", { ...baseHandlers(meAs("MA"), [sandbox(), mapped]), "workspace.get": () => mapped });
    const manage = (await screen.findByRole("button", {
      name: "Manage Members",
      description: "Members are managed by the directory: change the group in the identity provider.",
    })) as HTMLButtonElement;
    expect(manage.disabled).toBe(true);
    await userEvent.click(manage);
    expect(screen.queryByRole("dialog", { name: "Manage Members of Claims" })).toBeNull();
    expect(app.called("workspace.memberCandidates")).toBe(false);
  });

  it("shows the sandbox without Manage Members, and Delete Workspace disabled with the policy's reason", async () => {
    const own = { ...sandbox(), project_count: 0 };
    renderApp("/workspaces/1", { ...baseHandlers(meAs("OW"), [own, claims]), "workspace.get": () => own });
    expect(await screen.findByRole("heading", { name: "Sandbox" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Manage Members" })).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Workspace settings" }));
    const dialog = await screen.findByRole("dialog", { name: "Sandbox settings" });
    expect((within(dialog).getByRole("button", { name: "Delete Workspace" }) as HTMLButtonElement).disabled).toBe(true);
    expect(within(dialog).getByText("A sandbox cannot be deleted; it lasts as long as its owner's membership.")).toBeTruthy();
  });
});

describe("project settings", () => {

  it("tells a manager who does not manage the project why there are no settings", async () => {
    const app = renderApp("/projects/12/settings", {
      ...baseHandlers(meAs("MA"), [sandbox(), claims]),
      "project.get": () => projectDetail(),
      "project.members": () => [],
    });
    expect(await screen.findByText(/Managers can change projects only where they manage the project/)).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Move project" })).toBeNull();
    expect(app.called("member.list")).toBe(false);
  });

  it("lets the owner move a sandbox project to a workspace, and says why a sandbox project has no members", async () => {
    const moves: unknown[] = [];
    renderApp("/projects/12/settings", {
      ...baseHandlers(meAs("OW"), [sandbox(), claims]),
      "project.get": () => projectDetail({ workspace: 1, workspace_title: "Sandbox", created_by: 1 }, { inSandbox: true, ownSandbox: true, createdByMe: true }),
      "project.members": () => [],
      "project.update": (input) => {
        moves.push(input);
        return projectDetail({ workspace: 2 });
      },
    });
    expect(await screen.findByText("A project in a sandbox cannot have members; move it to a workspace first.")).toBeTruthy();
    const target = screen.getByRole("combobox", { name: "Move to workspace" }) as HTMLSelectElement;
    expect([...target.options].filter((o) => !o.disabled).map((o) => o.text)).toEqual(["Claims"]);
    await userEvent.selectOptions(target, "Claims");
    await userEvent.click(screen.getByRole("button", { name: "Move project" }));
    await waitFor(() => expect(moves).toEqual([{ id: 12, workspace: 2 }]));
  });

  it("disables adding and removing members of a project the directory manages, saying why", async () => {
    const app = renderApp("/projects/12/settings", {
      ...baseHandlers(meAs("OW"), [sandbox(), claims]),
      "project.get": () => projectDetail({ members_managed_by_directory: true }),
      "project.members": () => [{ id: 7, email: "ann@example.com", name: "Ann", direct: true, assigned: false }],
    });
    const reason = "Members are managed by the directory: change the group in the identity provider.";
    const remove = (await screen.findByRole("button", { name: "Remove Ann from the project", description: reason })) as HTMLButtonElement;
    expect(remove.disabled).toBe(true);
    expect((screen.getByRole("combobox", { name: "Add member", description: reason }) as HTMLInputElement).disabled).toBe(true);
    expect((screen.getByRole("button", { name: "Add", description: reason }) as HTMLButtonElement).disabled).toBe(true);
    await userEvent.click(remove);
    expect(app.called("project.removeMember")).toBe(false);
    // Nobody can be picked, so nobody is searched for.
    expect(app.called("member.list")).toBe(false);
  });

  it("lets the owner add and remove members of a project the directory does not manage", async () => {
    const removed: unknown[] = [];
    renderApp("/projects/12/settings", {
      ...baseHandlers(meAs("OW"), [sandbox(), claims]),
      "project.get": () => projectDetail(),
      "project.members": () => [{ id: 7, email: "ann@example.com", name: "Ann", direct: true, assigned: false }],
      "member.list": () => page([member(8, "RE", "Rex")]),
      "project.removeMember": (input) => {
        removed.push(input);
        return { ok: true };
      },
    });
    const remove = (await screen.findByRole("button", { name: "Remove Ann from the project", description: "" })) as HTMLButtonElement;
    expect(remove.disabled).toBe(false);
    expect((screen.getByRole("combobox", { name: "Add member" }) as HTMLInputElement).disabled).toBe(false);
    expect(screen.queryByText("Members are managed by the directory: change the group in the identity provider.")).toBeNull();
    await userEvent.click(remove);
    await waitFor(() => expect(removed).toEqual([{ id: 12, user_id: 7 }]));
  });
});

describe("several organizations", () => {
  it("lets a member of several organizations switch from the header, showing their status in each", async () => {
    const at = "2026-01-01T00:00:00.000Z";
    const me = {
      ...meAs("AN"),
      organizations: [
        ...meAs("AN").organizations,
        { id: 20, title: "Beta", created_at: at, role: "MA" as const, status: "active" as const },
        { id: 30, title: "Gamma", created_at: at, role: "NO" as const, status: "pending" as const },
        { id: 40, title: "Delta", created_at: at, role: "DI" as const, status: "deactivated" as const },
      ],
    };
    const switches: unknown[] = [];
    renderApp("/projects", {
      ...baseHandlers(me, [sandbox()]),
      "organization.switch": (input) => {
        switches.push(input);
        return { id: 20, title: "Beta", created_at: "2026-01-01T00:00:00.000Z" };
      },
    });
    await userEvent.click(await screen.findByRole("button", { name: /Switch organization/ }));
    // A pending member may switch to see the waiting page; a deactivated one may not.
    expect((await screen.findByRole("menuitem", { name: "Gamma Not Activated" })).hasAttribute("disabled")).toBe(false);
    expect(screen.getByRole("menuitem", { name: "Delta Deactivated" }).hasAttribute("disabled")).toBe(true);
    await userEvent.click(screen.getByRole("menuitem", { name: "Beta Manager" }));
    await waitFor(() => expect(switches).toEqual([{ id: 20 }]));
  });
});
