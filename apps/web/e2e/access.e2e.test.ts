// The seed's "Manage access" walk-through in Chromium, against the app as `pnpm start` runs it
// (e2e/app.ts: embedded PostgreSQL, server, worker): an owner signs up and invites an
// annotator, activates them, organizes workspaces and projects, pins (with Undo), and the
// annotator then sees exactly what they were given.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Page, Route } from "playwright-core";
import { launchBrowser, openMenuItem, person, shot, stepper, type Person } from "./browser.js";

const baseUrl = inject("baseUrl");

let browser: Browser;

const owner = { name: "Olivia Owner", email: "olivia@example.com", password: "correct horse battery" };
const annotator = { name: "Ann Annotator", email: "ann@example.com", password: "annotates all day" };

let olivia: Person;
let ann: Person;
let inviteUrl = "";

/** The titles of the project cards, in the order shown. */
function cardOrder(page: Page): Promise<string[]> {
  return page.getByTestId("project-card").evaluateAll((cards) => cards.map((c) => c.getAttribute("aria-label") ?? ""));
}

async function expectOrder(page: Page, titles: string[]): Promise<void> {
  await expect.poll(() => cardOrder(page), { timeout: 5_000 }).toEqual(titles);
}

/** Hold the calls of a procedure until `release()`: what shows meanwhile is optimistic. */
async function hold(page: Page, procedure: string) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const matches = (url: URL) => url.pathname === `/trpc/${procedure}`;
  const handled: Promise<void>[] = [];
  const handler = (route: Route) => {
    const done = gate.then(() => route.continue());
    handled.push(done);
    return done;
  };
  await page.route(matches, handler);
  return {
    held: () => handled.length,
    release: async () => {
      open();
      await Promise.all(handled);
      await page.unroute(matches, handler);
    },
  };
}

beforeAll(async () => {
  browser = await launchBrowser();
  olivia = await person(browser, baseUrl, { clipboard: true });
  ann = await person(browser, baseUrl, { clipboard: true });
});

afterAll(async () => {
  await browser?.close();
});

const step = stepper(async () => {
  await shot(olivia.page, "access-failure-owner");
  await shot(ann.page, "access-failure-annotator");
});

