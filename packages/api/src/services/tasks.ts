// Tasks and annotations: the task list ("view project data"), assignments, labeling and review.
// Project-level rules come from the policy through projectFor(); "own work" (a task assigned
// to the caller or annotated by them) is the `ownWork` fact of `data.view`.
import { explain, type Action, type ProjectFacts, type Role, type Subject } from "@lattice/policy";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Context } from "../context.js";
import type { IMembership, IOrganization, IUser } from "../db/entities.js";
import { DomainError } from "../errors.js";
import { audit, type Changes } from "./audit.js";
import { unstorable } from "./imports.js";
import { projectFor, type ProjectRow } from "./visibility.js";
import { subjectOf } from "./workspaces.js";
import { pageLinks } from "./paging.js";

type OrgContext = Context & { organization: IOrganization; membership: IMembership; user: IUser };

const DELETED_USER = "deleted user";

/**
 * Whether the caller may do a `work` action (`data.view`, `performance.review`) on all of a
 * project's work or only on their own: FORBIDDEN with the policy's reason when on neither.
 */
export function workScope(subject: Subject, action: Extract<Action, "data.view" | "performance.review">, facts: ProjectFacts): "all" | "own" {
  if (explain(subject, action, { ...facts, ownWork: false }).allowed) return "all";
  const own = explain(subject, action, { ...facts, ownWork: true });
  if (own.allowed) return "own";
  throw new DomainError("FORBIDDEN", own.reason);
}

// ---- The task list ----

export interface ListTasksInput {
  id: number;
  page: number;
  page_size: number;
}

interface TaskRow {
  id: string;
  data: Record<string, unknown>;
  created_at: Date;
  annotation_count: string;
  my_annotation_id: string | null;
  assigned_annotate: boolean;
  assigned_review: boolean;
  total: string;
}

/**
 * One page of a project's tasks (`data.view`). Reviewers and above see every task of a project
 * they see; annotators, where the project allows it, only tasks assigned to them or that they
 * annotated (and only their own annotations are counted). One query.
 */
export async function listTasks(ctx: OrgContext, input: ListTasksInput) {
  const subject = subjectOf(ctx);
  const { project, facts } = await projectFor(ctx.em, subject, ctx.organization.id, ctx.user.id, input.id, "project.read");
  const scope = workScope(subject, "data.view", facts);
  const me = ctx.user.id;
  const own =
    scope === "own"
      ? `and (t.id in (select ta.task_id from task_assignments ta where ta.project_id = ? and ta.user_id = ?)
           or t.id in (select a.task_id from annotations a where a.organization_id = ? and a.completed_by_id = ? and a.project_id = ?))`
      : "";
  const ownParams = scope === "own" ? [project.id, me, ctx.organization.id, me, project.id] : [];
  const offset = (input.page - 1) * input.page_size;
  const rows = await ctx.em.execute<TaskRow[]>(
    `select t.id, t.data, t.created_at,
            (select count(*) from annotations a where a.task_id = t.id${scope === "own" ? " and a.completed_by_id = ?" : ""}) as annotation_count,
            (select min(a.id) from annotations a where a.task_id = t.id and a.completed_by_id = ?) as my_annotation_id,
            exists (select 1 from task_assignments ta where ta.task_id = t.id and ta.user_id = ? and ta.kind = 'annotate') as assigned_annotate,
            exists (select 1 from task_assignments ta where ta.task_id = t.id and ta.user_id = ? and ta.kind = 'review') as assigned_review,
            ${scope === "own" ? "count(*) over ()" : "?::bigint"} as total
       from tasks t
      where t.project_id = ? ${own}
      order by t.id
      limit ? offset ?`,
    [...(scope === "own" ? [me] : []), me, me, me, ...(scope === "own" ? [] : [project.task_count]), project.id, ...ownParams, input.page_size, offset],
  );
  let count = scope === "own" ? Number(rows[0]?.total ?? 0) : project.task_count;
  if (scope === "own" && rows.length === 0 && offset > 0) {
    const [c] = await ctx.em.execute<{ n: string }[]>(`select count(*) as n from tasks t where t.project_id = ? ${own}`, [project.id, ...ownParams]);
    count = Number(c?.n ?? 0);
  }
  const link = (page: number) => `/api/projects/${project.id}/tasks?page=${page}&page_size=${input.page_size}`;
  return {
    ...pageLinks(input.page, input.page_size, count, rows.length, link),
    results: rows.map((r) => ({
      id: Number(r.id),
      data: r.data,
      created_at: new Date(r.created_at).toISOString(),
      annotation_count: Number(r.annotation_count),
      my_annotation: r.my_annotation_id === null ? null : Number(r.my_annotation_id),
      assigned_to_me: { annotate: r.assigned_annotate, review: r.assigned_review },
    })),
  };
}

