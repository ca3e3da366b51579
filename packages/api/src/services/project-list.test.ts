// The project list's order and pagination: pinned first (most recently pinned first), then
// newest, paginated straight through the pinned/unpinned boundary, for every filter, with and
// without search and workspace filters, for a role that sees everything and for one that sees
// only the projects it belongs to. Expected pages come from a model of the order written here.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activityLogs, callerFor, createTestDatabase, refusal, seedOrganization, type Caller, type SeededOrganization, type TestDatabase } from "../testing/index.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.close();
});

const FILTERS = ["all", "pinned_only", "exclude_pinned"] as const;
type Filter = (typeof FILTERS)[number];
const PAGE_SIZE = 5;
const PEOPLE = { owner: "owner", administrator: "administrator", reviewer: "reviewer", annotator: "annotator" } as const;

interface Model {
  id: number;
  title: string;
  workspace: number;
  /** Position in the pin sequence (later = more recently pinned), or null. */
  pinnedSeq: number | null;
}

interface World {
  org: SeededOrganization<keyof typeof PEOPLE>;
  a: number;
  b: number;
  projects: Model[];
  /** What the reviewer belongs to: workspace A, and two projects of B directly. */
  reviewerSees: Set<number>;
  callers: Record<keyof typeof PEOPLE, Caller>;
}

// 17 projects created in order (ids ascending = newest last), alternating between workspaces
// A and B; titles "Alpha n" for n divisible by 3, with a `%` and an `_` in two of them to prove
// search takes them literally. 7 are pinned, in an order unrelated to their age.
const TITLES = Array.from({ length: 17 }, (_, i) =>
  i === 4 ? "100% Beta_4" : i === 9 ? "Alpha_9" : i % 3 === 0 ? `Alpha ${i}` : `Beta ${i}`,
);
const PIN_ORDER = [3, 10, 1, 15, 7, 12, 5];

let world: World;
beforeAll(async () => {
  const org = await seedOrganization(db.orm, PEOPLE);
  const em = db.orm.em.fork();
  const [a, b] = await em.execute<{ id: number }[]>(
    `insert into workspaces (organization_id, title, color, is_sandbox, created_by_id, created_at, updated_at)
     values (?, 'A', '#111111', false, ?, now(), now()), (?, 'B', '#222222', false, ?, now(), now()) returning id`,
    [org.orgId, org.people.owner.userId, org.orgId, org.people.owner.userId],
  );
  const projects: Model[] = [];
  for (const [i, title] of TITLES.entries()) {
    const workspace = i % 2 === 0 ? a!.id : b!.id;
    const [row] = await em.execute<{ id: number }[]>(
      `insert into projects (organization_id, workspace_id, title, settings, created_by_id, created_at, updated_at)
       values (?, ?, ?, '{}'::jsonb, ?, now() + make_interval(secs => ?), now()) returning id`,
      [org.orgId, workspace, title, org.people.owner.userId, i],
    );
    projects.push({ id: row!.id, title, workspace, pinnedSeq: null });
  }
  await em.execute(`insert into workspace_members (organization_id, workspace_id, user_id, created_at) values (?, ?, ?, now())`, [
    org.orgId,
    a!.id,
    org.people.reviewer.userId,
  ]);
  const reviewerDirect = [projects[1]!, projects[10]!];
  for (const p of reviewerDirect) {
    await em.execute(`insert into project_members (organization_id, project_id, user_id, direct, assigned, created_at) values (?, ?, ?, true, false, now())`, [
      org.orgId,
      p.id,
      org.people.reviewer.userId,
    ]);
  }
  const callers = {
    owner: await callerFor(db.orm, { cookies: org.people.owner.cookies }),
    administrator: await callerFor(db.orm, { cookies: org.people.administrator.cookies }),
    reviewer: await callerFor(db.orm, { cookies: org.people.reviewer.cookies }),
    annotator: await callerFor(db.orm, { cookies: org.people.annotator.cookies }),
  };
  // Pins through the procedure, by the administrator and the reviewer in turn: the pin is the project's.
  for (const [seq, i] of PIN_ORDER.entries()) {
    const p = projects[i]!;
    const by = seq % 2 === 0 || !(p.workspace === a!.id || reviewerDirect.includes(p)) ? callers.administrator : callers.reviewer;
    await by.project.pin({ id: p.id });
    p.pinnedSeq = seq;
  }
  const reviewerSees = new Set(projects.filter((p) => p.workspace === a!.id || reviewerDirect.includes(p)).map((p) => p.id));
  world = { org, a: a!.id, b: b!.id, projects, reviewerSees, callers };
});

