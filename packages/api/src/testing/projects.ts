// Test fixtures for workspaces and projects: an organization with a member of every kind,
// everyone's sandbox, a workspace and project "in scope" (the manager belongs to the
// workspace; the reviewer and the annotator to the project) and one "out of scope" (none of
// them belongs to it), and a colleague's sandbox with a project in it. Written with SQL in a
// few statements; the procedures under test are not used to build it.
import type { Orm } from "../db/orm.js";
import { seedOrganization, type SeededOrganization } from "./index.js";

export const PEOPLE = {
  owner: "owner",
  administrator: "administrator",
  manager: "manager",
  reviewer: "reviewer",
  annotator: "annotator",
  pending: "pending",
  deactivated: "deactivated",
  /** A manager whose sandbox holds a project, and who belongs to nothing else (added by addMember cases). */
  colleague: "manager",
  /** A member of both workspaces and both projects (removed by removeMember cases). */
  target: "annotator",
} as const;
export type Person = keyof typeof PEOPLE;

export type Target = "in" | "out" | "sandbox";

export interface ProjectsFixture extends SeededOrganization<Person> {
  workspaces: Record<Target, number>;
  projects: Record<Target, number>;
  /** Everyone's own sandbox workspace. */
  sandboxOf: Record<Person, number>;
  templateId: number;
}

const SETTINGS = JSON.stringify({ annotators_may_view_own_data: false, labeling_restricted_to_assigned: true });

export async function seedProjectsOrganization(orm: Orm): Promise<ProjectsFixture> {
  const org = await seedOrganization(orm, PEOPLE);
  const em = orm.em.fork();
  const id = (p: Person) => org.people[p].userId;
  // Everyone's sandbox, as organizations.ensureSandbox makes it, in one statement.
  const sandboxes = await em.execute<{ id: number; sandbox_user_id: number }[]>(
    `insert into workspaces (organization_id, title, color, description, is_sandbox, sandbox_user_id, created_by_id, created_at, updated_at)
     select m.organization_id, 'Sandbox', '#868e96', 'Your private workspace: only you see it and its projects.', true, m.user_id, m.user_id, now(), now()
       from memberships m where m.organization_id = ? returning id, sandbox_user_id`,
    [org.orgId],
  );
  const sandboxOf = Object.fromEntries(
    (Object.keys(PEOPLE) as Person[]).map((p) => [p, sandboxes.find((s) => s.sandbox_user_id === id(p))!.id]),
  ) as Record<Person, number>;

  const workspaces = await em.execute<{ id: number; title: string }[]>(
    `insert into workspaces (organization_id, title, color, description, is_sandbox, created_by_id, created_at, updated_at)
     values (?, 'In scope', '#2f9e44', 'The manager belongs here', false, ?, now(), now()),
            (?, 'Out of scope', '#e8590c', 'Nobody but the target belongs here', false, ?, now(), now())
     returning id, title`,
    [org.orgId, id("owner"), org.orgId, id("owner")],
  );
  const wsIn = workspaces.find((w) => w.title === "In scope");
  const wsOut = workspaces.find((w) => w.title === "Out of scope");
  const projects = await em.execute<{ id: number; title: string }[]>(
    `insert into projects (organization_id, workspace_id, title, description, label_config, settings, created_by_id, task_count, created_at, updated_at)
     values (?, ?, 'Project in scope', '', '<View/>', ?::jsonb, ?, 0, now(), now()),
            (?, ?, 'Project out of scope', '', '<View/>', ?::jsonb, ?, 0, now(), now()),
            (?, ?, 'Private draft', '', '<View/>', ?::jsonb, ?, 0, now(), now())
     returning id, title`,
    [
      org.orgId, wsIn!.id, SETTINGS, id("owner"),
      org.orgId, wsOut!.id, SETTINGS, id("owner"),
      org.orgId, sandboxOf.colleague, SETTINGS, id("colleague"),
    ],
  );
  const [pIn, pOut, pSandbox] = ["Project in scope", "Project out of scope", "Private draft"].map((t) => projects.find((p) => p.title === t)!.id) as [
    number,
    number,
    number,
  ];
  await em.execute(
    `insert into workspace_members (organization_id, workspace_id, user_id, source, created_at)
     values (?, ?, ?, 'manual', now()), (?, ?, ?, 'manual', now()), (?, ?, ?, 'manual', now())`,
    [org.orgId, wsIn!.id, id("manager"), org.orgId, wsIn!.id, id("target"), org.orgId, wsOut!.id, id("target")],
  );
  await em.execute(
    `insert into project_members (organization_id, project_id, user_id, direct, assigned, source, created_at)
     values (?, ?, ?, true, false, 'manual', now()), (?, ?, ?, true, false, 'manual', now()),
            (?, ?, ?, true, false, 'manual', now()), (?, ?, ?, true, false, 'manual', now())`,
    [org.orgId, pIn, id("reviewer"), org.orgId, pIn, id("annotator"), org.orgId, pIn, id("target"), org.orgId, pOut, id("target")],
  );
  const [tpl] = await em.execute<{ id: number }[]>(
    `insert into project_templates (organization_id, title, description, label_config, settings, created_by_id, created_at)
     values (?, 'Seeded template', '', '<View><Text name="t"/></View>', ?::jsonb, ?, now()) returning id`,
    [org.orgId, SETTINGS, id("owner")],
  );
  return {
    ...org,
    workspaces: { in: wsIn!.id, out: wsOut!.id, sandbox: sandboxOf.colleague },
    projects: { in: pIn, out: pOut, sandbox: pSandbox },
    sandboxOf,
    templateId: tpl!.id,
  };
}

/** Everything the workspace and project procedures can change, and the number of activity-log rows. */
export async function projectsSnapshot(orm: Orm): Promise<{ state: string; logs: number }> {
  const [row] = await orm.em.fork().execute<{ state: unknown; logs: string }[]>(
    `select json_build_array(
        (select json_agg(json_build_array(id, title, color, description, is_sandbox, sandbox_user_id) order by id) from workspaces),
        (select json_agg(json_build_array(id, workspace_id, user_id) order by id) from workspace_members),
        (select json_agg(json_build_array(id, workspace_id, title, description, label_config, settings, pinned_at, pinned_by_id) order by id) from projects),
        (select json_agg(json_build_array(id, project_id, user_id, direct, assigned) order by id) from project_members),
        (select json_agg(json_build_array(id, title, label_config, settings) order by id) from project_templates)) as state,
       (select count(*) from activity_logs) as logs`,
  );
  return { state: JSON.stringify(row!.state), logs: Number(row!.logs) };
}
