// task.annotations: reviewers and above see every annotation of a task, with its author;
// annotators only their own (where the project allows it); removed members are "deleted user".
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, createTestDatabase, errorCode, type TestDatabase } from "../testing/index.js";
import { seedProject } from "../testing/data.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.close();
});

describe("task.annotations", () => {
  it("lists a task's annotations by role, and shows a removed member as a deleted user", async () => {
    const f = await seedProject(db.orm);
    const p = f.org.people;
    const as = (who: keyof typeof p) => callerFor(db.orm, { cookies: p[who].cookies });
    const task = f.taskIds[0]!;

    const forReviewer = await (await as("reviewer")).task.annotations({ id: task });
    expect(forReviewer.map((a) => a.id).sort()).toEqual([f.annotationIds.annotator, f.annotationIds.reviewer].sort());
    expect(forReviewer.find((a) => a.id === f.annotationIds.annotator)?.author).toMatchObject({ id: p.annotator.userId, deleted: false });

    const forAnnotator = await (await as("annotator")).task.annotations({ id: task });
    expect(forAnnotator.map((a) => a.id)).toEqual([f.annotationIds.annotator]);
    expect(await errorCode((await as("stranger")).task.annotations({ id: task }))).toBe("NOT_FOUND");
    expect(await errorCode((await as("annotator")).task.annotations({ id: f.taskIds[2]! }))).toBe("NOT_FOUND");

    await (await as("owner")).member.remove({ id: 0, user_id: p.annotator.userId });
    const after = await (await as("owner")).task.annotations({ id: task });
    expect(after.find((a) => a.id === f.annotationIds.annotator)?.author).toEqual({ id: p.annotator.userId, email: null, name: "deleted user", deleted: true });
  });

  it("refuses annotators when the project does not let them view their own data", async () => {
    const f = await seedProject(db.orm, { annotators_may_view_own_data: false });
    const annotator = await callerFor(db.orm, { cookies: f.org.people.annotator.cookies });
    expect(await errorCode(annotator.task.annotations({ id: f.taskIds[0]! }))).toBe("FORBIDDEN");
  });
});