/** The order the list promises: pinned (latest pin first), then the rest newest first. */
function expectedOrder(projects: Model[]): number[] {
  const pinned = projects.filter((p) => p.pinnedSeq !== null).sort((x, y) => y.pinnedSeq! - x.pinnedSeq!);
  const rest = projects.filter((p) => p.pinnedSeq === null).sort((x, y) => y.id - x.id);
  return [...pinned, ...rest].map((p) => p.id);
}

function expectedIds(filter: Filter, search: string | undefined, workspace: number | undefined, visible: (p: Model) => boolean): number[] {
  const kept = world.projects.filter(
    (p) =>
      visible(p) &&
      (filter === "all" || (filter === "pinned_only") === (p.pinnedSeq !== null)) &&
      (search === undefined || p.title.toLowerCase().includes(search.toLowerCase())) &&
      (workspace === undefined || p.workspace === workspace),
  );
  return expectedOrder(kept);
}

function link(filter: Filter, page: number, search?: string, workspace?: number) {
  const q = new URLSearchParams({ filter, page: String(page), page_size: String(PAGE_SIZE) });
  if (search) q.set("search", search);
  if (workspace) q.set("workspace", String(workspace));
  return `/api/projects/?${q.toString()}`;
}

/** Every page, and one past the end, against the model. */
async function checkAllPages(c: Caller, filter: Filter, search: string | undefined, workspace: number | undefined, visible: (p: Model) => boolean) {
  const ids = expectedIds(filter, search, workspace, visible);
  const pages = Math.max(1, Math.ceil(ids.length / PAGE_SIZE));
  for (let page = 1; page <= pages + 1; page++) {
    const res = await c.project.list({ filter, page, page_size: PAGE_SIZE, search, workspace });
    expect({ page, ...res, results: res.results.map((r) => r.id) }).toEqual({
      page,
      count: ids.length,
      next: page < pages ? link(filter, page + 1, search, workspace) : null,
      previous: page > 1 ? link(filter, page - 1, search, workspace) : null,
      results: ids.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE),
    });
    for (const r of res.results) expect(r.pinned_at !== null).toBe(world.projects.find((p) => p.id === r.id)!.pinnedSeq !== null);
  }
  return ids;
}

describe("the project list's order and pagination", () => {
  it("7 pinned and 10 unpinned, 5 a page: pinned by latest pin, then newest, straight through the boundary", async () => {
    const ids = await checkAllPages(world.callers.owner, "all", undefined, undefined, () => true);
    const byIndex = (i: number) => world.projects[i]!.id;
    expect(ids).toEqual([
      ...[5, 12, 7, 15, 1, 10, 3].map(byIndex),
      ...[16, 14, 13, 11, 9, 8, 6, 4, 2, 0].map(byIndex),
    ]);
    // The second page holds the last two pinned projects and the three newest unpinned ones.
    const page2 = await world.callers.owner.project.list({ filter: "all", page: 2, page_size: PAGE_SIZE });
    expect(page2.results.map((r) => r.pinned_at !== null)).toEqual([true, true, false, false, false]);
  });

  const COMBINATIONS = FILTERS.flatMap((filter) =>
    [undefined, "alpha", "%", "_"].flatMap((search) => ["none", "A", "B"].map((ws) => ({ filter, search, ws }))),
  );

  it.each(COMBINATIONS)("filter $filter, search $search, workspace $ws: every page, as the owner and as a reviewer", async ({ filter, search, ws }) => {
    const workspace = ws === "A" ? world.a : ws === "B" ? world.b : undefined;
    await checkAllPages(world.callers.owner, filter, search, workspace, () => true);
    await checkAllPages(world.callers.reviewer, filter, search, workspace, (p) => world.reviewerSees.has(p.id));
  });

  it("search matches `%` and `_` literally, and ignores case", async () => {
    const titles = async (search: string) => (await world.callers.owner.project.list({ filter: "all", page: 1, page_size: 30, search })).results.map((r) => r.title);
    expect(await titles("%")).toEqual(["100% Beta_4"]);
    expect((await titles("_")).sort()).toEqual(["100% Beta_4", "Alpha_9"]);
    expect(await titles("ALPHA_")).toEqual(["Alpha_9"]);
  });

  it("an annotator who belongs to nothing sees an empty list, and an empty page past it", async () => {
    expect(await world.callers.annotator.project.list({ filter: "all", page: 1, page_size: PAGE_SIZE })).toEqual({ count: 0, next: null, previous: null, results: [] });
    expect(await world.callers.annotator.project.list({ filter: "all", page: 3, page_size: PAGE_SIZE })).toEqual({
      count: 0,
      next: null,
      previous: link("all", 2),
      results: [],
    });
  });
});

