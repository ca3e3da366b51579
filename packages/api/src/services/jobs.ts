// Background jobs as their requesters follow them (GET /api/jobs/{id}).
import { can } from "@lattice/policy";
import type { Context } from "../context.js";
import type { IMembership, IOrganization, IUser } from "../db/entities.js";
import { DomainError } from "../errors.js";
import type { JobStatus, JobStep } from "../jobs/index.js";
import { subjectOf } from "./workspaces.js";

type OrgContext = Context & { organization: IOrganization; membership: IMembership; user: IUser };

interface JobViewRow {
  id: string;
  kind: string;
  status: JobStatus;
  progress: number;
  steps: JobStep[];
  result_project_id: number | null;
  error: string | null;
  requested_by_id: number | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

/**
 * One job of the caller's organization. Only its requester and those who may read any job
 * (administrators, the owner) see it; for everyone else it does not exist (NOT_FOUND).
 */
export async function getJob(ctx: OrgContext, id: string) {
  const [row] = await ctx.em.execute<JobViewRow[]>(
    `select id, kind, status, progress, steps, result_project_id, error, requested_by_id, created_at, started_at, finished_at
       from jobs where id = ? and organization_id = ?`,
    [id, ctx.organization.id],
  );
  if (!row || !can(subjectOf(ctx), "job.read", { requestedByMe: row.requested_by_id === ctx.user.id })) {
    throw new DomainError("NOT_FOUND", "Job not found.");
  }
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    progress: row.progress,
    steps: row.steps.map((s) => ({ step: s.step, rows: s.rows, at: s.at })),
    ...(row.result_project_id !== null ? { project_id: row.result_project_id } : {}),
    ...(row.error !== null ? { error: row.error } : {}),
    created_at: new Date(row.created_at).toISOString(),
    started_at: row.started_at ? new Date(row.started_at).toISOString() : null,
    finished_at: row.finished_at ? new Date(row.finished_at).toISOString() : null,
  };
}
