// The role-dependent rendering of the tasks part of the project page, the activity log, the
// dashboards and the duplicate dialog: what the policy forbids is absent or disabled with the
// reason, and never requested from the server.
import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { baseHandlers, meAs, member, page, project, projectDetail, renderApp, sandbox, workspace } from "./test/render.js";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const claims = workspace({ id: 2, title: "Claims", color: "#0ca678", project_count: 1 });
const OWN_DATA = { annotators_may_view_own_data: true, labeling_restricted_to_assigned: true };
const task = (id: number, over: object = {}) => ({
  id,
  data: { text: `Claim ${id}` },
  created_at: "2026-01-01T00:00:00.000Z",
  annotation_count: 0,
  my_annotation: null,
  assigned_to_me: { annotate: false, review: false },
  ...over,
});

function projectHandlers(code: "OW" | "MA" | "RE" | "AN", tasks = [task(1), task(2)]) {
  return {
    ...baseHandlers(meAs(code), [sandbox(), claims]),
    "project.get": () => projectDetail({ task_count: 2, settings: OWN_DATA }, { assigned: code === "AN" || code === "RE" }),
    // The viewer (user 1) was given tasks in the project, which makes them a member of it.
    "project.members": () => [
      { id: 1, email: "user1@example.com", name: "User 1", direct: false, assigned: code === "AN" || code === "RE" },
      { id: 7, email: "ann@example.com", name: "Ann", direct: false, assigned: true },
    ],
    "task.list": () => page(tasks),
    "project.access": () => ({
      project: { id: 12, title: "Injury Claims", workspace: 2 },
      count: 2,
      results: [
        { user: { id: 1, email: "user1@example.com", name: "User 1" }, role: "owner", can_manage: true, reasons: ["role"] },
        { user: { id: 7, email: "ann@example.com", name: "Ann" }, role: "annotator", can_manage: false, reasons: ["task_assignment"] },
      ],
    }),
  };
}

