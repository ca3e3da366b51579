import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryCookieJar } from "@lattice/api";
import { callerFor, createTestDatabase, type TestDatabase } from "@lattice/api/testing";
import { buildServer } from "@lattice/server";
import { createLatticeClient } from "./index.js";

let db: TestDatabase;
let app: Awaited<ReturnType<typeof buildServer>>;
let url: string;
let token: string;

beforeAll(async () => {
  db = await createTestDatabase();
  app = await buildServer({ orm: db.orm });
  await app.listen({ port: 0, host: "127.0.0.1" });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  // An owner signs up and creates a personal API token, as a script's author would.
  const jar = new MemoryCookieJar();
  await (await callerFor(db.orm, { cookies: jar })).auth.signup({ email: "script@example.com", password: "long enough", name: "Scripter" });
  token = (await (await callerFor(db.orm, { cookies: jar })).token.create({ name: "ci" })).token;
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

  it("authenticates with a personal API token and reaches the token's organization", async () => {
    const client = createLatticeClient({ url, token });
    const me = await client.auth.me.query();
    expect(me.email).toBe("script@example.com");
    const org = await client.organization.get.query({ id: 0 });
    expect(org.title).toBe("Scripter's organization");
    const members = await client.member.list.query({ id: 0 });
    expect(members.results.map((m) => m.user.email)).toEqual(["script@example.com"]);
  });

  it("sends the token in the Authorization header", async () => {
    let seen: string | null = null;
    const client = createLatticeClient({
      url,
      token,
      fetch: async (input, init) => {
        seen = new Headers(init?.headers).get("authorization");
        return fetch(input, init);
      },
    });
    await client.health.query();
    expect(seen).toBe(`Token ${token}`);
  });

  it("surfaces refusals as typed errors: a bad token is UNAUTHORIZED", async () => {
    const client = createLatticeClient({ url, token: "lat_not-a-real-token" });
    await expect(client.organization.get.query({ id: 0 })).rejects.toMatchObject({
      name: "TRPCClientError",
      data: { code: "UNAUTHORIZED" },
    });
  });

  it("rejects with a TRPCClientError when the server is unreachable", async () => {
    const client = createLatticeClient({ url: "http://127.0.0.1:1" });
    await expect(client.health.query()).rejects.toMatchObject({ name: "TRPCClientError" });
  });
});
