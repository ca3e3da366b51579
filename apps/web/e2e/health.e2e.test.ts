import { mkdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { artifacts, launchBrowser } from "./browser.js";

// The app as `pnpm start` runs it (started by e2e/app.ts).
const baseUrl = inject("baseUrl");

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
  await mkdir(artifacts, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
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
