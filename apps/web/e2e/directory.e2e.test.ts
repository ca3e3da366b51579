// Directory settings in Chromium against a real OpenLDAP (Debian's slapd, throwaway): an owner
// connects the directory, tests the connection, maps groups to roles and a workspace, previews
// the plan (by name), runs it, and approves the run the deprovisioning guard holds when a
// person leaves the directory.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { ADMIN_DN, ADMIN_PASSWORD, BASE_DN, ldif, startSlapd, userDn, type Slapd } from "@lattice/worker/slapd";
import { launchBrowser, openMenuItem, person, shot, stepper, type Person } from "./browser.js";

const baseUrl = inject("baseUrl");
const owner = { name: "Lee Directory", email: "lee@example.com", password: "directories are fun" };

let slapd: Slapd;
let browser: Browser;
let lee: Person;
let page: Page;

beforeAll(async () => {
  slapd = await startSlapd(
    ldif(
      [
        { uid: "ada", mail: "ada@example.com", cn: "Ada Lovelace" },
        { uid: "ben", mail: "ben@example.com", cn: "Ben Franklin" },
        { uid: "cat", mail: "cat@example.com", cn: "Cat Stevens" },
      ],
      [
        { cn: "annotators", shape: "groupOfNames", members: ["ada", "ben"] },
        { cn: "reviewers", shape: "groupOfNames", members: ["cat"] },
      ],
    ),
  );
  browser = await launchBrowser();
  lee = await person(browser, baseUrl, { height: 900 });
  page = lee.page;
});

afterAll(async () => {
  await browser?.close();
  await slapd?.stop();
});

/** Picks an option of a Mantine Select (a combobox with a listbox). */
async function choose(label: string, option: string): Promise<void> {
  await page.getByRole("textbox", { name: label, exact: true }).or(page.getByRole("combobox", { name: label, exact: true })).first().click();
  await page.getByRole("option", { name: option, exact: true }).click();
}

const step = stepper(() => shot(page, "directory-ldap-failure"));

