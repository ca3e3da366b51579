import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";
import { sourceAliases } from "../../vitest.shared.js";

// Component tests: jsdom, React Testing Library.
export default defineConfig({
  plugins: [react()],
  resolve: { alias: sourceAliases() },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.tsx", "src/**/*.test.ts"],
    setupFiles: ["./src/test-setup.ts"],
    // Whole-app renders with user-event take seconds when the suite shares 2 cores with the
    // database tests of the other packages (turbo runs them in parallel).
    testTimeout: 30_000,
  },
});
