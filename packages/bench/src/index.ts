// The benchmark harness behind `pnpm bench`. A benchmark never prints a bare time: it
// measures a baseline (the same work done the plainest way: hand-written SQL, a raw
// loop) in the same run, on the same machine, and prints the ratio.

export interface Stats {
  samples: number;
  p50: number;
  p99: number;
  mean: number;
  min: number;
}

/** Summary of durations in milliseconds. */
export function stats(durationsMs: readonly number[]): Stats {
  if (durationsMs.length === 0) throw new Error("stats() needs at least one sample");
  const sorted = [...durationsMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  return {
    samples: sorted.length,
    p50: at(0.5),
    p99: at(0.99),
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    min: sorted[0] ?? 0,
  };
}

/** Run `fn` `warmup` times unmeasured, then `runs` times measured; durations in ms. */
export async function sample(fn: () => unknown, runs: number, warmup = Math.min(5, runs)): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

export interface Comparison {
  name: string;
  candidate: Stats;
  baseline: Stats;
  /** candidate p50 / baseline p50 (lower is better; 1.0 = as fast as the baseline). */
  ratio: number;
  goal?: number;
  met?: boolean;
}

/** Measure a candidate and its baseline alternately (so drift hits both) and compare p50s. */
export async function compare(opts: {
  name: string;
  candidate: () => unknown;
  baseline: () => unknown;
  runs: number;
  warmup?: number;
  /** The ratio the issue asks for, printed beside the result. */
  goal?: number;
}): Promise<Comparison> {
  const warmup = opts.warmup ?? Math.min(5, opts.runs);
  await sample(opts.candidate, 0, warmup);
  await sample(opts.baseline, 0, warmup);
  const c: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < opts.runs; i++) {
    c.push(...(await sample(opts.candidate, 1, 0)));
    b.push(...(await sample(opts.baseline, 1, 0)));
  }
  const candidate = stats(c);
  const baseline = stats(b);
  const ratio = baseline.p50 > 0 ? candidate.p50 / baseline.p50 : Number.POSITIVE_INFINITY;
  return { name: opts.name, candidate, baseline, ratio, goal: opts.goal, met: opts.goal === undefined ? undefined : ratio <= opts.goal };
}

/** One line per comparison, fixed columns, for the bench log. */
export function formatComparison(c: Comparison): string {
  const ms = (v: number) => `${v.toFixed(v < 10 ? 3 : 1)} ms`;
  const goal = c.goal === undefined ? "" : `  goal ≤ ${c.goal} ${c.met ? "(met)" : "(NOT met)"}`;
  return `${c.name}: p50 ${ms(c.candidate.p50)} p99 ${ms(c.candidate.p99)} | baseline p50 ${ms(c.baseline.p50)} p99 ${ms(c.baseline.p99)} | ratio ${c.ratio.toFixed(2)}${goal}`;
}
