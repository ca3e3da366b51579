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
  },
});
