import { defineConfig } from "vitest/config";
import { databaseTestSettings, sourceAliases } from "../../vitest.shared.js";

export default defineConfig({
  resolve: { alias: sourceAliases() },
  test: {
    include: ["src/**/*.test.ts"],
    ...databaseTestSettings,
  },
});
