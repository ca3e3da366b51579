import { mkdir } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { createTestDatabase, type TestDatabase } from "@lattice/api/testing";
import { buildServer } from "@lattice/server";
import { launchBrowser } from "./browser.js";

const webDir = path.resolve(import.meta.dirname, "../dist");
const artifacts = path.resolve(import.meta.dirname, "../test-results");

let db: TestDatabase;
let app: Awaited<ReturnType<typeof buildServer>>;
let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  db = await createTestDatabase();
  app = await buildServer({ orm: db.orm, webDir });
  await app.listen({ port: 0, host: "127.0.0.1" });
  baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
  await mkdir(artifacts, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.close();
});

describe("first page in Chromium", () => {
  it("renders at / (the sign-in page when signed out) with the server's health fetched through tRPC", async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("console", (msg) => {
      if (msg.type() === "error") problems.push(msg.text());
    });
    page.on("response", (res) => {
      if (res.status() >= 400) problems.push(`${res.status()} ${res.url()}`);
    });
    let healthCalled = false;
    page.on("request", (req) => {
      if (new URL(req.url()).pathname.startsWith("/trpc/") && req.url().includes("health")) healthCalled = true;
    });
    await page.goto(`${baseUrl}/`);
    const status = page.getByTestId("server-status");
    await status.getByText(/^Server ok/).waitFor();
    expect(await status.innerText()).toBe("Server ok · database up · migrations applied");
    expect(healthCalled).toBe(true);
    await page.screenshot({ path: path.join(artifacts, "first-page.png"), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("renders the status page and shows the health result fetched through tRPC", async () => {
    const page = await browser.newPage();
    const consoleErrors: string[] = [];
    page.on("console", (msg) => {
      if (msg.type() === "error") consoleErrors.push(msg.text());
    });
    page.on("response", (res) => {
      if (res.status() >= 400) consoleErrors.push(`${res.status()} ${res.url()}`);
    });
    const trpcCalls: string[] = [];
    page.on("request", (req) => {
      if (new URL(req.url()).pathname.startsWith("/trpc/")) trpcCalls.push(req.url());
    });
    await page.goto(`${baseUrl}/status`);
    await page.getByRole("heading", { name: "Lattice", level: 1 }).waitFor();
    const health = page.getByTestId("health");
    await health.waitFor();
    expect(await health.innerText()).toMatch(/Status\s+ok/i);
    expect(await health.innerText()).toContain("Database: up");
    expect(await health.innerText()).toContain("Migrations: applied");
    expect(trpcCalls.some((u) => u.includes("/trpc/health"))).toBe(true);
    await page.screenshot({ path: path.join(artifacts, "home.png"), fullPage: true });
    expect(consoleErrors).toEqual([]);
    await page.close();
  });
});
