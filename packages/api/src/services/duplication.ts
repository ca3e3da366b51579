// Project duplication. The server checks the request, records a `jobs` row and queues it in one
// transaction (requestDuplication); the worker copies in one transaction of set-based SQL
// (runDuplication): the project row, an old → new task id mapping built by one INSERT … SELECT
// over nextval, then INSERT … SELECT of tasks and of annotations joined through the mapping.
// Nothing is copied row by row, and nothing of the copy is visible before its commit.
//
// Copied: title (new), description (new or the source's), label configuration, settings; with
// data, every task (`data`, `created_at`); with annotations, every annotation (result, author,
// `created_at`, ground-truth flag, raised to true for all when `ground_truth` is asked).
// Not copied: the pin, project members, task assignments, reviews (copies are `pending`, with no
// reviewer or comment) and the activity log.
import { randomUUID } from "node:crypto";
import type { QueryResult } from "@mikro-orm/postgresql";
import { z } from "zod";
import type { Context } from "../context.js";
import type { IMembership, IOrganization, IUser } from "../db/entities.js";
import { Job } from "../db/entities.js";
import type { Orm } from "../db/orm.js";
import { DomainError } from "../errors.js";
import { enqueueInTransaction, runJobAttempt, type AttemptOutcome, type AttemptWork } from "../jobs/index.js";
import { audit } from "./audit.js";
import { projectFor, workspaceFor } from "./visibility.js";
import { ownSandboxId, subjectOf } from "./workspaces.js";

type OrgContext = Context & { organization: IOrganization; membership: IMembership; user: IUser };

export const DUPLICATE_KIND = "project.duplicate";
export const DUPLICATE_MODES = ["settings", "settings,data", "settings,data,annotations"] as const;
export type DuplicateMode = (typeof DUPLICATE_MODES)[number];

export const DUPLICATE_TITLE_MIN = 3;
export const DUPLICATE_TITLE_MAX = 50;

/**
 * pg-boss delivers a duplication up to 1 + retryLimit times; at most DUPLICATE_MAX_ATTEMPTS of
 * them run the copy (the others find it done, or find another attempt holding it). The expiry
 * is only a safety net: a dead worker's job is retried by the sweep within seconds.
 */
export const DUPLICATE_SEND_OPTIONS = { retryLimit: 5, retryDelay: 2, expireInSeconds: 4 * 60 * 60 } as const;
export const DUPLICATE_MAX_ATTEMPTS = 3;

/** Tasks per INSERT … SELECT: each chunk of tasks (then their annotations) reports progress. */
export const DEFAULT_CHUNK_TASKS = 25_000;
const MAX_BIGINT = "9223372036854775807";

/** What the `jobs` row keeps of the request (`params`). */
export const duplicateParamsSchema = z.object({
  source_project_id: z.number().int(),
  workspace_id: z.number().int(),
  title: z.string(),
  description: z.string().nullable(),
  mode: z.enum(DUPLICATE_MODES),
  ground_truth: z.boolean(),
});
export type DuplicateParams = z.infer<typeof duplicateParamsSchema>;

export interface DuplicateInput {
  /** The source project. */
  id: number;
  mode: DuplicateMode;
  title: string;
  /** The destination; the caller's own sandbox when absent. */
  workspace?: number;
  /** The copy's description; the source's when absent. */
  description?: string;
  /** Mark every copied annotation as ground truth (mode "settings,data,annotations" only). */
  ground_truth?: boolean;
}

/** The refusals of bad input that zod does not express (the same rules, for callers without zod). */
export function checkDuplicateInput(input: DuplicateInput): void {
  if (!(DUPLICATE_MODES as readonly string[]).includes(input.mode)) {
    throw new DomainError("INVALID", `mode: must be one of ${DUPLICATE_MODES.map((m) => `"${m}"`).join(", ")}`, { field: "mode" });
  }
  const title = input.title.trim();
  if (title.length < DUPLICATE_TITLE_MIN || title.length > DUPLICATE_TITLE_MAX) {
    throw new DomainError("INVALID", `title: must be ${DUPLICATE_TITLE_MIN} to ${DUPLICATE_TITLE_MAX} characters`, { field: "title" });
  }
  if (input.ground_truth && input.mode !== "settings,data,annotations") {
    throw new DomainError("INVALID", `ground_truth: applies only to mode "settings,data,annotations"`, { field: "ground_truth" });
  }
}

/**
 * Check the caller's rights on the source (`project.duplicate`) and on the destination
 * (`project.create`), then record the job, its activity-log row and its pg-boss job in one
 * transaction. Returns at once with the job id; the worker does the copy.
 */
