// Import and export through the streaming data procedures, on real PostgreSQL: JSON and CSV in,
// refusals that name the position and leave nothing behind, and exports that import back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  activityLogs,
  bodyOf,
  collect,
  createTestDatabase,
  dataCallerFor,
  refusal,
  seedProject,
  type ProjectFixture,
  type TestDatabase,
} from "../testing/index.js";
import { csvField } from "./exports.js";

let db: TestDatabase;
let f: ProjectFixture;
beforeAll(async () => {
  db = await createTestDatabase();
  f = await seedProject(db.orm);
});
afterAll(async () => {
  await db.close();
});

async function newProject(title: string): Promise<number> {
  const [row] = await db.orm.em.fork().execute<{ id: number }[]>(
    `insert into projects (organization_id, workspace_id, title, description, label_config, settings, created_by_id, task_count, created_at, updated_at)
     values (?, ?, ?, '', '', '{}'::jsonb, ?, 0, now(), now()) returning id`,
    [f.org.orgId, f.workspaceId, title, f.org.people.owner.userId],
  );
  return row!.id;
}

async function counts(projectId: number) {
  const [row] = await db.orm.em.fork().execute<{ tasks: string; annotations: string; task_count: number }[]>(
    `select (select count(*) from tasks where project_id = p.id) as tasks, (select count(*) from annotations where project_id = p.id) as annotations, p.task_count
       from projects p where p.id = ?`,
    [projectId],
  );
  return { tasks: Number(row!.tasks), annotations: Number(row!.annotations), task_count: row!.task_count };
}

const owner = () => dataCallerFor(db.orm, { cookies: f.org.people.owner.cookies });

/** `n` small tasks as a JSON array, with `bad` (0-based index) replaced by `badText`. */
function tasksJson(n: number, bad?: { index: number; text: string }): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(bad?.index === i ? bad.text : `{"data":{"text":"t${i}"}}`);
  return `[${parts.join(",")}]`;
}

