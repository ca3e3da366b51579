import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@lattice/api/testing";
import { buildServer } from "@lattice/server";
import { createLatticeClient } from "./index.js";

let db: TestDatabase;
let app: Awaited<ReturnType<typeof buildServer>>;
let url: string;

beforeAll(async () => {
  db = await createTestDatabase();
  app = await buildServer({ orm: db.orm });
  await app.listen({ port: 0, host: "127.0.0.1" });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe("createLatticeClient", () => {
  it("calls a running server over HTTP with types from AppRouter", async () => {
    const client = createLatticeClient({ url: `${url}/` });
    const health = await client.health.query();
    expect(health.status).toBe("ok");
    expect(health.migrations).toBe("applied");
  });

  it("sends the API token in the Authorization header", async () => {
    let seen: string | null = null;
    const client = createLatticeClient({
      url,
      token: "t0k3n",
      fetch: async (input, init) => {
        seen = new Headers(init?.headers).get("authorization");
        return fetch(input, init);
      },
    });
    await client.health.query();
    expect(seen).toBe("Token t0k3n");
  });

  it("rejects with a TRPCClientError when the server is unreachable", async () => {
    const client = createLatticeClient({ url: "http://127.0.0.1:1" });
    await expect(client.health.query()).rejects.toMatchObject({ name: "TRPCClientError" });
  });
});
