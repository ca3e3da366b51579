// Import: a JSON array of tasks `{data, annotations?: [{result, completed_by?, ground_truth?}]}`
// or a CSV file (one task per row, columns become `data` fields), read from a stream and
// parsed incrementally, inserted in set-based batches (one INSERT … SELECT FROM
// jsonb_array_elements / jsonb_to_recordset statement per batch for tasks and annotations
// together), all in one transaction: a refused row anywhere refuses the whole import.
import { JSONParser } from "@streamparser/json";
import type { EntityManager, Knex } from "@mikro-orm/postgresql";
import { parse as parseCsv, type CsvError } from "csv-parse";
import { Readable } from "node:stream";
import type { Context } from "../context.js";
import type { IMembership, IOrganization, IUser } from "../db/entities.js";
import { DomainError } from "../errors.js";
import { audit } from "./audit.js";
import { projectFor } from "./visibility.js";
import { subjectOf } from "./workspaces.js";

type OrgContext = Context & { organization: IOrganization; membership: IMembership; user: IUser };

export const IMPORT_FORMATS = ["json", "csv"] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** Anything the request body can be read as: a Node stream, chunks, strings. */
export type ByteSource = AsyncIterable<Uint8Array | string>;

export interface ImportOptions {
  /** Refuse bodies larger than this (bytes). Default 1 GiB. */
  maxBytes?: number;
  /** Tasks per INSERT statement. Default 2,000. */
  batchTasks?: number;
}

export interface ImportResult {
  task_count: number;
  annotation_count: number;
}

const DEFAULT_MAX_BYTES = 1024 * 1024 * 1024;
const DEFAULT_BATCH_TASKS = 2_000;
/** A batch is also sent once it holds this many annotations or this much JSON text. */
const BATCH_ANNOTATIONS = 10_000;
const BATCH_CHARS = 8 * 1024 * 1024;

/** Task keys the import reads; `id` and `created_at` (present in exports) are ignored. */
const TASK_KEYS = new Set(["data", "annotations", "id", "created_at"]);
/** Annotation keys the import reads; the rest of an exported annotation is ignored. */
const ANNOTATION_KEYS = new Set([
  "result",
  "completed_by",
  "ground_truth",
  "id",
  "review_state",
  "reviewed_by",
  "review_comment",
  "reviewed_at",
  "created_at",
  "updated_at",
]);
/** CSV columns with a meaning of their own (the columns of a CSV export): see `csvTask`. */
export const CSV_ID_COLUMN = "id";
export const CSV_ANNOTATIONS_COLUMN = "annotations";

/** One task as the importer hands it to the database: JSON texts, ready to concatenate. */
interface ParsedTask {
  /** 1-based position in the body (array element or CSV data row). */
  position: number;
  data: string;
  annotations: { result: string; completedBy: number | null; groundTruth: boolean }[];
}

function refuse(position: number, what: string, field?: string): DomainError {
  return new DomainError("INVALID", `Task ${position} (array index ${position - 1}) is refused: ${what} Nothing was imported.`, {
    field: field === undefined ? String(position - 1) : `${position - 1}.${field}`,
  });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// PostgreSQL's jsonb refuses \u0000 and lone surrogates; JSON.stringify writes exactly those as
// escapes (valid surrogate pairs stay raw characters), so an odd run of backslashes before one
// of them in the stringified text means the value cannot be stored.
const UNSTORABLE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

/** True when JSON text (as JSON.stringify writes it) holds something jsonb cannot store. */
export function unstorable(text: string): boolean {
  return UNSTORABLE.test(text);
}

/** JSON text of a value PostgreSQL can store, or a refusal naming the field. */
export function storableJson(value: unknown, position: number, field: string): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw refuse(position, `"${field}" is not a JSON value.`, field);
  if (unstorable(text)) {
    throw refuse(position, `"${field}" contains a \\u0000 character or an unpaired surrogate, which cannot be stored.`, field);
  }
  return text;
}