// ---- Assignments ----

export interface AssignInput {
  id: number;
  task_ids: number[];
  user_ids: number[];
  kind: "annotate" | "review";
}

const pgArray = (ids: readonly number[]) => `{${ids.join(",")}}`;

/**
 * Assign tasks to people (reviewers and above assign annotators; managers and above, in their
 * scope, assign reviewers). Set-based: one INSERT … SELECT for the assignments and one upsert
 * that makes each assignee a project member (`assigned`). Repeating an assignment changes nothing.
 */
export async function assignTasks(ctx: OrgContext, input: AssignInput) {
  const action = input.kind === "annotate" ? "task.assignAnnotators" : "task.assignReviewers";
  const taskIds = [...new Set(input.task_ids)];
  const userIds = [...new Set(input.user_ids)];
  return ctx.em.transactional(async (em) => {
    await projectFor(em, subjectOf(ctx), ctx.organization.id, ctx.user.id, input.id, action);
    const tasks = await em.execute<{ id: string }[]>(`select id from tasks where project_id = ? and id = any(?::bigint[])`, [input.id, pgArray(taskIds)]);
    if (tasks.length !== taskIds.length) {
      const found = new Set(tasks.map((t) => Number(t.id)));
      const missing = taskIds.filter((id) => !found.has(id));
      throw new DomainError("NOT_FOUND", `No task ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""} in this project.`, { field: "task_ids" });
    }
    const members = await em.execute<{ user_id: number; role: Role | null; status: IMembership["status"] }[]>(
      `select user_id, role, status from memberships where organization_id = ? and user_id = any(?::int[])`,
      [ctx.organization.id, pgArray(userIds)],
    );
    const byUser = new Map(members.map((m) => [m.user_id, m]));
    for (const userId of userIds) {
      const m = byUser.get(userId);
      if (!m) throw new DomainError("NOT_FOUND", `User ${userId} is not a member of this organization.`, { field: "user_ids" });
      if (m.status !== "active") throw new DomainError("RULE_REFUSED", `User ${userId} is not an active member; activate them first.`, { field: "user_ids" });
      const needs: Action = input.kind === "annotate" ? "labeling.access" : "review.access";
      const decision = explain({ role: m.role, status: m.status }, needs);
      if (!decision.allowed) {
        throw new DomainError("RULE_REFUSED", `User ${userId} cannot be assigned to ${input.kind === "annotate" ? "label" : "review"} tasks: ${decision.reason}`, { field: "user_ids" });
      }
    }
    const created = await em.execute<{ user_id: number }[]>(
      `insert into task_assignments (organization_id, project_id, task_id, user_id, kind, created_at)
       select ?, ?, t.id, u.id, ?, now()
         from unnest(?::bigint[]) as t(id) cross join unnest(?::int[]) as u(id)
       on conflict (task_id, user_id, kind) do nothing
       returning user_id`,
      [ctx.organization.id, input.id, input.kind, pgArray(taskIds), pgArray(userIds)],
    );
    const members_ = await em.execute<{ user_id: number }[]>(
      `insert into project_members (organization_id, project_id, user_id, direct, assigned, source, created_at)
       select ?, ?, u.id, false, true, 'manual', now() from unnest(?::int[]) as u(id)
       on conflict (project_id, user_id) do update set assigned = true where not project_members.assigned
       returning user_id`,
      [ctx.organization.id, input.id, pgArray(userIds)],
    );
    if (created.length > 0 || members_.length > 0) {
      audit(em, ctx, {
        action,
        targetType: "project",
        targetId: input.id,
        changes: {
          assignments: {
            before: null,
            after: { kind: input.kind, user_ids: userIds, task_count: taskIds.length, created: created.length },
          },
        },
      });
      await em.flush();
    }
    return { created: created.length, project_members_added: members_.length };
  });
}

// ---- Labeling ----

