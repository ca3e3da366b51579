// Directory settings: administrators and the owner manage SCIM, LDAP, mappings and sync runs;
// other roles get no menu entry and, at the address, the policy's reason (and no directory calls).
import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { explain } from "@lattice/policy";
import { afterEach, describe, expect, it } from "vitest";
import { baseHandlers, meAs, renderApp, sandbox, workspace } from "./test/render.js";

afterEach(() => {
  cleanup();
  localStorage.clear();
});

const claims = workspace({ id: 2, title: "Claims" });

const ldapSettings = {
  url: "ldap://ldap.example.com",
  starttls: true,
  bind_dn: "cn=admin,dc=example,dc=com",
  user_base: "ou=people,dc=example,dc=com",
  user_filter: "(objectClass=person)",
  group_base: "ou=groups,dc=example,dc=com",
  group_filter: "(objectClass=groupOfNames)",
  attr_id: "entryUUID",
  attr_email: "mail",
  attr_name: "cn",
  membership_attr: "member" as const,
  attr_uid: "uid",
  page_size: 500,
  schedule_minutes: 60,
  has_bind_password: true,
};

const admin = { id: 1, name: "User 1", email: "user1@example.com" };
const grace = { id: 3, name: "Grace Hopper", email: "grace@example.com" };

const heldRun = {
  id: "6f1c2a52-8a4e-4f0e-9a53-0c1f9a0d7e11",
  source: "ldap" as const,
  trigger: "schedule",
  dry_run: false,
  status: "needs_approval",
  counts: { deactivate: 7, managed_active: 10 },
  error: "The run would deactivate 7 of 10 directory-managed members (more than 10%); nothing was applied. Approve the run to apply it.",
  requested_by: null,
  approved_by: null,
  approved_at: null,
  created_at: "2026-03-01T10:00:00.000Z",
  finished_at: "2026-03-01T10:00:05.000Z",
};

/** An earlier held run, approved by Grace: the run her approval forced was applied. */
const forcedRun = {
  id: "2b7d9c10-3e4f-4a5b-8c6d-7e8f90a1b2c3",
  source: "scim" as const,
  trigger: "approval",
  dry_run: false,
  status: "applied",
  counts: { deactivate: 3 },
  error: null,
  requested_by: grace,
  approved_by: grace,
  approved_at: "2026-02-20T09:00:00.000Z",
  created_at: "2026-02-20T09:00:00.000Z",
  finished_at: "2026-02-20T09:00:03.000Z",
};

const emptyPlan = {
  create: [],
  activate: [],
  change_role: [],
  deactivate: [],
  skipped_no_seat: [],
  adopt: [],
  workspace_join: [],
  workspace_leave: [],
  project_join: [],
  project_change: [],
  project_leave: [],
};

const previewRun = {
  id: "0a5e1f7c-1b2d-4c3e-8f9a-112233445566",
  source: "ldap" as const,
  trigger: "manual",
  dry_run: true,
  status: "planned",
  counts: { create: 1, activate: 1, change_role: 1, workspace_join: 2, project_join: 1 },
  plan: {
    ...emptyPlan,
    create: [{ email: "new@example.com", name: "New Person" }],
    activate: [{ email: "new@example.com", name: "New Person", user_id: null, role: "annotator", from: null }],
    change_role: [{ email: "ada@example.com", name: "Ada Lovelace", user_id: 5, from: "annotator", to: "manager" }],
    workspace_join: [
      { email: "new@example.com", name: "New Person", user_id: null, workspace: 2, workspace_title: "Claims" },
      { email: "old@example.com", name: null, user_id: 6, workspace: 12, workspace_title: null },
    ],
    project_join: [{ email: "new@example.com", name: "New Person", user_id: null, project: 7, project_title: "Invoices", role: "reviewer" }],
  },
  error: null,
  requested_by: admin,
  approved_by: null,
  approved_at: null,
  created_at: "2026-03-02T10:00:00.000Z",
  finished_at: "2026-03-02T10:00:02.000Z",
};

async function openMenu() {
  await userEvent.click(await screen.findByRole("button", { name: "Menu" }));
  return screen.findByRole("dialog", { name: "Lattice" });
}

