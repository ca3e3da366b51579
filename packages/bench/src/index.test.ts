import { describe, expect, it } from "vitest";
import { compare, formatComparison, stats } from "./index.js";

describe("stats", () => {
  it("computes percentiles by nearest rank", () => {
    const s = stats(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(s).toMatchObject({ samples: 100, p50: 50, p99: 99, min: 1, mean: 50.5 });
  });
  it("refuses an empty sample", () => {
    expect(() => stats([])).toThrow();
  });
});

describe("compare", () => {
  it("reports a slower candidate with a ratio above 1 and a missed goal", async () => {
    const busy = (ms: number) => () => {
      const end = performance.now() + ms;
      while (performance.now() < end);
    };
    const c = await compare({ name: "x", candidate: busy(4), baseline: busy(1), runs: 5, goal: 1.3 });
    expect(c.ratio).toBeGreaterThan(2);
    expect(c.met).toBe(false);
    expect(formatComparison(c)).toMatch(/^x: p50 .* ratio \d+\.\d\d {2}goal ≤ 1.3 \(NOT met\)$/);
  });
});
