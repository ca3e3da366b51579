// The system-wide activity log (administrators and the owner: `activityLog.view`): one page of
// the organization's rows, newest first, filtered, in one query on the (organization_id,
// created_at) or (organization_id, actor_id, created_at) index. Someone no longer a member is
// shown as a "deleted user".
import type { Context } from "../context.js";
import type { IMembership, IOrganization, IUser } from "../db/entities.js";
import { personView } from "./tasks.js";
import { pageLinks, pageTotal } from "./paging.js";
import { containsPattern } from "./sql.js";

type OrgContext = Context & { organization: IOrganization; membership: IMembership; user: IUser };

export interface ActivityInput {
  user?: number;
  project?: number;
  workspace?: number;
  method?: string;
  /** Inclusive. */
  start?: Date;
  /** Exclusive. */
  end?: Date;
  search?: string;
  page: number;
  page_size: number;
}

interface LogRow {
  id: string;
  created_at: Date;
  actor_id: number | null;
  action: string;
  target_type: string;
  target_id: string | null;
  changes: Record<string, { before: unknown; after: unknown }> | null;
  method: string;
  path: string;
  ip: string;
  email: string | null;
  name: string | null;
  is_member: boolean;
}

/** The annotation a row is about, when its target is one (target ids are text). */
const TARGET_ANNOTATION = `(select a.project_id from annotations a
   where l.target_type = 'annotation' and a.id = (case when l.target_id ~ '^[0-9]{1,18}$' then l.target_id::bigint end))`;

export async function listActivity(ctx: OrgContext, input: ActivityInput, basePath = "/api/activity-logs/") {
  const where = ["l.organization_id = ?"];
  const params: unknown[] = [ctx.organization.id];
  if (input.user !== undefined) {
    where.push("l.actor_id = ?");
    params.push(input.user);
  }
  if (input.method) {
    where.push("l.method = ?");
    params.push(input.method.toUpperCase());
  }
  if (input.start) {
    where.push("l.created_at >= ?");
    params.push(input.start);
  }
  if (input.end) {
    where.push("l.created_at < ?");
    params.push(input.end);
  }
  if (input.project !== undefined) {
    // The project itself, or an annotation in it.
    where.push(`((l.target_type = 'project' and l.target_id = ?) or ${TARGET_ANNOTATION} = ?)`);
    params.push(String(input.project), input.project);
  }
  if (input.workspace !== undefined) {
    // The workspace itself, one of its projects, or an annotation in one of them.
    where.push(`((l.target_type = 'workspace' and l.target_id = ?)
      or (l.target_type = 'project' and l.target_id in (select p.id::text from projects p where p.organization_id = ? and p.workspace_id = ?))
      or ${TARGET_ANNOTATION} in (select p.id from projects p where p.organization_id = ? and p.workspace_id = ?))`);
    params.push(String(input.workspace), ctx.organization.id, input.workspace, ctx.organization.id, input.workspace);
  }
  if (input.search) {
    const like = containsPattern(input.search);
    // People are found by name or email only while they are members.
    where.push(`(l.action ilike ? or l.target_type ilike ? or l.path ilike ? or (m.id is not null and (u.email ilike ? or u.name ilike ?)))`);
    params.push(like, like, like, like, like);
  }
  const offset = (input.page - 1) * input.page_size;
  const from = `from activity_logs l
       left join users u on u.id = l.actor_id
       left join memberships m on m.organization_id = l.organization_id and m.user_id = l.actor_id
      where ${where.join(" and ")}`;
  const rows = await ctx.em.execute<LogRow[]>(
    `select l.id, l.created_at, l.actor_id, l.action, l.target_type, l.target_id, l.changes, l.method, l.path, l.ip,
            u.email, u.name, m.id is not null as is_member
       ${from}
      order by l.created_at desc, l.id desc
      limit ? offset ?`,
    [...params, input.page_size, offset],
  );
  const count = await pageTotal(offset, input.page_size, rows.length, async () => {
    const [c] = await ctx.em.execute<{ n: string }[]>(`select count(*) as n ${from}`, params);
    return Number(c?.n ?? 0);
  });
  const link = (page: number) => {
    const q = new URLSearchParams();
    if (input.user !== undefined) q.set("user", String(input.user));
    if (input.project !== undefined) q.set("project", String(input.project));
    if (input.workspace !== undefined) q.set("workspace", String(input.workspace));
    if (input.method) q.set("method", input.method);
    if (input.start) q.set("start_date", input.start.toISOString());
    if (input.end) q.set("end_date", input.end.toISOString());
    if (input.search) q.set("search", input.search);
    q.set("page", String(page));
    q.set("page_size", String(input.page_size));
    return `${basePath}?${q.toString()}`;
  };
  return {
    ...pageLinks(input.page, input.page_size, count, rows.length, link),
    results: rows.map((r) => ({
      id: Number(r.id),
      created_at: new Date(r.created_at).toISOString(),
      user: r.actor_id === null ? null : personView(r.actor_id, r.email, r.name, r.is_member),
      action: r.action,
      target_type: r.target_type,
      target_id: r.target_id,
      changes: r.changes,
      method: r.method,
      path: r.path,
      ip: r.ip,
    })),
  };
}