describe("import", () => {
  it("imports a JSON array of tasks with annotations in one transaction, counting tasks, and logs it once", async () => {
    const projectId = await newProject("json import");
    const p = f.org.people;
    const body = JSON.stringify([
      { data: { text: "a", n: 1, nested: { x: [1, 2] } }, annotations: [{ result: { choice: "pos" }, completed_by: p.annotator.userId }, { result: { choice: "pos" }, completed_by: p.reviewer.userId, ground_truth: true }] },
      { data: { text: "b é 😀" } },
      { data: { text: "c" }, annotations: [] },
    ]);
    const logsBefore = (await activityLogs(db.orm)).length;
    const res = await (await owner()).import({ id: projectId, format: "json", body: bodyOf(body, 7) });
    expect(res).toEqual({ task_count: 3, annotation_count: 2 });
    expect(await counts(projectId)).toEqual({ tasks: 3, annotations: 2, task_count: 3 });
    const logs = await activityLogs(db.orm);
    expect(logs.length - logsBefore).toBe(1);
    expect(logs.at(-1)).toMatchObject({ action: "data.import", target_id: String(projectId), changes: { task_count: { before: 0, after: 3 } } });
    const rows = await db.orm.em
      .fork()
      .execute<{ data: unknown; completed_by_id: number | null; ground_truth: boolean | null }[]>(
        `select t.data, a.completed_by_id, a.ground_truth from tasks t left join annotations a on a.task_id = t.id where t.project_id = ? order by t.id, a.id`,
        [projectId],
      );
    expect(rows).toEqual([
      { data: { text: "a", n: 1, nested: { x: [1, 2] } }, completed_by_id: p.annotator.userId, ground_truth: false },
      { data: { text: "a", n: 1, nested: { x: [1, 2] } }, completed_by_id: p.reviewer.userId, ground_truth: true },
      { data: { text: "b é 😀" }, completed_by_id: null, ground_truth: null },
      { data: { text: "c" }, completed_by_id: null, ground_truth: null },
    ]);
  });

  it("imports CSV: a header line, one task per row, every column a data field (quotes, commas, line breaks, a BOM)", async () => {
    const projectId = await newProject("csv import");
    const csv = '\ufefftext,url\r\n"Hello, world","http://x/1.png"\r\n"Say ""hi""\nthere",http://x/2.png\r\n\r\nplain,\r\n';
    const res = await (await owner()).import({ id: projectId, format: "csv", body: bodyOf(csv, 5) });
    expect(res).toEqual({ task_count: 3, annotation_count: 0 });
    const data = await db.orm.em.fork().execute<{ data: unknown }[]>(`select data from tasks where project_id = ? order by id`, [projectId]);
    expect(data.map((d) => d.data)).toEqual([
      { text: "Hello, world", url: "http://x/1.png" },
      { text: 'Say "hi"\nthere', url: "http://x/2.png" },
      { text: "plain", url: "" },
    ]);
  });

  it("imports many tasks across batches (parsing overlapped with inserting)", async () => {
    const projectId = await newProject("batches");
    const res = await (await owner()).import({ id: projectId, format: "json", body: bodyOf(tasksJson(5_000)), batch_tasks: 700 });
    expect(res.task_count).toBe(5_000);
    expect(await counts(projectId)).toEqual({ tasks: 5_000, annotations: 0, task_count: 5_000 });
  });

  describe("refuses a malformed import with the position named, and imports nothing", () => {
    const cases: [string, "json" | "csv", () => string, RegExp][] = [
      ["a row of the wrong shape at position 70,000", "json", () => tasksJson(100_000, { index: 69_999, text: `{"data":"not an object"}` }), /Task 70000 \(array index 69999\) is refused: "data" must be a JSON object/],
      ["bad JSON at position 70,000", "json", () => tasksJson(100_000, { index: 69_999, text: `{"data":{"text": oops}}` }), /not valid JSON at byte \d+, in task 70000 \(array index 69999\)/],
      ["an unknown field at position 70,000", "json", () => tasksJson(100_000, { index: 69_999, text: `{"data":{},"annotation":[]}` }), /Task 70000 .*unknown field "annotation"/],
      ["an annotation without a result at position 70,000", "json", () => tasksJson(100_000, { index: 69_999, text: `{"data":{},"annotations":[{"completed_by":null}]}` }), /Task 70000 .*annotation 0 has no "result"/],
      ["a \\u0000 the database cannot store at position 70,000", "json", () => tasksJson(100_000, { index: 69_999, text: `{"data":{"t":"a\\u0000b"}}` }), /Task 70000 .*\\u0000/],
      ["a CSV row with too many fields at position 70,000", "csv", () => ["text", ...Array.from({ length: 100_000 }, (_, i) => (i === 69_999 ? "a,b" : `row ${i}`))].join("\n"), /Task 70000 \(CSV row 70000, line 70001\)/],
      ["a body that is not an array", "json", () => `{"data": {}}`, /must be a JSON array/],
      ["an array that never closes", "json", () => `[{"data":{}},{"data":{}}`, /not closed: the body ends inside task 3/],
      ["something after the array", "json", () => `[{"data":{}}] [`, /more after the end of the JSON array|not valid JSON/],
      ["a completed_by who is not a member", "json", () => `[{"data":{}},{"data":{},"annotations":[{"result":1,"completed_by":2147483000}]}]`, /Task 2 .*2147483000 is not a member/],
    ];
    it.each(cases)("%s", async (_name, format, make, message) => {
      const projectId = await newProject(`bad ${format}`);
      const logsBefore = (await activityLogs(db.orm)).length;
      const err = await refusal((await owner()).import({ id: projectId, format, body: bodyOf(make()) }));
      expect(err.code).toBe("BAD_REQUEST");
      expect(err.message).toMatch(message);
      expect(await counts(projectId)).toEqual({ tasks: 0, annotations: 0, task_count: 0 });
      expect((await activityLogs(db.orm)).length).toBe(logsBefore);
    });
  });

  it("names the byte where the JSON breaks, counting from the start of the body", async () => {
    const projectId = await newProject("byte offset");
    const body = '\n  [{"data":{}}, {"data": x}]';
    const err = await refusal((await owner()).import({ id: projectId, format: "json", body: bodyOf(body, 4) }));
    expect(err.message).toContain(`at byte ${body.indexOf("x")}, in task 2 (array index 1)`);
  });

  it("refuses a body over the size limit", async () => {
    const projectId = await newProject("too large");
    const err = await refusal((await owner()).import({ id: projectId, format: "json", body: bodyOf(tasksJson(1_000)), max_bytes: 10_000 }));
    expect(err.message).toMatch(/larger than/);
    expect(await counts(projectId)).toEqual({ tasks: 0, annotations: 0, task_count: 0 });
  });
});

