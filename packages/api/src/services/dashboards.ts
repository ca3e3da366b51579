// Dashboards: what happens and when, at the scope Table 3 gives each role (`dashboard.view`,
// `dashboardScope`, `dashboardRule`), and the annotator dashboard (`annotatorDashboard.view`).
//
// Agreement: on tasks with two or more annotations, the share of annotation pairs whose results
// are identical (jsonb equality). Computed in one pass with window counts: on a task with n
// annotations of which g share a given result, each of those g annotations is in n−1 pairs, g−1
// of them agreeing; summing per annotation gives each annotator's pairs, and halving the sums
// over a project gives the project's pairs (each pair has two sides).
import {
  PROJECT_FACTS,
  WORKSPACE_FACTS,
  can,
  dashboardRule,
  explain,
  projectReadRule,
  type DashboardScope,
  type DashboardTarget,
  type ProjectFacts,
  type WorkspaceFacts,
} from "@lattice/policy";
import type { Context } from "../context.js";
import type { IMembership, IOrganization, IUser } from "../db/entities.js";
import { DomainError } from "../errors.js";
import { personView } from "./tasks.js";
import { projectFor, projectRuleFor, projectRuleSql, workspaceFor, type Sql } from "./visibility.js";
import { subjectOf } from "./workspaces.js";

type OrgContext = Context & { organization: IOrganization; membership: IMembership; user: IUser };

export interface SummaryInput {
  scope: DashboardScope;
  id?: number;
  /** How many days (UTC, ending today) the per-day series covers. */
  days: number;
}

const NO_PROJECT_FACTS = Object.fromEntries(PROJECT_FACTS.map((f) => [f, false])) as unknown as ProjectFacts;
const NO_WORKSPACE_FACTS = Object.fromEntries(WORKSPACE_FACTS.map((f) => [f, false])) as unknown as WorkspaceFacts;

/** A dashboard of `scope` in general (no particular project or workspace), to ask the policy why it is beyond a role. */
function anyDashboard(scope: DashboardScope): DashboardTarget {
  if (scope === "project") return { scope, project: NO_PROJECT_FACTS };
  if (scope === "workspace") return { scope, workspace: NO_WORKSPACE_FACTS };
  return { scope };
}

/**
 * The projects a summary covers, as SQL over `p` (projects) joined to `w` (workspaces), after
 * the scope check: NOT_FOUND for a project or workspace the caller does not see, FORBIDDEN
 * (with the policy's reason) for a scope beyond their role, or one they see but whose
 * dashboard is not theirs. Through an API token, only projects the token reaches count.
 *
 * - `own`: the caller's own work, in projects they see.
 * - `project` with `id`: that project. `workspace` with `id`: the projects of that workspace.
 * - `project` or `workspace` without `id`: every project whose dashboard the caller may see
 *   (for managers, their workspaces' projects and the projects they were invited to).
 * - `organization`: every project the caller sees.
 */
async function scopeProjects(ctx: OrgContext, input: Omit<SummaryInput, "days">): Promise<Sql> {
  const subject = subjectOf(ctx);
  const role = ctx.membership.role!;
  const org = ctx.organization.id;
  const me = ctx.user.id;
  // A scope whose rule admits nothing is beyond the role, whatever the dashboard.
  if (dashboardRule(role, input.scope).length === 0) {
    throw new DomainError("FORBIDDEN", explain(subject, "dashboard.view", anyDashboard(input.scope)).reason);
  }
  const visible = projectRuleSql(projectRuleFor(subject, projectReadRule(role)), me);
  if (input.scope === "project" && input.id !== undefined) {
    const { facts } = await projectFor(ctx.em, subject, org, me, input.id, "project.read");
    const decision = explain(subject, "dashboard.view", { scope: "project", project: facts });
    if (!decision.allowed) throw new DomainError("FORBIDDEN", decision.reason);
    return { sql: "p.id = ?", params: [input.id] };
  }
  if (input.scope === "workspace" && input.id !== undefined) {
    const { facts } = await workspaceFor(ctx.em, subject, org, me, input.id, "workspace.read");
    const decision = explain(subject, "dashboard.view", { scope: "workspace", workspace: facts });
    if (!decision.allowed) throw new DomainError("FORBIDDEN", decision.reason);
    return { sql: `p.workspace_id = ? and (${visible.sql})`, params: [input.id, ...visible.params] };
  }
  if (input.scope === "project" || input.scope === "workspace") return projectRuleSql(projectRuleFor(subject, dashboardRule(role, "project")), me);
  if (input.id !== undefined) throw new DomainError("INVALID", `id: only a project or workspace dashboard takes an id.`, { field: "id" });
  return visible;
}