interface AnnotationRow {
  id: string;
  task_id: string;
  project_id: number;
  completed_by_id: number | null;
  result: unknown;
  ground_truth: boolean;
  review_state: "pending" | "accepted" | "rejected";
  reviewed_by_id: number | null;
  review_comment: string | null;
  reviewed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export function annotationView(a: AnnotationRow) {
  return {
    id: Number(a.id),
    task: Number(a.task_id),
    project: a.project_id,
    completed_by: a.completed_by_id,
    result: a.result,
    ground_truth: a.ground_truth,
    review_state: a.review_state,
    reviewed_by: a.reviewed_by_id,
    review_comment: a.review_comment,
    reviewed_at: a.reviewed_at ? new Date(a.reviewed_at).toISOString() : null,
    created_at: new Date(a.created_at).toISOString(),
    updated_at: new Date(a.updated_at).toISOString(),
  };
}

/** A task's project (NOT_FOUND when the task is in no project the caller sees) and the caller's right there. */
async function taskFor(em: EntityManager, ctx: OrgContext, taskId: number, action: Action, lock = false): Promise<{ project: ProjectRow; facts: ProjectFacts }> {
  const [task] = await em.execute<{ project_id: number }[]>(
    `select project_id from tasks where id = ? and organization_id = ?${lock ? " for update" : ""}`,
    [taskId, ctx.organization.id],
  );
  if (!task) throw new DomainError("NOT_FOUND", "Task not found.");
  try {
    return await projectFor(em, subjectOf(ctx), ctx.organization.id, ctx.user.id, task.project_id, action);
  } catch (err) {
    if (err instanceof DomainError && err.code === "NOT_FOUND") throw new DomainError("NOT_FOUND", "Task not found.");
    throw err;
  }
}

/** At most this much of a result goes into the activity log; larger ones are logged by size. */
const LOGGED_RESULT_CHARS = 2_000;
function loggedResult(text: string | null): unknown {
  if (text === null) return null;
  return text.length <= LOGGED_RESULT_CHARS ? (JSON.parse(text) as unknown) : `(${text.length} characters of JSON)`;
}

/**
 * Submit, or update, the caller's annotation of a task (`labeling.access`). Where the project
 * restricts labeling to assigned tasks (the default), the task must be assigned to the caller
 * to annotate. An update of a reviewed annotation returns it to review (`pending`).
 */
export async function submitAnnotation(ctx: OrgContext, taskId: number, result: unknown) {
  const text = JSON.stringify(result);
  if (text === undefined || unstorable(text)) {
    throw new DomainError("INVALID", "result: must be JSON without \\u0000 characters or unpaired surrogates.", { field: "result" });
  }
  return ctx.em.transactional(async (em) => {
    // The task row lock serialises two submissions of the same person on the same task.
    const { project } = await taskFor(em, ctx, taskId, "labeling.access", true);
    const restricted = project.settings?.labeling_restricted_to_assigned !== false;
    if (restricted) {
      const [assigned] = await em.execute<{ ok: number }[]>(
        `select 1 as ok from task_assignments where task_id = ? and user_id = ? and kind = 'annotate'`,
        [taskId, ctx.user.id],
      );
      if (!assigned) {
        throw new DomainError("FORBIDDEN", "This project lets people label only the tasks assigned to them, and this task is not assigned to you.");
      }
    }
    const [existing] = await em.execute<(AnnotationRow & { result_text: string })[]>(
      `select a.*, a.result::text as result_text from annotations a where a.task_id = ? and a.completed_by_id = ? order by a.id limit 1`,
      [taskId, ctx.user.id],
    );
    let row: AnnotationRow | undefined;
    let changes: Changes;
    if (existing) {
      [row] = await em.execute<AnnotationRow[]>(
        `update annotations set result = ?::jsonb, review_state = 'pending', reviewed_by_id = null, review_comment = null, reviewed_at = null, updated_at = now()
          where id = ? returning *`,
        [text, existing.id],
      );
      changes = { result: { before: loggedResult(existing.result_text), after: loggedResult(text) } };
      if (existing.review_state !== "pending") changes.review_state = { before: existing.review_state, after: "pending" };
    } else {
      [row] = await em.execute<AnnotationRow[]>(
        `insert into annotations (organization_id, project_id, task_id, completed_by_id, result, ground_truth, review_state, created_at, updated_at)
         values (?, ?, ?, ?, ?::jsonb, false, 'pending', now(), now()) returning *`,
        [ctx.organization.id, project.id, taskId, ctx.user.id, text],
      );
      changes = { task: { before: null, after: taskId }, result: { before: null, after: loggedResult(text) } };
    }
    audit(em, ctx, { action: existing ? "annotation.update" : "annotation.create", targetType: "annotation", targetId: row!.id, changes });
    await em.flush();
    return annotationView(row!);
  });
}

// ---- Review ----

/** Accept or reject an annotation (`annotation.verify`), with an optional comment. */
export async function reviewAnnotation(ctx: OrgContext, annotationId: number, input: { accepted: boolean; comment?: string }) {
  return ctx.em.transactional(async (em) => {
    const [found] = await em.execute<AnnotationRow[]>(`select * from annotations where id = ? and organization_id = ? for update`, [
      annotationId,
      ctx.organization.id,
    ]);
    if (!found) throw new DomainError("NOT_FOUND", "Annotation not found.");
    try {
      await projectFor(em, subjectOf(ctx), ctx.organization.id, ctx.user.id, found.project_id, "annotation.verify");
    } catch (err) {
      if (err instanceof DomainError && err.code === "NOT_FOUND") throw new DomainError("NOT_FOUND", "Annotation not found.");
      throw err;
    }
    const state = input.accepted ? "accepted" : "rejected";
    const comment = input.comment?.trim() ? input.comment.trim() : null;
    const [row] = await em.execute<AnnotationRow[]>(
      `update annotations set review_state = ?, reviewed_by_id = ?, review_comment = ?, reviewed_at = now() where id = ? returning *`,
      [state, ctx.user.id, comment, annotationId],
    );
    audit(em, ctx, {
      action: "annotation.verify",
      targetType: "annotation",
      targetId: annotationId,
      changes: {
        review_state: { before: found.review_state, after: state },
        ...(comment !== found.review_comment ? { review_comment: { before: found.review_comment, after: comment } } : {}),
      },
    });
    await em.flush();
    return annotationView(row!);
  });
}

// ---- Deleting tasks ----

/**
 * Delete some (or all) tasks of a project, with their annotations and assignments. Whoever may
 * import data into the project may remove it (`data.import`); `task_count` follows.
 */
export async function deleteTasks(ctx: OrgContext, input: { id: number; task_ids?: number[] }) {
  return ctx.em.transactional(async (em) => {
    const { project } = await projectFor(em, subjectOf(ctx), ctx.organization.id, ctx.user.id, input.id, "data.import", true);
    const ids = input.task_ids ? [...new Set(input.task_ids)] : null;
    const [deleted] = await em.execute<{ n: string }[]>(
      ids
        ? `with d as (delete from tasks where project_id = ? and id = any(?::bigint[]) returning 1) select count(*) as n from d`
        : `with d as (delete from tasks where project_id = ? returning 1) select count(*) as n from d`,
      ids ? [input.id, pgArray(ids)] : [input.id],
    );
    const n = Number(deleted?.n ?? 0);
    if (n > 0) {
      await em.execute(`update projects set task_count = greatest(task_count - ?, 0), updated_at = now() where id = ?`, [n, input.id]);
      audit(em, ctx, {
        action: "data.delete",
        targetType: "project",
        targetId: input.id,
        changes: { task_count: { before: project.task_count, after: Math.max(project.task_count - n, 0) } },
      });
      await em.flush();
    }
    return { deleted: n };
  });
}

/** A person as lists show them: a removed member (or a deleted account) is a "deleted user". */
export function personView(id: number | null, email: string | null, name: string | null, isMember: boolean) {
  if (id === null || !isMember || email === null) return { id, email: null, name: DELETED_USER, deleted: true };
  return { id, email, name: name ?? "", deleted: false };
}

/**
 * A task's annotations with who wrote them (`data.view`): reviewers and above see all of them;
 * annotators, where the project allows it, only their own (and only on tasks they may see).
 * A removed member's annotation stays, shown as written by a deleted user.
 */
export async function listAnnotations(ctx: OrgContext, taskId: number) {
  const subject = subjectOf(ctx);
  const { facts } = await taskFor(ctx.em, ctx, taskId, "project.read");
  const scope = workScope(subject, "data.view", facts);
  const me = ctx.user.id;
  const rows = await ctx.em.execute<(AnnotationRow & { name: string | null; email: string | null; is_member: boolean })[]>(
    `select a.*, u.name, u.email, (m.id is not null) as is_member
       from annotations a
       left join users u on u.id = a.completed_by_id
       left join memberships m on m.user_id = a.completed_by_id and m.organization_id = a.organization_id
      where a.task_id = ? and a.organization_id = ? ${scope === "own" ? "and a.completed_by_id = ?" : ""}
      order by a.id`,
    scope === "own" ? [taskId, ctx.organization.id, me] : [taskId, ctx.organization.id],
  );
  if (scope === "own" && rows.length === 0) {
    // Annotators see a task only when it is assigned to them or they annotated it.
    const [assigned] = await ctx.em.execute<{ n: string }[]>(
      `select count(*) as n from task_assignments where task_id = ? and user_id = ? and organization_id = ?`,
      [taskId, me, ctx.organization.id],
    );
    if (Number(assigned?.n ?? 0) === 0) throw new DomainError("NOT_FOUND", "Task not found.");
  }
  return rows.map((r) => ({
    ...annotationView(r),
    author: r.completed_by_id === null ? null : personView(r.completed_by_id, r.email, r.name, r.is_member),
  }));
}