export async function requestDuplication(ctx: OrgContext, input: DuplicateInput): Promise<{ job_id: string }> {
  checkDuplicateInput(input);
  return ctx.em.transactional(async (em) => {
    const subject = subjectOf(ctx);
    const organizationId = ctx.organization.id;
    const { project } = await projectFor(em, subject, organizationId, ctx.user.id, input.id, "project.duplicate");
    const workspaceId = input.workspace ?? (await ownSandboxId(em, organizationId, ctx.user.id));
    await workspaceFor(em, subject, organizationId, ctx.user.id, workspaceId, "project.create");
    const params: DuplicateParams = {
      source_project_id: project.id,
      workspace_id: workspaceId,
      title: input.title.trim(),
      description: input.description ?? null,
      mode: input.mode,
      ground_truth: input.ground_truth ?? false,
    };
    const jobId = randomUUID();
    em.create(Job, {
      id: jobId,
      organization: organizationId,
      requestedBy: ctx.user.id,
      kind: DUPLICATE_KIND,
      status: "queued",
      progress: 0,
      steps: [],
      params,
      attempts: 0,
    });
    audit(em, ctx, {
      action: "project.duplicate",
      targetType: "project",
      targetId: project.id,
      changes: {
        job: { before: null, after: jobId },
        mode: { before: null, after: input.mode },
        title: { before: project.title, after: params.title },
        workspace: { before: project.workspace_id, after: workspaceId },
      },
    });
    await em.flush();
    await enqueueInTransaction(em, DUPLICATE_KIND, { jobId }, { id: jobId, ...DUPLICATE_SEND_OPTIONS });
    return { job_id: jobId };
  });
}

export interface RunDuplicationOptions {
  /** Tasks per INSERT … SELECT chunk. */
  chunkTasks?: number;
  /** Told every error that ends an attempt (the job row keeps a short message only). */
  onError?: (err: unknown) => void;
}

/**
 * One attempt at duplication job `jobId` (the worker's handler). Idempotent: a job that already
 * succeeded is not copied again; see jobs/attempts.ts for the locking and retry protocol.
 */
export function runDuplication(orm: Orm, jobId: string, opts: RunDuplicationOptions = {}): Promise<AttemptOutcome> {
  return runJobAttempt(orm, jobId, DUPLICATE_KIND, (attempt) => copyProject(attempt, opts.chunkTasks ?? DEFAULT_CHUNK_TASKS), {
    maxAttempts: DUPLICATE_MAX_ATTEMPTS,
    onError: opts.onError,
  });
}

