import { defineConfig } from "vitest/config";
import { databaseTestSettings, sourceAliases } from "../../vitest.shared.js";

// Browser tests: the built app served by the real server on a real database, driven in
// Debian's Chromium by playwright-core.
export default defineConfig({
  resolve: { alias: sourceAliases() },
  test: {
    include: ["e2e/**/*.e2e.test.ts"],
    ...databaseTestSettings,
    testTimeout: 60_000,
  },
});
