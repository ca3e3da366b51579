// Shared vitest settings. Workspace packages are resolved to their TypeScript sources
// (the `@lattice/source` export condition), so tests never need a build first.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(fileURLToPath(import.meta.url));

interface ExportEntry {
  "@lattice/source"?: string;
}

/** `@lattice/x` and `@lattice/x/sub` → their source files, from each package's exports. */
export function sourceAliases(): { find: RegExp; replacement: string }[] {
  const aliases: { find: RegExp; replacement: string }[] = [];
  for (const group of ["packages", "apps"]) {
    for (const dir of readdirSync(path.join(root, group))) {
      const pkgFile = path.join(root, group, dir, "package.json");
      if (!existsSync(pkgFile)) continue;
      const pkg = JSON.parse(readFileSync(pkgFile, "utf8")) as { name: string; exports?: Record<string, ExportEntry> };
      for (const [sub, entry] of Object.entries(pkg.exports ?? {})) {
        const src = entry["@lattice/source"];
        if (!src) continue;
        const spec = sub === "." ? pkg.name : `${pkg.name}/${sub.replace(/^\.\//, "")}`;
        aliases.push({
          find: new RegExp(`^${spec.replace(/[/.]/g, "\\$&")}$`),
          replacement: path.join(root, group, dir, src),
        });
      }
    }
  }
  return aliases;
}

/** Settings for a package whose tests use PostgreSQL. */
export const databaseTestSettings = {
  // Test-only key for invitation links (server processes spawned by tests inherit it).
  env: { LATTICE_SECRET_KEY: process.env.LATTICE_SECRET_KEY ?? "lattice-test-secret-key-0123456789abcdef" },
  globalSetup: [path.join(root, "packages/api/src/testing/global-setup.ts")],
  testTimeout: 30_000,
  hookTimeout: 120_000,
};
