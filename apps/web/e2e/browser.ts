// Debian's Chromium driven by playwright-core (never a downloaded browser build), and what
// the browser tests share: people's profiles, screenshots, the menu, walk-through steps.
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { it } from "vitest";

const CANDIDATES = [process.env.CHROMIUM_PATH, "/usr/lib/chromium/chromium", "/usr/bin/chromium"];

export function chromiumPath(): string {
  const found = CANDIDATES.find((p): p is string => !!p && existsSync(p));
  if (!found) {
    throw new Error("Chromium not found: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH.");
  }
  return found;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

/** Where screenshots go (kept by CI as test artifacts). */
export const artifacts = path.resolve(import.meta.dirname, "../test-results");

export interface Person {
  context: BrowserContext;
  page: Page;
  /** Every console error, page error and failed (≥ 400) response seen so far. */
  problems: string[];
}

/**
 * A browser profile of one person at `baseUrl`. Reduced motion: charts are drawn at once
 * (recharts honours it), so screenshots show them whole.
 */
export async function person(browser: Browser, baseUrl: string, options: { clipboard?: boolean; height?: number } = {}): Promise<Person> {
  const context = await browser.newContext({ viewport: { width: 1280, height: options.height ?? 860 }, reducedMotion: "reduce" });
  if (options.clipboard) await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseUrl });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("response", (res) => {
    if (res.status() >= 400) problems.push(`${res.status()} ${res.request().method()} ${res.url()}`);
  });
  return { context, page, problems };
}

/** A full-page screenshot in test-results/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  await mkdir(artifacts, { recursive: true });
  // A full-page shot of a scrolled page would draw the fixed header mid-page.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true, animations: "disabled" });
}

/** Opens the hamburger menu and follows one of its links. */
export async function openMenuItem(page: Page, name: string): Promise<void> {
  await page.getByRole("button", { name: "Menu", exact: true }).click();
  const drawer = page.getByRole("dialog", { name: "Lattice" });
  await drawer.getByRole("link", { name, exact: true }).click();
  await drawer.waitFor({ state: "hidden" });
}

/**
 * `step(name, fn)`: a test of a walk-through whose steps build on each other. After one fails,
 * the rest are skipped rather than timing out; `onFailure` runs first (a screenshot, say).
 */
export function stepper(onFailure?: () => Promise<void>) {
  let failed = false;
  return (name: string, fn: () => Promise<void> | void) =>
    it(name, async (ctx) => {
      if (failed) ctx.skip();
      try {
        await fn();
      } catch (err) {
        failed = true;
        await onFailure?.().catch(() => undefined);
        throw err;
      }
    });
}