/** Validates one element of the JSON array. */
export function jsonTask(value: unknown, position: number): ParsedTask {
  if (!isPlainObject(value)) throw refuse(position, "each task must be a JSON object like {\"data\": {…}, \"annotations\": […]}.");
  for (const key of Object.keys(value)) {
    if (!TASK_KEYS.has(key)) throw refuse(position, `unknown field "${key}" (a task has "data" and optionally "annotations").`, key);
  }
  if (!isPlainObject(value.data)) throw refuse(position, `"data" must be a JSON object.`, "data");
  const data = storableJson(value.data, position, "data");
  const annotations: ParsedTask["annotations"] = [];
  const raw = value.annotations;
  if (raw !== undefined && raw !== null) {
    if (!Array.isArray(raw)) throw refuse(position, `"annotations" must be an array.`, "annotations");
    raw.forEach((a: unknown, i) => {
      const field = `annotations.${i}`;
      if (!isPlainObject(a)) throw refuse(position, `annotation ${i} must be an object like {"result": …}.`, field);
      for (const key of Object.keys(a)) {
        if (!ANNOTATION_KEYS.has(key)) throw refuse(position, `annotation ${i} has an unknown field "${key}".`, `${field}.${key}`);
      }
      if (a.result === undefined || a.result === null) throw refuse(position, `annotation ${i} has no "result".`, `${field}.result`);
      const completedBy = a.completed_by;
      if (completedBy !== undefined && completedBy !== null && !(Number.isSafeInteger(completedBy) && (completedBy as number) > 0 && (completedBy as number) <= 2_147_483_647)) {
        throw refuse(position, `annotation ${i}: "completed_by" must be a user id.`, `${field}.completed_by`);
      }
      const groundTruth = a.ground_truth;
      if (groundTruth !== undefined && groundTruth !== null && typeof groundTruth !== "boolean") {
        throw refuse(position, `annotation ${i}: "ground_truth" must be true or false.`, `${field}.ground_truth`);
      }
      annotations.push({
        result: storableJson(a.result, position, `${field}.result`),
        completedBy: (completedBy as number | null | undefined) ?? null,
        groundTruth: groundTruth === true,
      });
    });
  }
  return { position, data, annotations };
}

/**
 * One CSV row: every column becomes a `data` field (a string), except the two columns a CSV
 * export adds: `id` (ignored, as in JSON) and `annotations` (a JSON array, as in JSON).
 */
export function csvTask(record: Record<string, string>, position: number): ParsedTask {
  const data: Record<string, string> = {};
  let annotations: unknown;
  for (const [key, value] of Object.entries(record)) {
    if (key === CSV_ID_COLUMN) continue;
    if (key === CSV_ANNOTATIONS_COLUMN) {
      if (value.trim() === "") continue;
      try {
        annotations = JSON.parse(value);
      } catch {
        throw refuse(position, `the "annotations" column must hold a JSON array (or nothing).`, "annotations");
      }
      continue;
    }
    data[key] = value;
  }
  return jsonTask(annotations === undefined ? { data } : { data, annotations }, position);
}

function byteLength(chunk: Uint8Array | string): number {
  return typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.byteLength;
}

function tooLarge(maxBytes: number): DomainError {
  return new DomainError("INVALID", `The import is larger than ${Math.floor(maxBytes / (1024 * 1024))} MiB; split it into several imports.`);
}