describe("directory settings", () => {
  it("lets an administrator rotate the SCIM token, test LDAP, preview a sync and approve a held run", async () => {
    let approved: unknown = null;
    let savedLdap: Record<string, unknown> | null = null;
    const app = renderApp("/projects", {
      ...baseHandlers(meAs("AD"), [sandbox(), claims]),
      "directory.settings": () => ({
        mappings: { roles: [{ group: "lattice-admins", role: "administrator" }], workspaces: [], projects: [] },
        authoritative_roles: true,
        authoritative_workspaces: false,
        authoritative_projects: false,
        guard_threshold: 0.1,
        scim_token_created_at: "2026-02-01T00:00:00.000Z",
      }),
      "directory.ldap": () => ldapSettings,
      "directory.updateLdap": (input) => {
        savedLdap = input as Record<string, unknown>;
        return ldapSettings;
      },
      "directory.runs": () => {
        const { plan: _plan, ...listed } = previewRun;
        return { count: 3, results: [listed, heldRun, forcedRun] };
      },
      "directory.scimToken": () => ({ token: "scim_secretvalue" }),
      "directory.testLdap": () => ({
        ok: true,
        error: null,
        users: 42,
        groups: 3,
        sample_users: [{ dn: "uid=ada,ou=people,dc=example,dc=com", email: "ada@example.com", name: "Ada Lovelace" }],
        sample_groups: [{ dn: "cn=annotators,ou=groups,dc=example,dc=com", name: "annotators", members: 12 }],
      }),
      "directory.syncLdap": () => ({ run_id: previewRun.id }),
      "directory.run": () => previewRun,
      "directory.approveRun": (input) => {
        approved = input;
        return { run_id: heldRun.id };
      },
    });

    const menu = await openMenu();
    await userEvent.click(within(menu).getByRole("link", { name: "Directory settings" }));
    expect(await screen.findByRole("heading", { name: "Directory settings" })).toBeTruthy();

    // SCIM: the base URL, and a rotated token shown once with a copy button.
    expect((screen.getByLabelText("SCIM base URL") as HTMLInputElement).value).toBe(`${window.location.origin}/scim/v2`);
    await userEvent.click(await screen.findByRole("button", { name: "Rotate SCIM token" }));
    expect(app.called("directory.scimToken")).toBe(false);
    await userEvent.click(await screen.findByRole("button", { name: "Rotate token" }));
    expect(((await screen.findByLabelText("SCIM token")) as HTMLInputElement).value).toBe("scim_secretvalue");
    expect(screen.getByRole("button", { name: "Copy token" })).toBeTruthy();

    // LDAP: the saved connection; the password is never shown, only that one is set.
    expect(((await screen.findByLabelText("URL")) as HTMLInputElement).value).toBe("ldap://ldap.example.com");
    expect(screen.getByText("A password is set; leave empty to keep it.")).toBeTruthy();
    expect((screen.getByLabelText("Bind password") as HTMLInputElement).value).toBe("");
    await userEvent.click(screen.getByRole("button", { name: "Test connection" }));
    expect(await screen.findByText("42 users and 3 groups found.")).toBeTruthy();
    expect(screen.getByText("ada@example.com")).toBeTruthy();

    // Saving without typing a password keeps the stored one (nothing is sent for it).
    await userEvent.click(screen.getByRole("button", { name: "Save connection" }));
    await waitFor(() => expect(savedLdap).not.toBeNull());
    expect(savedLdap).not.toHaveProperty("bind_password");

    // Mappings are shown.
    expect((screen.getByLabelText("Role mapping 1 group") as HTMLInputElement).value).toBe("lattice-admins");

    // Preview: the plan, by names (ids beside workspaces and projects; a deleted one says so).
    await userEvent.click(screen.getByRole("button", { name: "Preview sync" }));
    const preview = await screen.findByRole("region", { name: "Preview" });
    expect(await within(preview).findByText("Accounts created (1)")).toBeTruthy();
    expect(app.calls.find((c) => c.path === "directory.syncLdap")?.input).toMatchObject({ dry_run: true });
    const cells = (table: HTMLElement) => within(table).getAllByRole("row").map((row) => [...within(row).queryAllByRole("columnheader"), ...within(row).queryAllByRole("cell")].map((c) => c.textContent));
    expect(cells(within(preview).getByRole("table", { name: "Accounts created" }))).toEqual([["Name", "Email"], ["New Person", "new@example.com"]]);
    expect(cells(within(preview).getByRole("table", { name: "Memberships activated" }))).toEqual([["Name", "Email", "Role"], ["New Person", "new@example.com", "Annotator"]]);
    expect(cells(within(preview).getByRole("table", { name: "Roles changed" }))).toEqual([["Name", "Email", "Role"], ["Ada Lovelace", "ada@example.com", "Annotator → Manager"]]);
    expect(cells(within(preview).getByRole("table", { name: "Workspace joins" }))).toEqual([
      ["Name", "Email", "Workspace"],
      ["New Person", "new@example.com", "Claims #2"],
      ["—", "old@example.com", "(deleted workspace #12)"],
    ]);
    expect(cells(within(preview).getByRole("table", { name: "Project joins" }))).toEqual([["Name", "Email", "Project", "Role"], ["New Person", "new@example.com", "Invoices #7", "Reviewer"]]);
    expect(within(preview).queryByRole("table", { name: "Members deactivated" })).toBeNull();

    // The history says who asked for each run and who approved it; the held run waits for Approve.
    const runs = await screen.findByRole("table", { name: "Sync runs" });
    const headers = within(runs).getAllByRole("columnheader").map((h) => h.textContent);
    expect(headers).toEqual(["Started", "Source", "Kind", "Requested by", "Approved by", "Status", "Counts", ""]);
    const [, previewRow, heldRow, forcedRow] = within(runs).getAllByRole("row");
    const cell = (row: HTMLElement | undefined, header: string) => within(row!).getAllByRole("cell")[headers.indexOf(header)]!.textContent;
    expect([cell(previewRow, "Kind"), cell(previewRow, "Requested by"), cell(previewRow, "Approved by")]).toEqual(["Preview (manual)", "User 1", "—"]);
    expect([cell(heldRow, "Requested by"), cell(heldRow, "Approved by")]).toEqual(["Schedule", "—"]);
    expect([cell(forcedRow, "Kind"), cell(forcedRow, "Requested by"), cell(forcedRow, "Approved by")]).toEqual(["Sync (approval)", "Grace Hopper", "Grace Hopper"]);
    expect(within(heldRow!).getByText("Needs approval")).toBeTruthy();
    expect(within(heldRow!).getByText(/would deactivate 7 of 10/)).toBeTruthy();
    await userEvent.click(within(heldRow!).getByRole("button", { name: "Approve" }));
    await waitFor(() => expect(approved).toMatchObject({ run_id: heldRun.id }));
  });

  it("reports a failed LDAP test with the precise error", async () => {
    renderApp("/settings/directory", {
      ...baseHandlers(meAs("OW"), [sandbox()]),
      "directory.settings": () => ({
        mappings: { roles: [], workspaces: [], projects: [] },
        authoritative_roles: false,
        authoritative_workspaces: false,
        authoritative_projects: false,
        guard_threshold: 0.1,
        scim_token_created_at: null,
      }),
      "directory.ldap": () => ldapSettings,
      "directory.runs": () => ({ count: 0, results: [] }),
      "directory.testLdap": () => ({ ok: false, error: "Invalid credentials (49)", users: 0, groups: 0, sample_users: [], sample_groups: [] }),
    });
    expect(await screen.findByRole("button", { name: "Create SCIM token" })).toBeTruthy();
    await userEvent.click(await screen.findByRole("button", { name: "Test connection" }));
    const failure = await screen.findByRole("alert", { name: "The connection failed" });
    expect(failure.textContent).toContain("Invalid credentials (49)");
    expect(screen.getByText("No sync has run yet.")).toBeTruthy();
  });

  it("gives a manager no menu entry and, at the address, the policy's reason", async () => {
    const app = renderApp("/projects", baseHandlers(meAs("MA"), [sandbox(), claims]));
    const menu = await openMenu();
    expect(within(menu).getByRole("link", { name: "All Projects" })).toBeTruthy();
    expect(within(menu).queryByRole("link", { name: "Directory settings" })).toBeNull();
    cleanup();

    const direct = renderApp("/settings/directory", baseHandlers(meAs("MA"), [sandbox(), claims]));
    const note = await screen.findByRole("note");
    const decision = explain({ role: "manager", status: "active" }, "directory.manage");
    expect(decision.allowed).toBe(false);
    expect(note.textContent).toContain(decision.allowed ? "" : decision.reason);
    expect(screen.queryByRole("button", { name: "Run sync" })).toBeNull();
    expect([...app.calls, ...direct.calls].some((c) => c.path.startsWith("directory."))).toBe(false);
  });
});