interface StatRow {
  gp: number;
  gu: number;
  project_id: number | null;
  completed_by_id: number | null;
  annotations: string;
  accepted: string;
  rejected: string;
  pending: string;
  pair_sides: string;
  agree_sides: string;
  title: string | null;
  email: string | null;
  name: string | null;
  is_member: boolean | null;
}

const share = (agree: number, pairs: number) => (pairs > 0 ? agree / pairs : null);

interface SeriesRow {
  date: string;
  tasks: string;
  annotations: string;
  accepted: string;
  rejected: string;
}

/**
 * The summary: tasks, annotations (accepted, rejected, pending), per-annotator counts,
 * agreement per project and per annotator (omitted for roles that may not monitor agreement),
 * and a per-day series over the last `days` days. Four queries whatever the scope.
 */
export async function dashboardSummary(ctx: OrgContext, input: SummaryInput) {
  const subject = subjectOf(ctx);
  const org = ctx.organization.id;
  const me = ctx.user.id;
  const projects = await scopeProjects(ctx, input);
  const own = input.scope === "own";
  const scopeCte = `scope as (
      select p.id, p.title, p.task_count from projects p join workspaces w on w.id = p.workspace_id
       where p.organization_id = ? and (${projects.sql}))`;
  const scopeParams = [org, ...projects.params];

  const [counts] = await ctx.em.execute<{ projects: string; tasks: string }[]>(
    own
      ? `with ${scopeCte}
         select (select count(*) from scope) as projects,
                (select count(*) from tasks t join scope s on s.id = t.project_id
                  where t.id in (select ta.task_id from task_assignments ta where ta.organization_id = ? and ta.user_id = ?)
                     or t.id in (select a.task_id from annotations a where a.organization_id = ? and a.completed_by_id = ?)) as tasks`
      : `with ${scopeCte} select count(*) as projects, coalesce(sum(task_count), 0) as tasks from scope`,
    own ? [...scopeParams, org, me, org, me] : scopeParams,
  );

  // Own scope: only tasks the caller annotated matter, but agreement needs everyone's annotations on them.
  const ownTasks = own ? "and a.task_id in (select x.task_id from annotations x where x.organization_id = ? and x.completed_by_id = ?)" : "";
  const rows = await ctx.em.execute<StatRow[]>(
    `with ${scopeCte},
     a as (
       select a.project_id, a.completed_by_id, a.review_state,
              count(*) over (partition by a.task_id) as n,
              count(*) over (partition by a.task_id, a.result) as g
         from annotations a join scope s on s.id = a.project_id
        where a.organization_id = ? ${ownTasks}
     ),
     stats as (
       select grouping(project_id) as gp, grouping(completed_by_id) as gu, project_id, completed_by_id,
              count(*) as annotations,
              count(*) filter (where review_state = 'accepted') as accepted,
              count(*) filter (where review_state = 'rejected') as rejected,
              count(*) filter (where review_state = 'pending') as pending,
              coalesce(sum(n - 1) filter (where n >= 2), 0) as pair_sides,
              coalesce(sum(g - 1) filter (where n >= 2), 0) as agree_sides
         from a ${own ? "where completed_by_id = ?" : ""}
        group by grouping sets ((project_id), (completed_by_id), ())
     )
     select st.*, s.title, u.email, u.name, m.id is not null as is_member
       from stats st
       left join scope s on st.gp = 0 and s.id = st.project_id
       left join users u on st.gu = 0 and u.id = st.completed_by_id
       left join memberships m on st.gu = 0 and m.organization_id = ? and m.user_id = st.completed_by_id
      order by st.gp, st.gu, st.project_id, st.completed_by_id`,
    [...scopeParams, org, ...(own ? [org, me, me] : []), org],
  );

  // Per day (UTC) over the period, in the same scope as the totals: tasks created, annotations
  // submitted, and reviews by the day they were made (reviewed_at) and their outcome. One query:
  // the days left-joined to three grouped counts, so a day without activity is a row of zeros.
  const ownTaskFilter = own
    ? `and (t.id in (select ta.task_id from task_assignments ta where ta.organization_id = ? and ta.user_id = ?)
            or t.id in (select x.task_id from annotations x where x.organization_id = ? and x.completed_by_id = ?))`
    : "";
  const ownAnnotationFilter = own ? "and a.completed_by_id = ?" : "";
  const series = await ctx.em.execute<SeriesRow[]>(
    `with ${scopeCte},
     period as (
       select d.first, d.last, d.first::timestamp at time zone 'utc' as since
         from (select (now() at time zone 'utc')::date - (?::int - 1) as first, (now() at time zone 'utc')::date as last) d
     ),
     days as (select g::date as day from period, generate_series(period.first, period.last, interval '1 day') as g),
     created as (
       select (t.created_at at time zone 'utc')::date as day, count(*) as tasks
         from tasks t join scope s on s.id = t.project_id cross join period
        where t.organization_id = ? and t.created_at >= period.since ${ownTaskFilter}
        group by 1
     ),
     submitted as (
       select (a.created_at at time zone 'utc')::date as day, count(*) as annotations
         from annotations a join scope s on s.id = a.project_id cross join period
        where a.organization_id = ? and a.created_at >= period.since ${ownAnnotationFilter}
        group by 1
     ),
     reviewed as (
       select (a.reviewed_at at time zone 'utc')::date as day,
              count(*) filter (where a.review_state = 'accepted') as accepted,
              count(*) filter (where a.review_state = 'rejected') as rejected
         from annotations a join scope s on s.id = a.project_id cross join period
        where a.organization_id = ? and a.reviewed_at >= period.since ${ownAnnotationFilter}
        group by 1
     )
     select to_char(days.day, 'YYYY-MM-DD') as date,
            coalesce(c.tasks, 0) as tasks, coalesce(sb.annotations, 0) as annotations,
            coalesce(r.accepted, 0) as accepted, coalesce(r.rejected, 0) as rejected
       from days
       left join created c on c.day = days.day
       left join submitted sb on sb.day = days.day
       left join reviewed r on r.day = days.day
      order by days.day`,
    [
      ...scopeParams,
      input.days,
      org,
      ...(own ? [org, me, org, me] : []),
      org,
      ...(own ? [me] : []),
      org,
      ...(own ? [me] : []),
    ],
  );

  // Each pair has two sides, except in the own scope, where only the caller's side is counted.
  const pairsOf = (r: StatRow) => (own ? Number(r.pair_sides) : Number(r.pair_sides) / 2);
  const agreeOf = (r: StatRow) => (own ? Number(r.agree_sides) : Number(r.agree_sides) / 2);
  const total = rows.find((r) => r.gp === 1 && r.gu === 1);
  const byProject = rows.filter((r) => r.gp === 0);
  const byAnnotator = rows.filter((r) => r.gu === 0 && r.completed_by_id !== null);
  const mayMonitor = can(subject, "agreement.monitor");
  return {
    scope: input.scope,
    id: input.id ?? null,
    projects: Number(counts?.projects ?? 0),
    tasks: Number(counts?.tasks ?? 0),
    annotations: Number(total?.annotations ?? 0),
    accepted: Number(total?.accepted ?? 0),
    rejected: Number(total?.rejected ?? 0),
    pending: Number(total?.pending ?? 0),
    per_project: byProject.map((r) => ({
      project: { id: r.project_id!, title: r.title ?? "" },
      annotations: Number(r.annotations),
      accepted: Number(r.accepted),
      rejected: Number(r.rejected),
      pending: Number(r.pending),
      agreement: mayMonitor ? share(agreeOf(r), pairsOf(r)) : null,
      pairs: mayMonitor ? pairsOf(r) : null,
    })),
    per_annotator: byAnnotator.map((r) => ({
      user: personView(r.completed_by_id, r.email, r.name, r.is_member === true),
      annotations: Number(r.annotations),
      accepted: Number(r.accepted),
      rejected: Number(r.rejected),
      pending: Number(r.pending),
      agreement: mayMonitor ? share(Number(r.agree_sides), Number(r.pair_sides)) : null,
      pairs: mayMonitor ? Number(r.pair_sides) : null,
    })),
    agreement: mayMonitor && total ? share(agreeOf(total), pairsOf(total)) : null,
    pairs: mayMonitor && total ? pairsOf(total) : null,
    days: input.days,
    series: series.map((d) => ({
      date: d.date,
      tasks: Number(d.tasks),
      annotations: Number(d.annotations),
      accepted: Number(d.accepted),
      rejected: Number(d.rejected),
    })),
  };
}

