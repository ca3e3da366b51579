import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const apiTarget = process.env.LATTICE_API_URL ?? "http://127.0.0.1:3000";

export default defineConfig({
  plugins: [react()],
  // Workspace packages are consumed from their TypeScript sources.
  resolve: { conditions: ["@lattice/source", "module", "browser", "development|production"] },
  server: {
    proxy: Object.fromEntries(["/trpc", "/api", "/healthz", "/readyz"].map((p) => [p, apiTarget])),
  },
  build: {
    outDir: "dist",
    sourcemap: true,
    // Libraries change less often than the app: separate chunks stay cached across releases.
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: "mantine", test: /node_modules[\\/]@mantine/ },
            // The chart library and its dependencies: loaded with the dashboards only.
            { name: "charts", test: /node_modules[\\/](recharts|d3-[a-z-]+|victory-vendor|@reduxjs|react-redux|redux|reselect|immer|es-toolkit|decimal\.js-light|eventemitter3|internmap|tiny-invariant|use-sync-external-store)[\\/]/ },
            { name: "vendor", test: /node_modules/ },
          ],
        },
      },
    },
  },
});