describe("pins", () => {
  it("belong to the project: what one person pinned, everyone who sees the project sees pinned", async () => {
    const reviewerPinned = world.projects[PIN_ORDER[1]!]!;
    for (const c of [world.callers.owner, world.callers.administrator, world.callers.reviewer]) {
      const pinned = await c.project.list({ filter: "pinned_only", page: 1, page_size: 30 });
      expect(pinned.results.map((r) => r.id)).toContain(reviewerPinned.id);
    }
  });

  it("repeated pins and unpins are harmless: the first pin's time stays, one activity-log row each way", async () => {
    const org = await seedOrganization(db.orm, { owner: "owner", reviewer: "reviewer", annotator: "annotator" });
    const em = db.orm.em.fork();
    const [ws] = await em.execute<{ id: number }[]>(
      `insert into workspaces (organization_id, title, is_sandbox, created_at, updated_at) values (?, 'W', false, now(), now()) returning id`,
      [org.orgId],
    );
    const [p] = await em.execute<{ id: number }[]>(
      `insert into projects (organization_id, workspace_id, title, settings, created_at, updated_at) values (?, ?, 'P', '{}'::jsonb, now(), now()) returning id`,
      [org.orgId, ws!.id],
    );
    await em.execute(`insert into project_members (organization_id, project_id, user_id, direct, assigned, created_at) values (?, ?, ?, true, false, now()), (?, ?, ?, true, false, now())`, [
      org.orgId,
      p!.id,
      org.people.reviewer.userId,
      org.orgId,
      p!.id,
      org.people.annotator.userId,
    ]);
    const owner = await callerFor(db.orm, { cookies: org.people.owner.cookies });
    const reviewer = await callerFor(db.orm, { cookies: org.people.reviewer.cookies });
    const annotator = await callerFor(db.orm, { cookies: org.people.annotator.cookies });
    const logs = async () => (await activityLogs(db.orm)).filter((l) => l.organization_id === org.orgId).map((l) => l.action);

    await owner.project.unpin({ id: p!.id }); // not pinned: nothing to do, nothing logged
    const first = await owner.project.pin({ id: p!.id });
    const again = await reviewer.project.pin({ id: p!.id });
    expect(again.pinned_at).toBe(first.pinned_at);
    expect((await annotator.project.get({ id: p!.id })).pinned_at).toBe(first.pinned_at);
    expect((await refusal(annotator.project.pin({ id: p!.id }))).code).toBe("FORBIDDEN");
    expect((await refusal(annotator.project.unpin({ id: p!.id }))).code).toBe("FORBIDDEN");
    await reviewer.project.unpin({ id: p!.id });
    await owner.project.unpin({ id: p!.id });
    expect((await annotator.project.get({ id: p!.id })).pinned_at).toBeNull();
    expect(await logs()).toEqual(["project.pin", "project.unpin"]);
  });

  it("pins as of an earlier moment, so that undoing an unpin puts the project back in its place", async () => {
    const org = await seedOrganization(db.orm, { owner: "owner" });
    const owner = await callerFor(db.orm, { cookies: org.people.owner.cookies });
    const ws = await owner.workspace.create({ title: "W" });
    const older = await owner.project.create({ title: "Older pin", workspace: ws.id });
    const newer = await owner.project.create({ title: "Newer pin", workspace: ws.id });
    const plain = await owner.project.create({ title: "Not pinned", workspace: ws.id });
    const first = await owner.project.pin({ id: older.id });
    await owner.project.pin({ id: newer.id });
    const titles = async () => (await owner.project.list({})).results.map((p) => p.title);
    expect(await titles()).toEqual(["Newer pin", "Older pin", "Not pinned"]);

    await owner.project.unpin({ id: older.id });
    expect(await titles()).toEqual(["Newer pin", "Not pinned", "Older pin"]);
    const restored = await owner.project.pin({ id: older.id, pinned_at: first.pinned_at! });
    expect(restored.pinned_at).toBe(first.pinned_at);
    expect(await titles()).toEqual(["Newer pin", "Older pin", "Not pinned"]);

    const future = new Date(Date.now() + 3_600_000).toISOString();
    const err = await refusal(owner.project.pin({ id: plain.id, pinned_at: future }));
    expect([err.code, err.message]).toEqual(["BAD_REQUEST", "pinned_at: must not be in the future"]);
    expect((await refusal(owner.project.pin({ id: plain.id, pinned_at: "yesterday" }))).code).toBe("BAD_REQUEST");
    expect((await owner.project.get({ id: plain.id })).pinned_at).toBeNull();
  });
});