/**
 * The annotator dashboard: the caller's own counts and acceptance rate (accepted out of
 * reviewed), in total and per day over the last `days` days (UTC), days without work included.
 */
export async function annotatorDashboard(ctx: OrgContext, input: { days: number }) {
  const org = ctx.organization.id;
  const me = ctx.user.id;
  const [totals] = await ctx.em.execute<{ assigned: string; annotations: string; accepted: string; rejected: string; pending: string }[]>(
    `select (select count(*) from task_assignments ta where ta.organization_id = ? and ta.user_id = ? and ta.kind = 'annotate') as assigned,
            count(*) as annotations,
            count(*) filter (where review_state = 'accepted') as accepted,
            count(*) filter (where review_state = 'rejected') as rejected,
            count(*) filter (where review_state = 'pending') as pending
       from annotations where organization_id = ? and completed_by_id = ?`,
    [org, me, org, me],
  );
  const series = await ctx.em.execute<{ day: string; annotations: string; accepted: string; rejected: string }[]>(
    `with days as (
       select d::date as day from generate_series((now() at time zone 'utc')::date - (?::int - 1), (now() at time zone 'utc')::date, interval '1 day') as d
     ),
     mine as (
       select (created_at at time zone 'utc')::date as day, review_state from annotations
        where organization_id = ? and completed_by_id = ?
          and created_at >= ((now() at time zone 'utc')::date - (?::int - 1))::timestamp at time zone 'utc'
     )
     select to_char(days.day, 'YYYY-MM-DD') as day, count(mine.day) as annotations,
            count(*) filter (where mine.review_state = 'accepted') as accepted,
            count(*) filter (where mine.review_state = 'rejected') as rejected
       from days left join mine on mine.day = days.day
      group by days.day order by days.day`,
    [input.days, org, me, input.days],
  );
  const accepted = Number(totals?.accepted ?? 0);
  const rejected = Number(totals?.rejected ?? 0);
  return {
    tasks_assigned: Number(totals?.assigned ?? 0),
    annotations: Number(totals?.annotations ?? 0),
    accepted,
    rejected,
    pending: Number(totals?.pending ?? 0),
    acceptance_rate: share(accepted, accepted + rejected),
    series: series.map((s) => {
      const a = Number(s.accepted);
      const r = Number(s.rejected);
      return { date: s.day, annotations: Number(s.annotations), accepted: a, rejected: r, acceptance_rate: share(a, a + r) };
    }),
  };
}