describe("the project's tasks", () => {
  it("shows an annotator their tasks with Label, and no import, export or assignment", async () => {
    const app = renderApp("/projects/12", projectHandlers("AN", [task(1, { assigned_to_me: { annotate: true, review: false } })]));
    const table = await screen.findByRole("table", { name: "Tasks" });
    expect(within(table).getByText("to annotate")).toBeTruthy();
    expect(within(table).getByRole("button", { name: "Label task 1" })).toBeTruthy();
    expect(within(table).queryByRole("button", { name: /Review task/ })).toBeNull();
    expect(within(table).queryByRole("checkbox")).toBeNull();
    expect(screen.queryByRole("button", { name: "Import" })).toBeNull();
    expect(screen.queryByRole("link", { name: "Export JSON" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Assign" })).toBeNull();
    expect(app.called("member.list")).toBe(false);
  });

  it("tells an annotator why they see no tasks where the project does not let them view their own data", async () => {
    const app = renderApp("/projects/12", {
      ...projectHandlers("AN"),
      "project.get": () => projectDetail({ task_count: 2, settings: { ...OWN_DATA, annotators_may_view_own_data: false } }, { assigned: true }),
    });
    expect(await screen.findByText(/Annotators can view only their own data/i)).toBeTruthy();
    expect(app.called("task.list")).toBe(false);
  });

  it("lets an annotator edit the result JSON and submit it", async () => {
    const submitted: unknown[] = [];
    renderApp("/projects/12", {
      ...projectHandlers("AN", [task(1, { assigned_to_me: { annotate: true, review: false } })]),
      "task.annotate": (input) => {
        submitted.push(input);
        return { id: 50 };
      },
    });
    await userEvent.click(await screen.findByRole("button", { name: "Label task 1" }));
    const dialog = await screen.findByRole("dialog", { name: "Label task 1" });
    const result = within(dialog).getByLabelText("Result (JSON)");
    await userEvent.clear(result);
    await userEvent.type(result, '{{"label": "fraud"}');
    await userEvent.click(within(dialog).getByRole("button", { name: "Submit" }));
    await waitFor(() => expect(submitted).toEqual([{ id: 1, result: { label: "fraud" } }]));
  });

  it("shows a reviewer Import and Export disabled with the policy's reasons, and Assign for annotators only", async () => {
    const app = renderApp("/projects/12", projectHandlers("RE"));
    await screen.findByRole("table", { name: "Tasks" });
    const importButton = screen.getByRole("button", { name: "Import" });
    expect(importButton.hasAttribute("disabled")).toBe(true);
    expect(screen.getByText("Reviewers cannot import data.")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Export" }).hasAttribute("disabled")).toBe(true);
    await userEvent.click(screen.getByRole("checkbox", { name: "Select task 1" }));
    await userEvent.click(screen.getByRole("button", { name: "Assign" }));
    const dialog = await screen.findByRole("dialog", { name: "Assign 1 task" });
    expect(within(dialog).queryByText("Reviewers")).toBeNull();
    expect(within(dialog).getByText(/Assigning reviewers:/)).toBeTruthy();
    // Reviewers do not see the People page: they pick among the project's members.
    expect(app.called("member.list")).toBe(false);
  });

  it("lets the owner import, export and assign annotators or reviewers", async () => {
    const assigned: unknown[] = [];
    renderApp("/projects/12", {
      ...projectHandlers("OW"),
      "member.list": () => page([member(7, "AN", "Ann"), member(8, "RE", "Rex")]),
      "task.assign": (input) => {
        assigned.push(input);
        return { created: 1, project_members_added: 1 };
      },
    });
    await screen.findByRole("table", { name: "Tasks" });
    expect(screen.getByRole("button", { name: "Import" }).hasAttribute("disabled")).toBe(false);
    expect(screen.getByRole("link", { name: "Export JSON" }).getAttribute("href")).toBe("/api/projects/12/export?format=JSON");
    expect(screen.getByRole("link", { name: "Export CSV" }).getAttribute("href")).toBe("/api/projects/12/export?format=CSV");
    expect(screen.getByRole("button", { name: "Assign" }).hasAttribute("disabled")).toBe(true);
    await userEvent.click(screen.getByRole("checkbox", { name: "Select task 2" }));
    await userEvent.click(screen.getByRole("button", { name: "Assign" }));
    const dialog = await screen.findByRole("dialog", { name: "Assign 1 task" });
    expect(within(dialog).getByText("Reviewers")).toBeTruthy();
    await userEvent.click(within(dialog).getByPlaceholderText("Pick people"));
    await userEvent.click(await screen.findByRole("option", { name: "Ann (person7@example.com)" }));
    await userEvent.click(within(dialog).getByRole("button", { name: "Assign tasks" }));
    await waitFor(() => expect(assigned).toEqual([{ id: 12, task_ids: [2], user_ids: [7], kind: "annotate" }]));
  });
});

describe("reviewing", () => {
  it("lets a reviewer open Review, see the task's annotations with their author, and Accept one, without an export", async () => {
    // Raw requests (the export is one) would go through fetch; none may be made.
    const fetched = vi.fn(() => Promise.reject(new Error("test: no raw request expected")));
    vi.stubGlobal("fetch", fetched);
    const annotation = {
      id: 50,
      task: 1,
      project: 12,
      completed_by: 7,
      result: { label: "fraud" },
      ground_truth: false,
      review_state: "pending" as const,
      reviewed_by: null,
      review_comment: null,
      reviewed_at: null,
      created_at: "2026-01-02T00:00:00.000Z",
      updated_at: "2026-01-02T00:00:00.000Z",
    };
    const reviewed: unknown[] = [];
    const app = renderApp("/projects/12", {
      ...projectHandlers("RE", [task(1, { annotation_count: 1 })]),
      "project.get": () => projectDetail({ task_count: 1 }, { projectMember: true }),
      "task.annotations": () => [{ ...annotation, author: { id: 7, name: "Ann", email: "ann@example.com", deleted: false } }],
      "annotation.review": (input) => {
        reviewed.push(input);
        return { ...annotation, review_state: "accepted", reviewed_by: 1, review_comment: "Looks right", reviewed_at: "2026-01-03T00:00:00.000Z" };
      },
    });
    await userEvent.click(await screen.findByRole("button", { name: "Review task 1" }));
    const dialog = await screen.findByRole("dialog", { name: "Review task 1" });
    expect(await within(dialog).findByText(/"fraud"/)).toBeTruthy();
    expect(within(dialog).getByText("Annotation 50 by Ann (ann@example.com)")).toBeTruthy();
    expect(app.calls.filter((c) => c.path === "task.annotations").map((c) => c.input)).toEqual([{ id: 1 }]);
    await userEvent.type(within(dialog).getByLabelText("Comment on annotation 50"), "Looks right");
    await userEvent.click(within(dialog).getByRole("button", { name: "Accept" }));
    await waitFor(() => expect(reviewed).toEqual([{ id: 50, accepted: true, comment: "Looks right" }]));
    expect(await within(dialog).findByText("accepted", { exact: true })).toBeTruthy();
    expect(fetched).not.toHaveBeenCalled();
    // Reviewing changes no membership: the tasks are asked again, who is in the project is not.
    await waitFor(() => expect(app.calls.filter((c) => c.path === "task.list")).toHaveLength(2));
    expect(app.calls.filter((c) => c.path === "project.members")).toHaveLength(1);
  });
});

describe("who can reach what", () => {
  it("shows the owner who can reach the project and why; a reviewer is not asked", async () => {
    renderApp("/projects/12", projectHandlers("OW"));
    const table = await screen.findByRole("table", { name: "Project access" });
    const ann = within(table).getByRole("row", { name: /Ann/ });
    expect(within(ann).getByText("has tasks in it")).toBeTruthy();
    expect(within(ann).getByText("Annotator")).toBeTruthy();
    cleanup();
    const app = renderApp("/projects/12", projectHandlers("RE"));
    await screen.findByRole("table", { name: "Tasks" });
    expect(screen.queryByRole("table", { name: "Project access" })).toBeNull();
    expect(app.called("project.access")).toBe(false);
  });

  it("lets an administrator open a member's Access: the projects they reach, and why", async () => {
    const asked: unknown[] = [];
    renderApp("/organization", {
      ...baseHandlers(meAs("AD"), [sandbox(), claims]),
      "organization.get": () => ({ id: 10, title: "Acme", created_at: "2026-01-01T00:00:00.000Z", seat_limit: 5, seats_used: 2 }),
      "member.list": () => page([member(7, "AN", "Ann"), member(9, "NO", "Nia Pending")]),
      "access.forUser": (input) => {
        asked.push(input);
        return { user: { id: 7, email: "person7@example.com", name: "Ann" }, role: "annotator", count: 1, results: [{ project: { id: 12, title: "Injury Claims", workspace: 2 }, reasons: ["task_assignment"] }] };
      },
    });
    // Not Activated members reach nothing: no Access button on their row.
    await screen.findByRole("button", { name: "Access of Ann" });
    expect(screen.queryByRole("button", { name: "Access of Nia Pending" })).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Access of Ann" }));
    const dialog = await screen.findByRole("dialog", { name: "Projects Ann can reach" });
    expect(await within(dialog).findByRole("link", { name: "Injury Claims" })).toBeTruthy();
    expect(within(dialog).getByText("has tasks in it")).toBeTruthy();
    expect(asked).toEqual([{ user_id: 7, page: 1, page_size: 20 }]);
  });
});

describe("the activity log", () => {
  const entry = {
    id: 1,
    created_at: "2026-03-01T10:00:00.000Z",
    user: { id: 1, email: "user1@example.com", name: "User 1", deleted: false },
    action: "project.pin",
    target_type: "project",
    target_id: "12",
    changes: null,
    method: "POST",
    path: "/trpc/project.pin",
    ip: "127.0.0.1",
  };

  it("is in the owner's menu, lists entries and filters by method", async () => {
    const inputs: unknown[] = [];
    renderApp("/activity", {
      ...baseHandlers(meAs("OW"), [sandbox(), claims]),
      "member.list": () => page([]),
      "activity.list": (input) => {
        inputs.push(input);
        return page([entry]);
      },
    });
    const table = await screen.findByRole("table", { name: "Activity log" });
    expect(within(table).getByText("project.pin")).toBeTruthy();
    await userEvent.click(screen.getByPlaceholderText("Any"));
    await userEvent.click(await screen.findByRole("option", { name: "DELETE" }));
    await waitFor(() => expect(inputs.at(-1)).toMatchObject({ method: "DELETE", page: 1 }));
    await userEvent.click(screen.getByRole("button", { name: "Menu" }));
    expect(await screen.findByRole("link", { name: "Activity log" })).toBeTruthy();
  });

  it("tells a manager why there is no activity log, without asking for it", async () => {
    const app = renderApp("/activity", baseHandlers(meAs("MA"), [sandbox(), claims]));
    expect(await screen.findByText("Managers cannot view the system-wide activity log.")).toBeTruthy();
    expect(app.called("activity.list")).toBe(false);
    await userEvent.click(screen.getByRole("button", { name: "Menu" }));
    await screen.findByRole("link", { name: "Dashboards" });
    expect(screen.queryByRole("link", { name: "Activity log" })).toBeNull();
  });
});

describe("dashboards", () => {
  const summary = (scope: string) => ({
    scope,
    id: null,
    projects: 1,
    tasks: 2,
    annotations: 3,
    accepted: 1,
    rejected: 1,
    pending: 1,
    agreement: 0.5,
    pairs: 2,
    per_project: [{ project: { id: 12, title: "Injury Claims" }, annotations: 3, accepted: 1, rejected: 1, pending: 1, agreement: 0.5, pairs: 2 }],
    per_annotator: [{ user: { id: 7, email: "ann@example.com", name: "Ann", deleted: false }, annotations: 3, accepted: 1, rejected: 1, pending: 1, agreement: 0.5, pairs: 2 }],
    days: 30,
    series: [
      { date: "2026-01-01", tasks: 2, annotations: 1, accepted: 0, rejected: 0 },
      { date: "2026-01-02", tasks: 0, annotations: 0, accepted: 0, rejected: 0 },
      { date: "2026-01-03", tasks: 0, annotations: 2, accepted: 1, rejected: 1 },
    ],
  });

  it("gives an annotator the annotator dashboard and their own scope only", async () => {
    const scopes: unknown[] = [];
    const app = renderApp("/dashboards", {
      ...baseHandlers(meAs("AN"), [sandbox()]),
      "dashboard.annotator": () => ({ annotations: 3, accepted: 2, rejected: 1, pending: 0, tasks_assigned: 4, acceptance_rate: 2 / 3, series: [] }),
      "dashboard.summary": (input) => {
        scopes.push(input);
        return summary("own");
      },
    });
    expect(await screen.findByRole("heading", { name: "Annotator dashboard" })).toBeTruthy();
    expect(await screen.findByText("67%")).toBeTruthy();
    expect(screen.getByRole("figure", { name: "My annotations over time" })).toBeTruthy();
    expect(await screen.findByRole("figure", { name: "Counts over time" })).toBeTruthy();
    expect(screen.queryByRole("radiogroup", { name: "Dashboard scope" })).toBeNull();
    expect(await screen.findByText(/not of the whole organization/)).toBeTruthy();
    expect(scopes).toEqual([{ scope: "own", days: 30 }]);
    expect(app.called("dashboard.annotator")).toBe(true);
  });

  it("gives a manager workspace, project and own scopes, charts, and no annotator dashboard", async () => {
    const scopes: unknown[] = [];
    const app = renderApp("/dashboards", {
      ...baseHandlers(meAs("MA"), [sandbox(), claims]),
      "dashboard.summary": (input) => {
        scopes.push(input);
        return summary("workspace");
      },
    });
    expect(await screen.findByRole("figure", { name: "Annotations per annotator" })).toBeTruthy();
    expect(screen.getByRole("figure", { name: "Agreement per annotator" })).toBeTruthy();
    expect(screen.getByRole("radio", { name: "Workspace" })).toBeTruthy();
    expect(screen.queryByRole("radio", { name: "Organization" })).toBeNull();
    expect(screen.getByRole("figure", { name: "Counts over time" })).toBeTruthy();
    expect(scopes[0]).toEqual({ scope: "workspace", days: 30 });
    // The period of the counts over time is asked of the server, in the same scope.
    await userEvent.click(within(screen.getByRole("radiogroup", { name: "Period of counts over time" })).getByRole("radio", { name: "7 days" }));
    await waitFor(() => expect(scopes.at(-1)).toEqual({ scope: "workspace", days: 7 }));
    expect(app.called("dashboard.annotator")).toBe(false);
  });
});

describe("duplication", () => {
  it("offers the owner Duplicate project: three choices, ground truth for the last, progress and a link", async () => {
    const requests: unknown[] = [];
    let polls = 0;
    renderApp("/projects", {
      ...baseHandlers(meAs("OW"), [sandbox(), claims], [project({ id: 12, title: "Injury Claims" })]),
      "project.duplicate": (input) => {
        requests.push(input);
        return { job_id: "00000000-0000-4000-8000-000000000001" };
      },
      "job.get": () => {
        polls += 1;
        return {
          id: "00000000-0000-4000-8000-000000000001",
          kind: "duplicate",
          status: polls > 1 ? "succeeded" : "running",
          progress: polls > 1 ? 1 : 0.5,
          project_id: polls > 1 ? 40 : undefined,
          steps: [],
          created_at: "2026-01-01T00:00:00.000Z",
          started_at: null,
          finished_at: null,
        };
      },
    });
    await userEvent.click(await screen.findByRole("button", { name: "More actions for Injury Claims" }));
    await userEvent.click(await screen.findByRole("menuitem", { name: "Duplicate project" }));
    const dialog = await screen.findByRole("dialog", { name: "Duplicate Injury Claims" });
    expect(within(dialog).getByRole("radio", { name: "Settings only" })).toBeTruthy();
    expect(within(dialog).getByRole("radio", { name: "Settings and data" })).toBeTruthy();
    expect(within(dialog).queryByRole("checkbox", { name: /ground truth/ })).toBeNull();
    await userEvent.click(within(dialog).getByRole("radio", { name: "Settings, data and all annotations" }));
    await userEvent.click(within(dialog).getByRole("checkbox", { name: /ground truth/ }));
    await userEvent.clear(within(dialog).getByRole("textbox", { name: "New name" }));
    await userEvent.type(within(dialog).getByRole("textbox", { name: "New name" }), "Injury Claims 2");
    await userEvent.click(within(dialog).getByRole("button", { name: "Duplicate" }));
    await waitFor(() =>
      expect(requests).toEqual([{ id: 12, workspace: 2, title: "Injury Claims 2", description: "", mode: "settings,data,annotations", ground_truth: true }]),
    );
    expect(await screen.findByRole("progressbar", { name: "Duplication progress" })).toBeTruthy();
    expect(await screen.findByRole("link", { name: "Open Injury Claims 2" }, { timeout: 3000 })).toBeTruthy();
  });

  it("shows a reviewer Duplicate project disabled with the policy's reason", async () => {
    renderApp("/projects", baseHandlers(meAs("RE"), [sandbox()], [project({ id: 12, title: "Injury Claims" }, { projectMember: true })]));
    await userEvent.click(await screen.findByRole("button", { name: "More actions for Injury Claims" }));
    const item = await screen.findByRole("menuitem", { name: "Duplicate project" });
    expect(item.hasAttribute("disabled") || item.getAttribute("data-disabled") === "true").toBe(true);
    expect(item.textContent).toMatch(/Reviewers/);
  });
});