async function copyProject({ em, job, report }: AttemptWork, chunkTasks: number): Promise<{ resultProjectId: number }> {
  const parsed = duplicateParamsSchema.safeParse(job.params);
  if (!parsed.success) throw new DomainError("INVALID", "This duplication job has no valid parameters.");
  const p = parsed.data;
  const orgId = job.organization_id;
  const requesterId = job.requested_by_id;

  // The requester's rights as they are now (a role may have changed since the request).
  const [member] = requesterId === null
    ? []
    : await em.execute<{ role: IMembership["role"]; status: IMembership["status"] }[]>(
        `select role, status from memberships where organization_id = ? and user_id = ?`,
        [orgId, requesterId],
      );
  if (!member || requesterId === null) throw new DomainError("FORBIDDEN", "The person who asked for this copy is no longer a member of the organization.");
  const subject = { role: member.role ?? null, status: member.status };
  if (subject.status !== "active") throw new DomainError("FORBIDDEN", "The person who asked for this copy is no longer an active member.");
  await projectFor(em, subject, orgId, requesterId, p.source_project_id, "project.duplicate");
  await workspaceFor(em, subject, orgId, requesterId, p.workspace_id, "project.create");
  // Nobody deletes the source while it is being copied (edits of its title or settings may go on).
  await em.execute(`select id from projects where id = ? for key share`, [p.source_project_id]);

  const withData = p.mode !== "settings";
  const withAnnotations = p.mode === "settings,data,annotations";
  let totalTasks = 0;
  let totalAnnotations = 0;
  if (withData) {
    const [counts] = await em.execute<{ tasks: string; annotations: string | null }[]>(
      `select (select count(*) from tasks where project_id = ?) as tasks,
              case when ? then (select count(*) from annotations where project_id = ?) end as annotations`,
      [p.source_project_id, withAnnotations, p.source_project_id],
    );
    totalTasks = Number(counts?.tasks ?? 0);
    totalAnnotations = Number(counts?.annotations ?? 0);
  }
  const totalUnits = 1 + totalTasks + totalAnnotations;
  let doneUnits = 0;
  const progress = () => doneUnits / totalUnits;

  const [created] = await em.execute<{ id: number }[]>(
    `insert into projects (organization_id, workspace_id, title, description, label_config, settings, created_by_id, pinned_at, pinned_by_id, task_count, created_at, updated_at)
     select organization_id, ?, ?, coalesce(?, description), label_config, settings, ?, null, null, 0, now(), now()
       from projects where id = ? and organization_id = ?
     returning id`,
    [p.workspace_id, p.title, p.description, requesterId, p.source_project_id, orgId],
  );
  if (!created) throw new DomainError("NOT_FOUND", "The project to copy no longer exists.");
  const newId = created.id;
  doneUnits += 1;
  await report("project", 1, progress());

  let copiedTasks = 0;
  let copiedAnnotations = 0;
  if (withData) {
    // old → new task ids, drawn from the tasks' own sequence (after the sort: in the old ids' order).
    const [sequence] = await em.execute<{ name: string }[]>(`select pg_get_serial_sequence('tasks', 'id') as name`);
    await em.execute(`create temporary table duplicate_task_map (old_id bigint not null, new_id bigint not null) on commit drop`);
    const mapped = await em.execute<QueryResult>(
      `insert into duplicate_task_map (old_id, new_id) select id, nextval(?::regclass) from tasks where project_id = ? order by id`,
      [sequence!.name, p.source_project_id],
      "run",
    );
    await em.execute(`analyze duplicate_task_map`);
    await report("task_map", mapped.affectedRows, progress());
    // Chunks of `chunkTasks` tasks by old id, (low, high]; the last one open-ended.
    const splits = await em.execute<{ old_id: string }[]>(
      `select old_id from (select old_id, row_number() over (order by old_id) as n from duplicate_task_map) m where n % ? = 0 order by old_id`,
      [chunkTasks],
    );
    const bounds = [...splits.map((r) => r.old_id), MAX_BIGINT];
    let low = "0";
    for (const high of bounds) {
      const tasks = await em.execute<QueryResult>(
        `insert into tasks (id, organization_id, project_id, data, created_at)
         select m.new_id, t.organization_id, ?, t.data, t.created_at
           from tasks t join duplicate_task_map m on m.old_id = t.id
          where t.project_id = ? and t.id > ? and t.id <= ? and m.old_id > ? and m.old_id <= ?`,
        [newId, p.source_project_id, low, high, low, high],
        "run",
      );
      copiedTasks += tasks.affectedRows;
      doneUnits += tasks.affectedRows;
      await report("tasks", copiedTasks, progress());
      if (withAnnotations) {
        const annotations = await em.execute<QueryResult>(
          `insert into annotations (organization_id, project_id, task_id, completed_by_id, result, ground_truth, review_state,
                                    reviewed_by_id, review_comment, reviewed_at, created_at, updated_at)
           select a.organization_id, ?, m.new_id, a.completed_by_id, a.result, a.ground_truth or ?, 'pending',
                  null, null, null, a.created_at, now()
             from annotations a join duplicate_task_map m on m.old_id = a.task_id
            where a.project_id = ? and a.task_id > ? and a.task_id <= ? and m.old_id > ? and m.old_id <= ?`,
          [newId, p.ground_truth, p.source_project_id, low, high, low, high],
          "run",
        );
        copiedAnnotations += annotations.affectedRows;
        doneUnits += annotations.affectedRows;
        await report("annotations", copiedAnnotations, progress());
      }
      low = high;
    }
    await em.execute(`update projects set task_count = ? where id = ?`, [copiedTasks, newId]);
  }

  await em.execute(
    `insert into activity_logs (organization_id, actor_id, action, target_type, target_id, changes, method, path, ip, created_at)
     values (?, ?, 'project.duplicate.complete', 'project', ?, ?::jsonb, '', '', '', clock_timestamp())`,
    [
      orgId,
      requesterId,
      String(newId),
      JSON.stringify({
        job: { before: null, after: job.id },
        source: { before: null, after: p.source_project_id },
        title: { before: null, after: p.title },
        workspace: { before: null, after: p.workspace_id },
        mode: { before: null, after: p.mode },
        ...(withData ? { tasks: { before: null, after: copiedTasks } } : {}),
        ...(withAnnotations ? { annotations: { before: null, after: copiedAnnotations } } : {}),
      }),
    ],
  );
  return { resultProjectId: newId };
}
