// Test helpers for tasks and annotations: a project with people in every relation to it, built
// with SQL in one round of statements (the permission tests build one per row), and a caller
// of the streaming data procedures with a real context.
import { Readable } from "node:stream";
import type { MemoryCookieJar } from "../auth/cookies.js";
import { loadConfig } from "../config.js";
import { createContext } from "../context.js";
import type { Orm } from "../db/orm.js";
import { createDataCaller } from "../routers/data.js";
import { seedOrganization, type SeededOrganization } from "./index.js";

/** A caller of `dataRouter` (import, export) as the HTTP route builds it. */
export async function dataCallerFor(orm: Orm, opts: { cookies?: MemoryCookieJar; token?: string } = {}) {
  const ctx = await createContext({
    orm,
    cookies: opts.cookies,
    headers: opts.token ? { authorization: `Token ${opts.token}` } : {},
    config: loadConfig(),
    request: { method: "POST", path: "/api/projects/import", ip: "127.0.0.1", origin: "http://lattice.test" },
  });
  return createDataCaller(ctx);
}

/** A request body from text. */
export function bodyOf(text: string, chunkSize = 64 * 1024): Readable {
  const buf = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunkSize) chunks.push(buf.subarray(i, i + chunkSize));
  return Readable.from(chunks);
}

/** Reads an export's chunks into one string. */
export async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let out = "";
  for await (const c of chunks) out += c;
  return out;
}

export const PROJECT_PEOPLE = {
  owner: "owner",
  administrator: "administrator",
  /** A member of the project's workspace: the project is in their scope. */
  manager: "manager",
  /** A manager with no tie to the project: sees it, does not manage it. */
  outsider: "manager",
  /** Added to the project directly. */
  reviewer: "reviewer",
  /** Assigned task 1 (which makes them a member) and annotated it. */
  annotator: "annotator",
  /** An annotator of the organization with no tie to the project. */
  stranger: "annotator",
  pending: "pending",
  deactivated: "deactivated",
} as const;

export type ProjectPerson = keyof typeof PROJECT_PEOPLE;

export interface ProjectFixture {
  org: SeededOrganization<ProjectPerson>;
  workspaceId: number;
  projectId: number;
  /** Three tasks; task 0 is assigned for annotation to everyone active but the stranger. */
  taskIds: number[];
  /** The annotator's annotation of task 0, and the reviewer's (with the same result). */
  annotationIds: { annotator: number; reviewer: number };
}

/**
 * An organization with one person per relation to one project (see PROJECT_PEOPLE). The
 * project's settings are given (both default to what the tests need: annotators may view their
 * own data, labeling is restricted to assigned tasks).
 */
export async function seedProject(
  orm: Orm,
  settings: { annotators_may_view_own_data?: boolean; labeling_restricted_to_assigned?: boolean } = {},
): Promise<ProjectFixture> {
  const org = await seedOrganization(orm, PROJECT_PEOPLE);
  const p = org.people;
  const em = orm.em.fork();
  const [ws] = await em.execute<{ id: number }[]>(
    `insert into workspaces (organization_id, title, color, description, is_sandbox, created_by_id, created_at, updated_at)
     values (?, 'Team', '#1c7ed6', '', false, ?, now(), now()) returning id`,
    [org.orgId, p.owner.userId],
  );
  await em.execute(`insert into workspace_members (organization_id, workspace_id, user_id, source, created_at) values (?, ?, ?, 'manual', now())`, [
    org.orgId,
    ws!.id,
    p.manager.userId,
  ]);
  const [project] = await em.execute<{ id: number }[]>(
    `insert into projects (organization_id, workspace_id, title, description, label_config, settings, created_by_id, task_count, created_at, updated_at)
     values (?, ?, 'Reviews', '', '', ?::jsonb, ?, 3, now(), now()) returning id`,
    [
      org.orgId,
      ws!.id,
      JSON.stringify({ annotators_may_view_own_data: true, labeling_restricted_to_assigned: true, ...settings }),
      p.owner.userId,
    ],
  );
  const projectId = project!.id;
  const tasks = await em.execute<{ id: string }[]>(
    `insert into tasks (organization_id, project_id, data, created_at)
     select ?, ?, jsonb_build_object('text', 'task ' || i), now() from generate_series(1, 3) i returning id`,
    [org.orgId, projectId],
  );
  const taskIds = tasks.map((t) => Number(t.id)).sort((a, b) => a - b);
  const labelers = [p.owner, p.administrator, p.manager, p.outsider, p.reviewer, p.annotator].map((x) => x.userId);
  await em.execute(
    `insert into task_assignments (organization_id, project_id, task_id, user_id, kind, created_at)
     select ?, ?, ?, u, 'annotate', now() from unnest(?::int[]) u`,
    [org.orgId, projectId, taskIds[0], `{${labelers.join(",")}}`],
  );
  await em.execute(
    `insert into project_members (organization_id, project_id, user_id, direct, assigned, source, created_at)
     select ?, ?, u, false, true, 'manual', now() from unnest(?::int[]) u`,
    [org.orgId, projectId, `{${labelers.filter((u) => u !== p.reviewer.userId).join(",")}}`],
  );
  await em.execute(
    `insert into project_members (organization_id, project_id, user_id, direct, assigned, source, created_at) values (?, ?, ?, true, true, 'manual', now())`,
    [org.orgId, projectId, p.reviewer.userId],
  );
  const anns = await em.execute<{ id: string; completed_by_id: number }[]>(
    `insert into annotations (organization_id, project_id, task_id, completed_by_id, result, ground_truth, review_state, created_at, updated_at)
     select ?, ?, ?, u, '{"choice": "positive"}'::jsonb, false, 'pending', now(), now() from unnest(?::int[]) u returning id, completed_by_id`,
    [org.orgId, projectId, taskIds[0], `{${p.annotator.userId},${p.reviewer.userId}}`],
  );
  const annotationOf = (userId: number) => Number(anns.find((a) => a.completed_by_id === userId)!.id);
  return {
    org,
    workspaceId: ws!.id,
    projectId,
    taskIds,
    annotationIds: { annotator: annotationOf(p.annotator.userId), reviewer: annotationOf(p.reviewer.userId) },
  };
}
