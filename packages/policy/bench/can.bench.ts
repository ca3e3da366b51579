// How fast is can()? Times ~20M mixed checks after warm-up, against a baseline measured in the
// same run (the same number of Set.has lookups of precomputed strings), and fails below 10M/s.
// Run: pnpm --filter @lattice/policy bench

import { ACTIONS, ROLES, actionSpec, can } from "@lattice/policy";
import type { Action, DashboardTarget, ProjectFacts, ResourceFor, Subject, WorkspaceFacts } from "@lattice/policy";

const CHECKS = 20_000_000;
const WARM_UP = 2_000_000;
const ROUNDS = 5;
const FLOOR = 10_000_000;
const CASES = 4096; // a power of two, so that `i & MASK` picks a case
const MASK = CASES - 1;

// A small deterministic generator (mulberry32), so every run times the same mix.
let seed = 0x5eed;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
function pick<T>(items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error("empty list");
  return item;
}
const coin = (): boolean => random() < 0.5;

const SUBJECTS: readonly Subject[] = [
  ...ROLES.map((role) => ({ role, status: "active" as const })),
  ...ROLES.map((role) => ({ role, status: "active" as const })),
  ...ROLES.map((role) => ({ role, status: "active" as const })),
  { role: null, status: "pending" },
  { role: "manager", status: "deactivated" },
];

function projectFacts(): ProjectFacts {
  const inSandbox = random() < 0.2;
  return {
    inSandbox,
    ownSandbox: inSandbox && coin(),
    workspaceMember: coin(),
    createdByMe: coin(),
    projectMember: coin(),
    assigned: coin(),
    annotatorsMayViewOwnData: coin(),
  };
}
function workspaceFacts(): WorkspaceFacts {
  const isSandbox = random() < 0.2;
  return { isSandbox, ownSandbox: isSandbox && coin(), workspaceMember: coin(), createdByMe: coin() };
}
function dashboardTarget(): DashboardTarget {
  switch (pick(["own", "project", "workspace", "organization"] as const)) {
    case "own":
      return { scope: "own" };
    case "project":
      return { scope: "project", project: projectFacts() };
    case "workspace":
      return { scope: "workspace", workspace: workspaceFacts() };
    case "organization":
      return { scope: "organization" };
  }
}
function resourceFor(action: Action): ResourceFor<Action> {
  switch (actionSpec(action).kind) {
    case "none":
      return undefined;
    case "project":
      return projectFacts();
    case "work":
      return { ...projectFacts(), ownWork: coin() };
    case "workspace":
      return workspaceFacts();
    case "member":
      return { isSelf: random() < 0.1, targetIsOwner: random() < 0.1 };
    case "job":
      return { requestedByMe: coin() };
    case "dashboard":
      return dashboardTarget();
  }
}

const subjects: Subject[] = [];
const actions: Action[] = [];
const resources: ResourceFor<Action>[] = [];
const keys: string[] = [];
for (let i = 0; i < CASES; i++) {
  const subject = pick(SUBJECTS);
  const action = pick(ACTIONS);
  subjects.push(subject);
  actions.push(action);
  // About a third of the checks are role-only (no resource), as a UI or a middleware asks them.
  resources.push(random() < 0.33 ? undefined : resourceFor(action));
  keys.push(`${subject.status}:${subject.role ?? "-"}:${action}`);
}
const allowedKeys = new Set(keys.filter((_, i) => random() < 0.5 || i % 2 === 0));

function runCan(n: number): number {
  let allowed = 0;
  for (let i = 0; i < n; i++) {
    const j = i & MASK;
    if (can(subjects[j]!, actions[j]!, resources[j])) allowed++;
  }
  return allowed;
}

function runSetHas(n: number): number {
  let hits = 0;
  for (let i = 0; i < n; i++) {
    if (allowedKeys.has(keys[i & MASK]!)) hits++;
  }
  return hits;
}

function time(run: (n: number) => number, n: number): { seconds: number; result: number } {
  const start = performance.now();
  const result = run(n);
  return { seconds: (performance.now() - start) / 1000, result };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};
const millions = (perSecond: number): string => `${(perSecond / 1e6).toFixed(1)}M/s`;

// Warm-up, so both loops are optimised before they are timed.
let sink = runCan(WARM_UP) + runSetHas(WARM_UP);

const canRates: number[] = [];
const setRates: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const c = time(runCan, CHECKS);
  const s = time(runSetHas, CHECKS);
  sink += c.result + s.result;
  canRates.push(CHECKS / c.seconds);
  setRates.push(CHECKS / s.seconds);
  console.log(
    `round ${round}: can() ${CHECKS.toLocaleString("en")} checks in ${(c.seconds * 1000).toFixed(0)} ms (${millions(CHECKS / c.seconds)}); ` +
      `Set.has ${(s.seconds * 1000).toFixed(0)} ms (${millions(CHECKS / s.seconds)})`,
  );
}

const canRate = median(canRates);
const setRate = median(setRates);
console.log(`can():   ${Math.round(canRate).toLocaleString("en")} checks/s (median of ${ROUNDS} rounds of ${CHECKS.toLocaleString("en")} mixed checks)`);
console.log(`Set.has: ${Math.round(setRate).toLocaleString("en")} lookups/s (baseline, same run)`);
console.log(`ratio can()/Set.has: ${(canRate / setRate).toFixed(2)}`);
console.log(`(checksum ${sink})`);

if (canRate < FLOOR) {
  console.error(`FAIL: can() ran ${Math.round(canRate).toLocaleString("en")} checks/s, below the floor of ${FLOOR.toLocaleString("en")}/s`);
  process.exit(1);
}
console.log(`ok: above the floor of ${FLOOR.toLocaleString("en")} checks/s`);