/** Elements of a JSON array, parsed as the bytes arrive, each with its 1-based position. */
export async function* jsonTasks(body: ByteSource, maxBytes = DEFAULT_MAX_BYTES): AsyncGenerator<ParsedTask> {
  const parser = new JSONParser({ paths: ["$.*"], keepStack: false });
  const queue: unknown[] = [];
  // Set by the parser's callbacks.
  const state: { failure: Error | null; ended: boolean } = { failure: null, ended: false };
  let started = false;
  let bytes = 0;
  /** Bytes before the array's `[` (a BOM, blanks), which the parser never sees. */
  let skipped = 0;
  let emitted = 0;
  parser.onValue = ({ value }) => {
    queue.push(value);
  };
  parser.onError = (err) => {
    state.failure ??= err;
  };
  parser.onEnd = () => {
    state.ended = true;
  };
  const syntax = (err: Error): DomainError => {
    const at = /absolute position "(\d+)"/.exec(err.message)?.[1];
    const where = at !== undefined ? ` at byte ${Number(at) + skipped}` : "";
    return new DomainError(
      "INVALID",
      `The body is not valid JSON${where}, in task ${emitted + queue.length + 1} (array index ${emitted + queue.length}): ${err.message.replace(/ at chunk position.*$/, "")}. Nothing was imported.`,
      { field: String(emitted + queue.length) },
    );
  };
  for await (const chunk of body) {
    bytes += byteLength(chunk);
    if (bytes > maxBytes) throw tooLarge(maxBytes);
    let piece = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    if (!started) {
      // The body must be an array: look at its first significant byte (after a BOM and blanks).
      let i = 0;
      if (bytes === piece.byteLength && piece[0] === 0xef && piece[1] === 0xbb && piece[2] === 0xbf) i = 3;
      while (i < piece.byteLength && (piece[i] === 0x20 || piece[i] === 0x0a || piece[i] === 0x0d || piece[i] === 0x09)) i++;
      if (i === piece.byteLength) {
        skipped += piece.byteLength;
        continue;
      }
      skipped += i;
      if (piece[i] !== 0x5b) throw new DomainError("INVALID", "The body must be a JSON array of tasks: [{\"data\": {…}}, …]. Nothing was imported.");
      started = true;
      piece = piece.subarray(i);
    }
    if (state.ended) {
      if (piece.some((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09)) {
        throw new DomainError("INVALID", "The body has more after the end of the JSON array. Nothing was imported.");
      }
      continue;
    }
    parser.write(piece);
    // Hand out what this chunk completed before reporting an error later in it, so that the
    // error names the position of the element it is in.
    while (queue.length > 0) {
      const value = queue.shift();
      emitted++;
      yield jsonTask(value, emitted);
    }
    if (state.failure) throw syntax(state.failure);
  }
  if (!started) throw new DomainError("INVALID", "The body is empty: send a JSON array of tasks. Nothing was imported.");
  if (!state.ended) {
    throw new DomainError("INVALID", `The JSON array is not closed: the body ends inside task ${emitted + 1} (array index ${emitted}). Nothing was imported.`, {
      field: String(emitted),
    });
  }
}

/** Rows of a CSV file with a header line, parsed as the bytes arrive. */
export async function* csvTasks(body: ByteSource, maxBytes = DEFAULT_MAX_BYTES): AsyncGenerator<ParsedTask> {
  let bytes = 0;
  async function* limited(): AsyncGenerator<Uint8Array | string> {
    for await (const chunk of body) {
      bytes += byteLength(chunk);
      if (bytes > maxBytes) throw tooLarge(maxBytes);
      yield chunk;
    }
  }
  const parser = parseCsv({
    bom: true,
    skip_empty_lines: true,
    columns: (header: string[]) => {
      const seen = new Set<string>();
      for (const name of header) {
        if (name.trim() === "") throw new DomainError("INVALID", "The CSV header has an empty column name. Nothing was imported.");
        if (seen.has(name)) throw new DomainError("INVALID", `The CSV header names the column "${name}" twice. Nothing was imported.`);
        seen.add(name);
      }
      return header;
    },
  });
  const source = Readable.from(limited());
  source.on("error", (err) => parser.destroy(err));
  source.pipe(parser);
  let position = 0;
  try {
    for await (const record of parser as AsyncIterable<Record<string, string>>) {
      position++;
      yield csvTask(record, position);
    }
  } catch (err) {
    if (err instanceof DomainError) throw err;
    const csv = err as CsvError & { records?: number; lines?: number };
    if (typeof csv.code === "string" && csv.code.startsWith("CSV_")) {
      const row = (csv.records ?? position) + 1;
      throw new DomainError(
        "INVALID",
        `Task ${row} (CSV row ${row}, line ${csv.lines ?? "?"}) is refused: ${csv.message}. Nothing was imported.`,
        { field: String(row - 1) },
      );
    }
    throw err;
  } finally {
    source.destroy();
  }
  if (position === 0 && bytes === 0) throw new DomainError("INVALID", "The body is empty: send a CSV file with a header line. Nothing was imported.");
}

/** One INSERT … SELECT for a batch of tasks and their annotations (ids from the sequence, so the two agree). */
const INSERT_BATCH = `
  with t as materialized (
    select e.ord, e.data, nextval(pg_get_serial_sequence('tasks', 'id')) as id
      from jsonb_array_elements(?::jsonb) with ordinality as e(data, ord)
  ),
  ins_t as (
    insert into tasks (id, organization_id, project_id, data, created_at)
    select t.id, ?, ?, t.data, now() from t order by t.ord
    returning 1
  ),
  ins_a as (
    insert into annotations (organization_id, project_id, task_id, completed_by_id, result, ground_truth, review_state, created_at, updated_at)
    select ?, ?, t.id, a.c, a.r, coalesce(a.g, false), 'pending', now(), now()
      from rows from (jsonb_to_recordset(?::jsonb) as (o bigint, r jsonb, c int, g boolean)) with ordinality as a(o, r, c, g, n)
      join t on t.ord = a.o
     order by a.n
    returning 1
  )
  select (select count(*) from ins_t) as tasks, (select count(*) from ins_a) as annotations`;

class Batch {
  tasks: string[] = [];
  annotations: string[] = [];
  chars = 0;
  /** user id → first position naming it, for ids not yet known to be members. */
  users = new Map<number, number>();

  add(task: ParsedTask, knownUsers: Set<number>): void {
    const ord = this.tasks.length + 1;
    this.tasks.push(task.data);
    this.chars += task.data.length;
    for (const a of task.annotations) {
      this.annotations.push(`{"o":${ord},"r":${a.result},"c":${a.completedBy ?? "null"},"g":${a.groundTruth}}`);
      this.chars += a.result.length + 24;
      if (a.completedBy !== null && !knownUsers.has(a.completedBy) && !this.users.has(a.completedBy)) this.users.set(a.completedBy, task.position);
    }
  }

  full(limit: number): boolean {
    return this.tasks.length >= limit || this.annotations.length >= BATCH_ANNOTATIONS || this.chars >= BATCH_CHARS;
  }
}

async function insertBatch(em: EntityManager, orgId: number, projectId: number, batch: Batch, knownUsers: Set<number>): Promise<ImportResult> {
  if (batch.users.size > 0) {
    // `completed_by` must name someone who is (or was invited as) a member of this organization.
    const ids = [...batch.users.keys()];
    const rows = await em.execute<{ user_id: number }[]>(
      `select user_id from memberships where organization_id = ? and user_id = any(?::int[])`,
      [orgId, `{${ids.join(",")}}`],
    );
    for (const r of rows) knownUsers.add(r.user_id);
    const unknown = [...batch.users.entries()].filter(([id]) => !knownUsers.has(id)).sort((a, b) => a[1] - b[1])[0];
    if (unknown) throw refuse(unknown[1], `"completed_by" ${unknown[0]} is not a member of this organization.`, "annotations");
  }
  // Through the transaction's knex handle, so that the JSON travels as a bound parameter
  // (em.execute would inline it into the SQL text, escaping megabytes per batch).
  const trx = em.getTransactionContext<Knex.Transaction>() ?? em.getKnex();
  const res = await trx.raw<{ rows: { tasks: string; annotations: string }[] }>(INSERT_BATCH, [
    `[${batch.tasks.join(",")}]`,
    orgId,
    projectId,
    orgId,
    projectId,
    `[${batch.annotations.join(",")}]`,
  ]);
  const row = res.rows[0];
  return { task_count: Number(row?.tasks ?? 0), annotation_count: Number(row?.annotations ?? 0) };
}

/**
 * Import tasks into a project (`data.import`): parses `body` as it arrives and inserts in
 * batches, overlapping the parsing of one batch with the database's work on the previous
 * one. All or nothing: the first refused row (named by its position) rolls everything back.
 */
export async function importTasks(
  ctx: OrgContext,
  projectId: number,
  format: ImportFormat,
  body: ByteSource,
  opts: ImportOptions = {},
): Promise<ImportResult> {
  const batchTasks = opts.batchTasks ?? DEFAULT_BATCH_TASKS;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const orgId = ctx.organization.id;
  return ctx.em.transactional(async (em) => {
    const { project } = await projectFor(em, subjectOf(ctx), orgId, ctx.user.id, projectId, "data.import");
    const knownUsers = new Set<number>();
    const total: ImportResult = { task_count: 0, annotation_count: 0 };
    // At most one batch in flight: the next one is parsed while the database inserts it.
    const flight: { pending: Promise<void> | null; failure: unknown } = { pending: null, failure: null };
    const settle = async () => {
      if (flight.pending) await flight.pending;
      flight.pending = null;
      if (flight.failure) throw flight.failure;
    };
    const send = async (batch: Batch) => {
      await settle();
      flight.pending = insertBatch(em, orgId, projectId, batch, knownUsers).then(
        (r) => {
          total.task_count += r.task_count;
          total.annotation_count += r.annotation_count;
        },
        (err: unknown) => {
          flight.failure = err;
        },
      );
    };
    let batch = new Batch();
    const rows = format === "csv" ? csvTasks(body, maxBytes) : jsonTasks(body, maxBytes);
    for await (const task of rows) {
      if (flight.failure) throw flight.failure;
      batch.add(task, knownUsers);
      if (batch.full(batchTasks)) {
        await send(batch);
        batch = new Batch();
      }
    }
    if (batch.tasks.length > 0) await send(batch);
    await settle();
    if (total.task_count > 0) {
      const [after] = await em.execute<{ task_count: number }[]>(
        `update projects set task_count = task_count + ?, updated_at = now() where id = ? returning task_count`,
        [total.task_count, projectId],
      );
      audit(em, ctx, {
        action: "data.import",
        targetType: "project",
        targetId: projectId,
        changes: {
          task_count: { before: after ? after.task_count - total.task_count : project.task_count, after: after?.task_count ?? null },
          annotation_count: { before: null, after: total.annotation_count },
        },
      });
      await em.flush();
    }
    return total;
  });
}
