import path from "node:path";
import { defineConfig } from "vitest/config";
import { sourceAliases } from "../../vitest.shared.js";

// Browser tests: Debian's Chromium, driven by playwright-core, against the app as `pnpm start`
// runs it on its embedded database (e2e/app.ts starts it once for all files and stops it).
export default defineConfig({
  resolve: { alias: sourceAliases() },
  test: {
    include: ["e2e/**/*.e2e.test.ts"],
    globalSetup: [path.resolve(import.meta.dirname, "e2e/app.ts")],
    // One app and one browser at a time on a small machine; each file uses its own organization.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 240_000,
  },
});