describe("directory sync in Chromium against slapd", () => {
  step("an owner signs up and creates the workspace the directory will fill", async () => {
    await page.goto(`${baseUrl}/signup`);
    await page.getByLabel(/^Name/).fill(owner.name);
    await page.getByLabel(/^Email/).fill(owner.email);
    await page.getByLabel(/^Password/).fill(owner.password);
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByRole("heading", { name: "Projects", level: 1 }).waitFor();
    await page.getByRole("button", { name: "Menu", exact: true }).click();
    await page.getByRole("button", { name: "Create workspace" }).click();
    const dialog = page.getByRole("dialog", { name: "Create workspace" });
    await dialog.getByLabel("Workspace name").fill("Support");
    await dialog.getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { name: "Support", level: 1 }).waitFor();
  });

  step("the owner saves the LDAP connection and tests it", async () => {
    await openMenuItem(page, "Directory settings");
    await page.getByRole("heading", { name: "Directory settings" }).waitFor();
    const form = page.getByRole("form", { name: "LDAP connection" });
    await form.getByLabel("URL", { exact: true }).fill(slapd.url);
    await form.getByLabel("Bind DN").fill(ADMIN_DN);
    await form.getByLabel("Bind password").fill(ADMIN_PASSWORD);
    await form.getByLabel("User base").fill(`ou=people,${BASE_DN}`);
    await form.getByLabel("Group base").fill(`ou=groups,${BASE_DN}`);
    await form.getByRole("button", { name: "Save connection" }).click();
    await page.getByText("The LDAP connection was saved").waitFor();
    // Write-only: the saved password is not shown again.
    expect(await form.getByLabel("Bind password").inputValue()).toBe("");
    await form.getByRole("button", { name: "Test connection" }).click();
    await page.getByText("3 users and 2 groups found.").waitFor();
    await page.getByRole("table", { name: "Sample users" }).getByText("ada@example.com").waitFor();
    await shot(page, "directory-ldap-test");
  });

  step("the owner maps groups to roles and to the workspace, and makes the directory authoritative for roles", async () => {
    await page.getByRole("button", { name: "Add role mapping" }).click();
    await page.getByRole("textbox", { name: "Role mapping 1 group" }).fill("annotators");
    await page.getByRole("button", { name: "Add role mapping" }).click();
    await page.getByRole("textbox", { name: "Role mapping 2 group" }).fill("reviewers");
    await choose("Role mapping 2 role", "Reviewer");
    await page.getByRole("button", { name: "Add workspace mapping" }).click();
    await page.getByRole("textbox", { name: "Workspace mapping 1 group" }).fill("annotators");
    expect(await page.getByLabel("Workspace mapping 1 workspace", { exact: true }).first().inputValue()).toBe("Support");
    await page.getByRole("switch", { name: "Roles (members missing from the directory are deactivated)" }).check();
    await page.getByRole("button", { name: "Save mappings" }).click();
    await page.getByText("Group mappings were saved").waitFor();
  });

  step("Preview sync shows the plan by name, and changes nothing", async () => {
    await page.getByRole("button", { name: "Preview sync" }).click();
    const preview = page.getByRole("region", { name: "Preview" });
    await preview.getByText("Planned (dry run)").waitFor({ timeout: 20_000 });
    const created = preview.getByRole("table", { name: "Accounts created" });
    for (const name of ["Ada Lovelace", "Ben Franklin", "Cat Stevens"]) await created.getByRole("row").filter({ hasText: name }).waitFor();
    const activated = preview.getByRole("table", { name: "Memberships activated" });
    expect(await activated.getByRole("row").filter({ hasText: "Cat Stevens" }).innerText()).toContain("Reviewer");
    expect(await activated.getByRole("row").filter({ hasText: "Ada Lovelace" }).innerText()).toContain("Annotator");
    const joins = preview.getByRole("table", { name: "Workspace joins" });
    expect(await joins.getByRole("row").filter({ hasText: "Ada Lovelace" }).innerText()).toMatch(/Support #\d+/);
    await shot(page, "directory-ldap-preview");

    await openMenuItem(page, "Organization");
    await page.getByRole("row").filter({ hasText: owner.email }).waitFor();
    expect(await page.getByRole("row").filter({ hasText: "ada@example.com" }).count()).toBe(0);
  });

  step("Run sync applies it: the people arrive with their roles and workspace, and the run says who asked", async () => {
    await openMenuItem(page, "Directory settings");
    await page.getByRole("button", { name: "Run sync" }).click();
    const run = page.getByRole("region", { name: "Sync run" });
    await run.getByText("Applied", { exact: true }).waitFor({ timeout: 20_000 });
    const runs = page.getByRole("table", { name: "Sync runs" });
    const applied = runs.getByRole("row").filter({ hasText: "Sync (manual)" }).first();
    await applied.getByText("Applied", { exact: true }).waitFor();
    expect(await applied.innerText()).toContain(owner.name);

    await openMenuItem(page, "Organization");
    const ada = page.getByRole("row").filter({ hasText: "ada@example.com" });
    await ada.getByText("Active", { exact: true }).waitFor();
    const cat = page.getByRole("row").filter({ hasText: "cat@example.com" });
    await cat.getByText("Active", { exact: true }).waitFor();
    // The directory is authoritative for roles: no Role drop-down that would be refused.
    expect(await ada.getByRole("combobox", { name: "Role of Ada Lovelace" }).isDisabled()).toBe(true);
    await ada.getByText("Managed by the directory (LDAP): change it in the identity provider.").waitFor();
    expect(await ada.getByRole("button", { name: "Remove Ada Lovelace" }).isDisabled()).toBe(true);
    await shot(page, "directory-ldap-organization");

    await openMenuItem(page, "Support");
    await page.getByRole("button", { name: "Manage Members" }).waitFor();
  });

  step("when a person leaves the directory, the guard holds the run until the owner approves it", async () => {
    const admin = await slapd.admin();
    try {
      await admin.del(userDn("ada"));
    } finally {
      await admin.unbind();
    }
    await openMenuItem(page, "Directory settings");
    await page.getByRole("button", { name: "Run sync" }).click();
    const run = page.getByRole("region", { name: "Sync run" });
    await run.getByText("Needs approval", { exact: true }).waitFor({ timeout: 20_000 });
    const held = run.getByRole("table", { name: "Members deactivated" });
    await held.getByRole("row").filter({ hasText: "Ada Lovelace" }).waitFor();
    const runs = page.getByRole("table", { name: "Sync runs" });
    await shot(page, "directory-ldap-guard");
    await runs.getByRole("button", { name: "Approve" }).click();
    await runs.getByRole("row").filter({ hasText: "Sync (approval)" }).getByText("Applied", { exact: true }).waitFor({ timeout: 20_000 });
    await run.getByText("Approved", { exact: true }).waitFor();
    // The held run now reads Approved, and names who approved it (its requester too).
    const approved = runs.getByRole("row").filter({ has: page.getByText("Approved", { exact: true }) });
    expect((await approved.innerText()).split(owner.name).length - 1).toBe(2);
    await shot(page, "directory-ldap-approved");

    await openMenuItem(page, "Organization");
    await page.getByRole("row").filter({ hasText: "ada@example.com" }).getByText("Deactivated", { exact: true }).waitFor();
    await page.getByRole("row").filter({ hasText: "ben@example.com" }).getByText("Active", { exact: true }).waitFor();
  });

  it("showed no console error and no failed request", () => {
    expect(lee.problems).toEqual([]);
  });
});