describe("export", () => {
  it("streams JSON that imports back unchanged (data, results, authors, ground truth)", async () => {
    const source = await newProject("round trip json");
    const p = f.org.people;
    const original = [
      { data: { text: "a", n: 1 }, annotations: [{ result: [{ value: { choices: ["pos"] } }], completed_by: p.annotator.userId, ground_truth: true }] },
      { data: { text: "b,\"c\"\n" }, annotations: [] },
      ...Array.from({ length: 1_200 }, (_, i) => ({ data: { text: `t${i}` }, annotations: [{ result: { i }, completed_by: p.reviewer.userId, ground_truth: false }] })),
    ];
    await (await owner()).import({ id: source, format: "json", body: bodyOf(JSON.stringify(original)) });
    const out = await (await owner()).export({ id: source, format: "JSON", fetch_size: 100 });
    expect(out.contentType).toMatch(/application\/json/);
    expect(out.filename).toMatch(/\.json$/);
    let chunks = 0;
    let text = "";
    for await (const c of out.chunks) {
      chunks++;
      text += c;
    }
    expect(chunks).toBeGreaterThan(5); // streamed in pieces, not built whole
    const exported = JSON.parse(text) as { id: number; data: unknown; annotations: { result: unknown; completed_by: number; ground_truth: boolean }[] }[];
    expect(exported.map((t) => ({ data: t.data, annotations: t.annotations.map((a) => ({ result: a.result, completed_by: a.completed_by, ground_truth: a.ground_truth })) }))).toEqual(original);

    const copy = await newProject("round trip json 2");
    expect(await (await owner()).import({ id: copy, format: "json", body: bodyOf(text) })).toEqual({ task_count: original.length, annotation_count: original.length - 1 });
    const again = JSON.parse(await collect((await (await owner()).export({ id: copy, format: "JSON" })).chunks)) as typeof exported;
    const strip = (ts: typeof exported) => ts.map((t) => ({ data: t.data, annotations: t.annotations.map((a) => [a.result, a.completed_by, a.ground_truth]) }));
    expect(strip(again)).toEqual(strip(exported));
  });

  it("streams CSV (id, the data fields, annotations as JSON) that imports back unchanged", async () => {
    const source = await newProject("round trip csv");
    const p = f.org.people;
    const original = [
      { data: { text: "Hello, world", url: "http://x/1.png" }, annotations: [{ result: { choice: "pos" }, completed_by: p.annotator.userId }] },
      { data: { text: 'Say "hi"\nthere', extra: " padded " } },
      { data: { url: "http://x/3.png" } },
    ];
    await (await owner()).import({ id: source, format: "json", body: bodyOf(JSON.stringify(original)) });
    const out = await (await owner()).export({ id: source, format: "CSV" });
    expect(out.contentType).toMatch(/text\/csv/);
    const csv = await collect(out.chunks);
    const [header] = csv.split("\r\n");
    expect(header).toBe("id,extra,text,url,annotations");

    const copy = await newProject("round trip csv 2");
    expect(await (await owner()).import({ id: copy, format: "csv", body: bodyOf(csv, 3) })).toEqual({ task_count: 3, annotation_count: 1 });
    const rows = await db.orm.em
      .fork()
      .execute<{ data: unknown; results: unknown }[]>(
        `select t.data, (select json_agg(json_build_array(a.result, a.completed_by_id)) from annotations a where a.task_id = t.id) as results from tasks t where t.project_id = ? order by t.id`,
        [copy],
      );
    // Every column of the file becomes a field (a task without one gets an empty string).
    expect(rows).toEqual([
      { data: { extra: "", text: "Hello, world", url: "http://x/1.png" }, results: [[{ choice: "pos" }, p.annotator.userId]] },
      { data: { extra: " padded ", text: 'Say "hi"\nthere', url: "" }, results: null },
      { data: { extra: "", text: "", url: "http://x/3.png" }, results: null },
    ]);
  });

  it("exports an empty project as an empty array, and a CSV header only", async () => {
    const empty = await newProject("empty");
    expect(JSON.parse(await collect((await (await owner()).export({ id: empty, format: "JSON" })).chunks))).toEqual([]);
    expect(await collect((await (await owner()).export({ id: empty, format: "CSV" })).chunks)).toBe("id,annotations\r\n");
  });

  it("quotes CSV fields only where needed", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField('a,"b"')).toBe('"a,""b"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField(" lead")).toBe('" lead"');
  });

  it("stops reading and releases its transaction when the consumer stops early", async () => {
    const out = await (await owner()).export({ id: f.projectId, format: "JSON", fetch_size: 1 });
    for await (const c of out.chunks) {
      expect(c.startsWith("[\n{")).toBe(true);
      break;
    }
    // The connection went back to the pool: a query on a fresh fork answers.
    const [row] = await db.orm.em.fork().execute<{ n: number }[]>(`select 1 as n`);
    expect(row!.n).toBe(1);
  });
});
