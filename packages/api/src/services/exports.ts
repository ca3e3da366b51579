// Export: every task of a project with its annotations, as JSON (the import's format, so an
// export imports back) or CSV (one row per task: `id`, the data fields, `annotations` as JSON).
// Streamed: a server-side cursor in one read-only REPEATABLE READ transaction, fetched a few
// hundred tasks at a time and handed out as text chunks only as fast as the consumer takes
// them, so memory stays flat however large the project. PostgreSQL builds each task's JSON.
import { IsolationLevel } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Context } from "../context.js";
import type { IMembership, IOrganization, IUser } from "../db/entities.js";
import { CSV_ANNOTATIONS_COLUMN, CSV_ID_COLUMN } from "./imports.js";
import { projectFor } from "./visibility.js";
import { subjectOf } from "./workspaces.js";

type OrgContext = Context & { organization: IOrganization; membership: IMembership; user: IUser };

export const EXPORT_FORMATS = ["JSON", "CSV"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportStream {
  filename: string;
  contentType: string;
  /** Text chunks; the transaction opens on the first pull and closes when iteration ends or is abandoned. */
  chunks: AsyncIterable<string>;
}

export interface ExportOptions {
  /** Tasks per FETCH. Default 250: small fetches keep few rows alive long enough to reach the old generation. */
  fetchSize?: number;
}

/** Each annotation as exported (and as the import reads it back). */
const ANNOTATIONS_JSON = `coalesce((
  select jsonb_agg(jsonb_build_object(
           'id', a.id, 'result', a.result, 'completed_by', a.completed_by_id, 'ground_truth', a.ground_truth,
           'review_state', a.review_state, 'reviewed_by', a.reviewed_by_id, 'review_comment', a.review_comment,
           'reviewed_at', a.reviewed_at, 'created_at', a.created_at, 'updated_at', a.updated_at) order by a.id)
    from annotations a where a.task_id = t.id), '[]'::jsonb)`;

/** One CSV field: quoted when it holds a comma, a quote, a line break or leading/trailing blanks. */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * The export of a project (`data.export`, checked now, before anything is streamed). The rows
 * are read when `chunks` is iterated.
 */
export async function exportTasks(ctx: OrgContext, projectId: number, format: ExportFormat, opts: ExportOptions = {}): Promise<ExportStream> {
  const { project } = await projectFor(ctx.em, subjectOf(ctx), ctx.organization.id, ctx.user.id, projectId, "data.export");
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const base = `project-${project.id}-tasks-${stamp}`;
  const em = ctx.em.fork() as EntityManager;
  const fetchSize = opts.fetchSize ?? 250;
  return format === "CSV"
    ? { filename: `${base}.csv`, contentType: "text/csv; charset=utf-8", chunks: csvChunks(em, projectId, fetchSize) }
    : { filename: `${base}.json`, contentType: "application/json; charset=utf-8", chunks: jsonChunks(em, projectId, fetchSize) };
}

/** In a read-only snapshot: runs `before`, then declares a cursor over `query()` and yields its fetches. */
async function* withCursor<R>(
  em: EntityManager,
  query: () => { sql: string; params: unknown[] },
  fetchSize: number,
  before?: (em: EntityManager) => Promise<void>,
): AsyncGenerator<R[]> {
  await em.begin({ isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true });
  try {
    if (before) await before(em);
    const { sql, params } = query();
    await em.execute(`declare lattice_export no scroll cursor for ${sql}`, params);
    for (;;) {
      const rows = await em.execute<R[]>(`fetch forward ${Math.max(1, Math.floor(fetchSize))} from lattice_export`);
      if (rows.length === 0) break;
      yield rows;
    }
  } finally {
    // Read-only: nothing to keep. Rolling back also closes the cursor.
    await em.rollback();
  }
}

/**
 * Chunks of at most about 32 K characters: small enough to live and die in V8's young
 * generation (large strings go straight to the old one and wait for a full collection, which
 * makes the process's memory climb with the export's size before it is reclaimed).
 */
const CHUNK_CHARS = 32 * 1024;

async function* jsonChunks(em: EntityManager, projectId: number, fetchSize: number): AsyncGenerator<string> {
  let first = true;
  let out = "[";
  for await (const rows of withCursor<{ task: string }>(
    em,
    () => ({
      sql: `select jsonb_build_object('id', t.id, 'data', t.data, 'annotations', ${ANNOTATIONS_JSON}, 'created_at', t.created_at)::text as task
              from tasks t where t.project_id = ? order by t.id`,
      params: [projectId],
    }),
    fetchSize,
  )) {
    for (const row of rows) {
      out += (first ? "\n" : ",\n") + row.task;
      first = false;
      if (out.length >= CHUNK_CHARS) {
        yield out;
        out = "";
      }
    }
  }
  yield out + (first ? "]\n" : "\n]\n");
}

async function* csvChunks(em: EntityManager, projectId: number, fetchSize: number): AsyncGenerator<string> {
  let columns: string[] = [];
  let values = "";
  const rowsOf = withCursor<Record<string, string | null>>(
    em,
    // Built by `before` once the columns are known (the cursor is declared after it runs).
    () => ({ sql: `select t.id::text as id, v.* from tasks t cross join lateral (select ${values}) v where t.project_id = ? order by t.id`, params: [...columns, projectId] }),
    fetchSize,
    async (tx) => {
      // The header: every data field of the project, in one pass inside the same snapshot.
      const keys = await tx.execute<{ k: string }[]>(
        `select distinct k from tasks t cross join lateral jsonb_object_keys(t.data) as k where t.project_id = ? order by k`,
        [projectId],
      );
      columns = keys.map((r) => r.k).filter((k) => k !== CSV_ID_COLUMN && k !== CSV_ANNOTATIONS_COLUMN);
      // Each field as text: `->>` gives strings as they are and any other value as JSON.
      values = [...columns.map((_, i) => `t.data->>? as c${i}`), `(${ANNOTATIONS_JSON})::text as annotations`].join(", ");
    },
  );
  const names = () => columns.map((_, i) => `c${i}`);
  let out = "";
  let fields: string[] | null = null;
  for await (const rows of rowsOf) {
    if (fields === null) {
      fields = names();
      out = [CSV_ID_COLUMN, ...columns, CSV_ANNOTATIONS_COLUMN].map(csvField).join(",") + "\r\n";
    }
    for (const row of rows) {
      let line = row.id ?? "";
      for (const f of fields) line += "," + csvField(row[f] ?? "");
      out += `${line},${csvField(row.annotations ?? "[]")}\r\n`;
      if (out.length >= CHUNK_CHARS) {
        yield out;
        out = "";
      }
    }
  }
  if (fields === null) out = [CSV_ID_COLUMN, ...columns, CSV_ANNOTATIONS_COLUMN].map(csvField).join(",") + "\r\n";
  if (out.length > 0) yield out;
}