describe("managing access in Chromium", () => {
  step("an owner signs up and lands on an empty Projects page", async () => {
    const { page } = olivia;
    await page.goto(`${baseUrl}/projects`);
    // Signed out: the app goes to the login page without asking the server who we are.
    await page.getByRole("heading", { name: "Log in" }).waitFor();
    await shot(page, "login");
    await page.getByRole("link", { name: "Sign up" }).click();
    await page.getByLabel(/^Name/).fill(owner.name);
    await page.getByLabel(/^Email/).fill(owner.email);
    await page.getByLabel(/^Password/).fill(owner.password);
    await shot(page, "signup");
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByRole("heading", { name: "Projects", level: 1 }).waitFor();
    await page.getByText("No projects yet.").waitFor();
  });

  step("the owner copies the invitation link from Add People", async () => {
    const { page } = olivia;
    await openMenuItem(page, "Organization");
    await page.getByRole("heading", { name: "Organization", level: 1 }).waitFor();
    await page.getByRole("button", { name: "Add People" }).click();
    const dialog = page.getByRole("dialog", { name: "Add People" });
    const link = dialog.getByLabel("Invitation link");
    await expect.poll(() => link.inputValue()).toMatch(/\/signup\?invite=/);
    inviteUrl = await link.inputValue();
    expect(inviteUrl.startsWith(`${baseUrl}/signup?invite=`)).toBe(true);
    await dialog.getByRole("button", { name: "Copy Link" }).click();
    await dialog.getByText("Link copied.").waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(inviteUrl);
    await shot(page, "add-people");
    await dialog.getByRole("button", { name: "Done" }).click();
    await dialog.waitFor({ state: "hidden" });
  });

  step("the invited person signs up through the link and waits for activation", async () => {
    const { page } = ann;
    await page.goto(inviteUrl);
    await page.getByText("You were invited").waitFor();
    await page.getByLabel(/^Name/).fill(annotator.name);
    await page.getByLabel(/^Email/).fill(annotator.email);
    await page.getByLabel(/^Password/).fill(annotator.password);
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByRole("heading", { name: "Waiting for activation" }).waitFor();
    expect(await page.getByText("Not Activated", { exact: true }).isVisible()).toBe(true);
    await shot(page, "waiting");
  });

  step("the owner activates them as Annotator from the Role drop-down, which saves by itself", async () => {
    const { page } = olivia;
    await page.reload();
    const row = page.getByRole("row").filter({ hasText: annotator.email });
    await row.getByText("Not Activated").first().waitFor();
    // Neither the owner's own row nor the owner's role can be changed: no drop-down there.
    const ownRow = page.getByRole("row").filter({ hasText: owner.email });
    expect(await ownRow.getByRole("combobox").count()).toBe(0);
    await row.getByRole("combobox", { name: `Role of ${annotator.name}` }).selectOption({ label: "Annotator" });
    await row.getByText("Active", { exact: true }).waitFor();
    await page.getByText(`${annotator.name} is now Annotator`).waitFor();
    expect(await page.getByTestId("seat-usage").innerText()).toContain("2 used");
    await shot(page, "organization");
  });

  step("the activated annotator's waiting page turns into the app by itself", async () => {
    const { page } = ann;
    await page.getByRole("heading", { name: "Projects", level: 1 }).waitFor({ timeout: 15_000 });
    await page.getByText("No projects yet.").waitFor();
  });

  step("the owner creates a workspace with a colour, then two projects in it", async () => {
    const { page } = olivia;
    await page.getByRole("button", { name: "Menu", exact: true }).click();
    await page.getByRole("button", { name: "Create workspace" }).click();
    const dialog = page.getByRole("dialog", { name: "Create workspace" });
    await dialog.getByLabel("Workspace name").fill("Claims");
    await dialog.getByLabel("Color").fill("#0ca678");
    await dialog.getByLabel("Workspace name").click();
    await shot(page, "create-workspace");
    await dialog.getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { name: "Claims", level: 1 }).waitFor();
    for (const title of ["Accident Claims", "Injury Claims"]) {
      await page.getByRole("button", { name: "Create project" }).click();
      const create = page.getByRole("dialog", { name: "Create project" });
      await create.getByLabel("Project name").fill(title);
      expect(await create.getByLabel("Workspace").inputValue()).not.toBe("");
      await create.getByRole("button", { name: "Create" }).click();
      await create.waitFor({ state: "hidden" });
    }
    await expectOrder(page, ["Injury Claims", "Accident Claims"]);
    await shot(page, "workspace");

    // Manage Members: the two-list transfer (looked at, then cancelled: the annotator is given
    // one project only).
    await page.getByRole("button", { name: "Manage Members" }).click();
    const members = page.getByRole("dialog", { name: "Manage Members of Claims" });
    await members.getByLabel("Search members").fill("ann");
    await members.getByRole("checkbox", { name: `${annotator.name} (${annotator.email})` }).check();
    await members.getByRole("button", { name: ">", exact: true }).click();
    await members.getByRole("group", { name: "Belong to the Workspace" }).getByText(annotator.name).waitFor();
    await shot(page, "manage-members");
    await members.getByRole("button", { name: "Cancel" }).click();
    await members.waitFor({ state: "hidden" });

    // Delete Workspace is disabled while projects remain, and says why.
    await page.getByRole("button", { name: "Workspace settings" }).click();
    const settings = page.getByRole("dialog", { name: "Claims settings" });
    const del = settings.getByRole("button", { name: "Delete Workspace" });
    expect(await del.isDisabled()).toBe(true);
    await settings.getByText("This workspace still holds 2 projects").waitFor();
    await shot(page, "workspace-settings");
    await page.keyboard.press("Escape");
    await settings.waitFor({ state: "hidden" });
  });

  step("pinning reorders at once, Undo of an unpin puts the pin back at once, and a reload agrees", async () => {
    const { page } = olivia;
    await openMenuItem(page, "All Projects");
    await page.getByRole("heading", { name: "Projects", level: 1 }).waitFor();
    await expectOrder(page, ["Injury Claims", "Accident Claims"]);

    const pin = await hold(page, "project.pin");
    await page.getByRole("button", { name: "More actions for Accident Claims" }).click();
    await page.getByRole("menuitem", { name: "Pin project" }).click();
    await expectOrder(page, ["Accident Claims", "Injury Claims"]);
    // The server's answer is held back until now: the order above was optimistic.
    await expect.poll(() => pin.held()).toBe(1);
    await page.getByText("Accident Claims was pinned").waitFor();
    await pin.release();
    await page.getByRole("listitem", { name: "Accident Claims" }).getByText("Pinned").waitFor();

    const unpin = await hold(page, "project.unpin");
    await page.getByRole("button", { name: "More actions for Accident Claims" }).click();
    await page.getByRole("menuitem", { name: "Unpin project" }).click();
    await expectOrder(page, ["Injury Claims", "Accident Claims"]);
    const toast = page.getByRole("alert").filter({ hasText: "Accident Claims was unpinned" });
    await toast.waitFor();
    await expect.poll(() => unpin.held()).toBe(1);
    const repin = await hold(page, "project.pin");
    await toast.getByRole("button", { name: "Undo" }).click();
    await expectOrder(page, ["Accident Claims", "Injury Claims"]);
    await unpin.release();
    await expect.poll(() => repin.held()).toBe(1);
    await repin.release();
    await page.waitForLoadState("networkidle");
    await shot(page, "projects");

    await page.reload();
    await page.getByRole("heading", { name: "Projects", level: 1 }).waitFor();
    await expectOrder(page, ["Accident Claims", "Injury Claims"]);
    await page.getByRole("listitem", { name: "Accident Claims" }).getByText("Pinned").waitFor();

    const filter = page.getByRole("combobox", { name: "Filter projects" });
    await filter.selectOption({ label: "Pinned projects" });
    await expectOrder(page, ["Accident Claims"]);
    await filter.selectOption({ label: "Unpinned projects" });
    await expectOrder(page, ["Injury Claims"]);
    await filter.selectOption({ label: "All projects" });
    await expectOrder(page, ["Accident Claims", "Injury Claims"]);
  });

  step("the owner lets annotators view their own data, imports two tasks and assigns one to the annotator", async () => {
    const { page } = olivia;
    await page.getByRole("button", { name: "More actions for Injury Claims" }).click();
    await page.getByRole("menuitem", { name: "Project settings" }).click();
    await page.getByRole("heading", { name: "Project settings", level: 1 }).waitFor();
    await page.getByRole("switch", { name: "Annotators may view their own data" }).check();
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("Project settings were saved").waitFor();
    await shot(page, "project-settings");

    await page.goto(page.url().replace(/\/settings$/, ""));
    await page.getByRole("heading", { name: "Injury Claims", level: 1 }).waitFor();
    await page.getByText("This project has no tasks yet.").waitFor();
    const tasks = [{ data: { text: "Rear-ended at a stop light" } }, { data: { text: "Slipped on a wet floor" } }];
    await page.locator('input[type="file"]').setInputFiles({ name: "tasks.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(tasks)) });
    await page.getByText("Imported 2 tasks into Injury Claims").waitFor();
    const table = page.getByRole("table", { name: "Tasks" });
    await table.getByText("Rear-ended at a stop light").waitFor();
    expect(await page.getByRole("link", { name: "Export JSON" }).getAttribute("href")).toMatch(/\/api\/projects\/\d+\/export\?format=JSON$/);
    await shot(page, "project-tasks");

    const first = table.getByRole("row").filter({ hasText: "Rear-ended" });
    await first.getByRole("checkbox").check();
    await page.getByRole("button", { name: "Assign", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Assign 1 task" });
    await dialog.getByPlaceholder("Pick people").click();
    await page.getByRole("option", { name: `${annotator.name} (${annotator.email})` }).click();
    await shot(page, "assign");
    await dialog.getByRole("button", { name: "Assign tasks" }).click();
    await page.getByText("1 assignment made in Injury Claims").waitFor();
    await page.getByRole("table", { name: "Project members" }).getByText(annotator.email).waitFor();
    // Who can reach the project, and why: the annotator through their task.
    await page.getByRole("table", { name: "Project access" }).getByRole("row").filter({ hasText: annotator.name }).getByText("has tasks in it").waitFor();
    await shot(page, "project-access");
  });

  step("the annotator logs in and sees exactly that project, no workspace and no pinning", async () => {
    const { page } = ann;
    await page.getByRole("button", { name: `Account: ${annotator.email}` }).click();
    await page.getByRole("menuitem", { name: "Log out" }).click();
    await page.getByRole("heading", { name: "Log in" }).waitFor();
    await page.getByLabel(/^Email/).fill(annotator.email);
    await page.getByLabel(/^Password/).fill(annotator.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("heading", { name: "Projects", level: 1 }).waitFor();
    await expectOrder(page, ["Injury Claims"]);
    expect(await page.getByRole("button", { name: /More actions/ }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Create project" }).count()).toBe(0);
    await shot(page, "annotator-projects");

    await page.getByRole("button", { name: "Menu", exact: true }).click();
    const drawer = page.getByRole("dialog", { name: "Lattice" });
    await drawer.getByRole("link", { name: "All Projects" }).waitFor();
    expect(await drawer.getByText("Workspaces").count()).toBe(0);
    expect(await drawer.getByRole("link", { name: "Claims" }).count()).toBe(0);
    expect(await drawer.getByRole("link", { name: "Organization" }).count()).toBe(0);
    expect(await drawer.getByRole("button", { name: "Create workspace" }).count()).toBe(0);
    await shot(page, "annotator-menu");
    await drawer.getByRole("link", { name: "All Projects" }).click();

    await page.getByRole("link", { name: "Injury Claims" }).click();
    await page.getByRole("heading", { name: "Injury Claims", level: 1 }).waitFor();
    expect(await page.getByRole("button", { name: /Pin project|Project settings/ }).count()).toBe(0);
    // Only the task assigned to them, and no import, export or assignment.
    const table = page.getByRole("table", { name: "Tasks" });
    await table.getByText("Rear-ended at a stop light").waitFor();
    expect(await table.getByText("Slipped on a wet floor").count()).toBe(0);
    expect(await page.getByRole("button", { name: /^(Import|Assign)$/ }).count()).toBe(0);
    expect(await page.getByRole("link", { name: /Export/ }).count()).toBe(0);
    await shot(page, "annotator-project");
  });

  step("the annotator labels their task in the JSON view and sees it on their dashboard", async () => {
    const { page } = ann;
    const row = page.getByRole("table", { name: "Tasks" }).getByRole("row").filter({ hasText: "Rear-ended" });
    await row.getByRole("button", { name: /^Label task/ }).click();
    const dialog = page.getByRole("dialog", { name: /^Label task/ });
    await dialog.getByLabel("Result (JSON)").fill('{"label": "collision"}');
    await shot(page, "labeling");
    await dialog.getByRole("button", { name: "Submit" }).click();
    await dialog.waitFor({ state: "hidden" });
    await row.getByText("annotated").waitFor();

    await openMenuItem(page, "Dashboards");
    await page.getByRole("heading", { name: "Annotator dashboard" }).waitFor();
    await page.getByRole("figure", { name: "My annotations over time" }).locator(".recharts-bar-rectangle").first().waitFor();
    await shot(page, "annotator-dashboard");
  });

  step("the owner reviews the annotation, then reads the activity log and the dashboards", async () => {
    const { page } = olivia;
    await page.reload();
    const row = page.getByRole("table", { name: "Tasks" }).getByRole("row").filter({ hasText: "Rear-ended" });
    await row.getByRole("button", { name: /^Review task/ }).click();
    const dialog = page.getByRole("dialog", { name: /^Review task/ });
    await dialog.getByText('"collision"').waitFor();
    await dialog.getByLabel(/^Comment on annotation/).fill("Looks right");
    await shot(page, "review");
    await dialog.getByRole("button", { name: "Accept" }).click();
    await dialog.getByText("accepted", { exact: true }).waitFor();
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });

    await openMenuItem(page, "Activity log");
    const log = page.getByRole("table", { name: "Activity log" });
    await log.getByRole("row").nth(1).waitFor();
    await page.getByLabel("Search").fill("assign");
    // Only the assignment matches (its action and its path name it).
    await page.getByText("1 entry", { exact: true }).waitFor();
    await log.getByText("task.assignAnnotators").waitFor();
    await shot(page, "activity");

    await openMenuItem(page, "Dashboards");
    await page.getByRole("figure", { name: "Annotations per annotator" }).locator(".recharts-bar-rectangle").first().waitFor();
    // Today's import, annotation and review are on the counts-over-time lines.
    await page.getByRole("figure", { name: "Counts over time" }).locator(".recharts-line-dots").first().waitFor();
    await shot(page, "dashboards");

    await openMenuItem(page, "Directory settings");
    await page.getByRole("heading", { name: "Directory settings" }).waitFor();
    await page.getByRole("button", { name: "Create SCIM token" }).click();
    expect(await page.getByLabel("SCIM token", { exact: true }).inputValue()).toMatch(/^scim_/);
    await page.getByRole("table", { name: "Sync runs" }).or(page.getByText("No sync has run yet.")).waitFor();

    // An empty SCIM directory: the preview plans nothing, and the guard holds the real run.
    await page.getByRole("radiogroup", { name: "Source" }).getByText("SCIM", { exact: true }).click();
    await expect.poll(() => page.getByRole("radio", { name: "SCIM" }).isChecked()).toBe(true);
    await page.getByRole("button", { name: "Preview sync" }).click();
    await page.getByRole("region", { name: "Preview" }).getByText("Planned (dry run)").waitFor({ timeout: 20_000 });
    await page.getByRole("button", { name: "Run sync" }).click();
    const runs = page.getByRole("table", { name: "Sync runs" });
    await runs.getByRole("button", { name: "Approve" }).waitFor({ timeout: 20_000 });
    await shot(page, "directory");
    await runs.getByRole("button", { name: "Approve" }).click();
    await runs.getByText(/^(Approved|Applied)$/).first().waitFor({ timeout: 20_000 });
  });

  step("a duplication with annotations shows progress and lands in the chosen workspace", async () => {
    const { page } = olivia;
    await openMenuItem(page, "All Projects");
    await page.getByRole("button", { name: "More actions for Injury Claims" }).click();
    await page.getByRole("menuitem", { name: "Duplicate project" }).click();
    const dialog = page.getByRole("dialog", { name: "Duplicate Injury Claims" });
    await dialog.getByLabel("Destination workspace").selectOption({ label: "Sandbox (private)" });
    await dialog.getByLabel(/^New name/).fill("Injury Claims review copy");
    await dialog.getByLabel("New description").fill("Copied with its reviewed annotation");
    await dialog.getByRole("radio", { name: "Settings, data and all annotations" }).check();
    await dialog.getByRole("checkbox", { name: "Mark the copied annotations as ground truth" }).check();
    await shot(page, "duplicate");
    await dialog.getByRole("button", { name: "Duplicate", exact: true }).click();
    await dialog.getByRole("progressbar", { name: "Duplication progress" }).waitFor();
    const open = dialog.getByRole("link", { name: "Open Injury Claims review copy" });
    await open.waitFor({ timeout: 30_000 });
    await shot(page, "duplicate-done");
    await open.click();
    await page.getByRole("heading", { name: "Injury Claims review copy", level: 1 }).waitFor();
    await page.getByText("Sandbox", { exact: true }).first().waitFor();
    const table = page.getByRole("table", { name: "Tasks" });
    await table.getByText("Rear-ended at a stop light").waitFor();
    await table.getByText("Slipped on a wet floor").waitFor();
    // The reviewed annotation came along: one annotation on the first task.
    const copied = table.getByRole("row").filter({ hasText: "Rear-ended" });
    const column = (await table.getByRole("columnheader").allInnerTexts()).indexOf("Annotations");
    expect(await copied.getByRole("cell").nth(column).innerText()).toBe("1");
    await shot(page, "duplicated-project");
  });

  it("showed no console error and no failed request to either person", () => {
    expect(olivia.problems).toEqual([]);
    expect(ann.problems).toEqual([]);
  });
});
