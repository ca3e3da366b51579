// The package imports nothing outside itself: the web app bundles it as is.

import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = dirname(fileURLToPath(import.meta.url));

/** Every module specifier in a source text: static, side-effect, re-export, dynamic, require. */
function specifiers(text: string): string[] {
  const patterns = [
    /^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gm,
    /^\s*import\s*["']([^"']+)["']/gm,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
    /\brequire\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((m) => m[1] ?? ""));
}

describe("imports", () => {
  it("finds every kind of import (the scanner itself can fail)", () => {
    const sample = [
      `import { z } from "zod";`,
      `import type { X } from './x.js';`,
      `import "reflect-metadata";`,
      `export * from "../outside.js";`,
      `const m = await import("node:fs");`,
      `const r = require('lodash');`,
      `const notAnImport = { "data.import": "x", from: "y" };`,
      `import {`,
      `  a,`,
      `  b,`,
      `} from "multi-line";`,
    ].join("\n");
    expect(specifiers(sample)).toEqual(["zod", "./x.js", "../outside.js", "multi-line", "reflect-metadata", "node:fs", "lodash"]);
  });

  it("src/*.ts (tests aside) imports only from ./", () => {
    const files = readdirSync(SRC).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
    expect(files.length).toBeGreaterThanOrEqual(7);
    const outside: string[] = [];
    let relative = 0;
    for (const file of files) {
      for (const spec of specifiers(readFileSync(join(SRC, file), "utf8"))) {
        if (spec.startsWith("./")) relative++;
        else outside.push(`${file}: ${spec}`);
      }
    }
    expect(outside).toEqual([]);
    expect(relative).toBeGreaterThan(0);
  });

  it("declares no runtime dependency", () => {
    const pkg = JSON.parse(readFileSync(join(SRC, "..", "package.json"), "utf8")) as Record<string, unknown>;
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.peerDependencies ?? {}).toEqual({});
    expect(pkg.optionalDependencies ?? {}).toEqual({});
  });
});
