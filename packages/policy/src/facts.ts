// Resource facts and scope rules.
//
// A scoped check needs to know a few things about the resource relative to the caller. Each of
// those is one boolean fact, and every scope rule is a disjunction of conjunctions of fact
// literals. `can()` evaluates exactly these rules; the api compiles the same rules to SQL by
// mapping each fact name to an SQL predicate (see `foldRule`). No rule is written twice.

/** Facts about a project relative to the caller. Every field is required: a forgotten fact would read as `false`. */
export interface ProjectFacts {
  /** The project's workspace is a sandbox (anyone's). */
  readonly inSandbox: boolean;
  /** The project's workspace is the caller's own sandbox. Implies `inSandbox`. */
  readonly ownSandbox: boolean;
  /** The caller is a member of the project's workspace. */
  readonly workspaceMember: boolean;
  /** The caller created the project. */
  readonly createdByMe: boolean;
  /** The caller was added to the project directly. */
  readonly projectMember: boolean;
  /** The caller has a task assignment (annotate or review) in the project. */
  readonly assigned: boolean;
  /** The project's setting lets annotators view their own data. */
  readonly annotatorsMayViewOwnData: boolean;
}

/**
 * Facts about a piece of work in a project (tasks, annotations, performance figures) relative
 * to the caller: the project's facts plus whether the work is the caller's own. Used by
 * `data.view` and `performance.review`, whose annotator cells are limited to own work.
 */
export interface WorkFacts extends ProjectFacts {
  /** The work is the caller's own: a task assigned to them, an annotation or figures of theirs. */
  readonly ownWork: boolean;
}

/** Facts about a workspace relative to the caller. */
export interface WorkspaceFacts {
  /** The workspace is a sandbox (anyone's). */
  readonly isSandbox: boolean;
  /** The workspace is the caller's own sandbox. Implies `isSandbox`. */
  readonly ownSandbox: boolean;
  /** The caller is a member of the workspace. */
  readonly workspaceMember: boolean;
  /** The caller created the workspace. */
  readonly createdByMe: boolean;
}

/** Facts about another membership that the caller acts on (change role, remove). */
export interface MemberFacts {
  /** The membership is the caller's own. */
  readonly isSelf: boolean;
  /** The membership is the organization owner's. */
  readonly targetIsOwner: boolean;
}

/** Facts about a background job (for example a project duplication). */
export interface JobFacts {
  /** The caller started the job. */
  readonly requestedByMe: boolean;
}

/** Project fact names, in bit order (bit i of a project's fact mask is `PROJECT_FACTS[i]`). */
export const PROJECT_FACTS = [
  "inSandbox",
  "ownSandbox",
  "workspaceMember",
  "createdByMe",
  "projectMember",
  "assigned",
  "annotatorsMayViewOwnData",
] as const;
/** Work fact names: the project's, then `ownWork`. */
export const WORK_FACTS = [...PROJECT_FACTS, "ownWork"] as const;
/** Workspace fact names, in bit order. */
export const WORKSPACE_FACTS = ["isSandbox", "ownSandbox", "workspaceMember", "createdByMe"] as const;
/** Member fact names, in bit order. */
export const MEMBER_FACTS = ["isSelf", "targetIsOwner"] as const;
/** Job fact names. */
export const JOB_FACTS = ["requestedByMe"] as const;

/** Every fact name, once each. */
export const FACT_NAMES = [
  "inSandbox",
  "ownSandbox",
  "workspaceMember",
  "createdByMe",
  "projectMember",
  "assigned",
  "annotatorsMayViewOwnData",
  "ownWork",
  "isSandbox",
  "isSelf",
  "targetIsOwner",
  "requestedByMe",
] as const;

/** A project fact name. */
export type ProjectFact = (typeof PROJECT_FACTS)[number];
/** A work fact name. */
export type WorkFact = (typeof WORK_FACTS)[number];
/** A workspace fact name. */
export type WorkspaceFact = (typeof WORKSPACE_FACTS)[number];
/** A member fact name. */
export type MemberFact = (typeof MEMBER_FACTS)[number];
/** A job fact name. */
export type JobFact = (typeof JOB_FACTS)[number];
/** Any fact name. */
export type FactName = (typeof FACT_NAMES)[number];

// Compile-time proof that each tuple names exactly the fields of its interface, and that
// FACT_NAMES is the union of all of them.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _factsMatch: [
  Same<ProjectFact, keyof ProjectFacts>,
  Same<WorkFact, keyof WorkFacts>,
  Same<WorkspaceFact, keyof WorkspaceFacts>,
  Same<MemberFact, keyof MemberFacts>,
  Same<JobFact, keyof JobFacts>,
  Same<FactName, ProjectFact | WorkFact | WorkspaceFact | MemberFact | JobFact>,
] = [true, true, true, true, true, true];

/** One fact, or its negation when `not` is true. */
export interface Literal<F extends string = string> {
  readonly fact: F;
  readonly not?: boolean;
}

/** All of these literals hold. The empty conjunction is true. */
export type Conjunction<F extends string = string> = readonly Literal<F>[];

/** At least one of these conjunctions holds: `[]` is false, `[[]]` is true. */
export type Rule<F extends string = string> = readonly Conjunction<F>[];

/** A value for every fact named by `F`. */
export type FactValues<F extends string> = { readonly [K in F]: boolean };

/** True when some conjunction of the rule has all its literals satisfied by the facts. */
export function evaluateRule<F extends string>(rule: Rule<F>, facts: FactValues<F>): boolean {
  for (const conjunction of rule) {
    let holds = true;
    for (const literal of conjunction) {
      if ((facts[literal.fact] === true) === (literal.not === true)) {
        holds = false;
        break;
      }
    }
    if (holds) return true;
  }
  return false;
}

/** How `foldRule` builds a value (an SQL fragment, a query-builder node) from a rule. */
export interface RuleFolder<F extends string, T> {
  /** One fact, negated or not. */
  literal(fact: F, negated: boolean): T;
  /** A conjunction; called with no terms for the always-true conjunction. */
  and(terms: readonly T[]): T;
  /** A disjunction; called with no terms for the always-false rule. */
  or(terms: readonly T[]): T;
}

/**
 * Turns a rule into anything built from literals, AND and OR: this is how the api compiles a
 * scope rule to SQL, by mapping each fact name to an SQL predicate.
 */
export function foldRule<F extends string, T>(rule: Rule<F>, folder: RuleFolder<F, T>): T {
  return folder.or(rule.map((conjunction) => folder.and(conjunction.map((l) => folder.literal(l.fact, l.not === true)))));
}

/** A readable form of a rule, for logs and error messages: `ownSandbox OR (NOT inSandbox AND createdByMe)`. */
export function formatRule(rule: Rule): string {
  if (rule.length === 0) return "false";
  return rule
    .map((conjunction) => {
      if (conjunction.length === 0) return "true";
      const text = conjunction.map((l) => (l.not === true ? `NOT ${l.fact}` : l.fact)).join(" AND ");
      return conjunction.length > 1 && rule.length > 1 ? `(${text})` : text;
    })
    .join(" OR ");
}

// ---- Internal combinators, used when the table is compiled at module load. ----

/** The always-true rule. */
export const TRUE_RULE: Rule<never> = [[]];
/** The always-false rule. */
export const FALSE_RULE: Rule<never> = [];

/** A pair `[a, b]` meaning fact `a` implies fact `b` (so `a AND NOT b` can never hold). */
export type Implication<F extends string> = readonly [F, F];

/**
 * Drops repeated literals, conjunctions that can never hold (`x AND NOT x`, or breaking an
 * implication such as `ownSandbox AND NOT inSandbox`), and conjunctions implied by a shorter one.
 */
export function simplifyRule<F extends string>(rule: Rule<F>, implications: readonly Implication<F>[] = []): Rule<F> {
  const conjunctions: Literal<F>[][] = [];
  for (const conjunction of rule) {
    const kept: Literal<F>[] = [];
    let possible = true;
    for (const literal of conjunction) {
      const not = literal.not === true;
      if (kept.some((k) => k.fact === literal.fact && (k.not === true) === not)) continue;
      if (kept.some((k) => k.fact === literal.fact)) possible = false;
      kept.push(not ? { fact: literal.fact, not: true } : { fact: literal.fact });
    }
    for (const [a, b] of implications) {
      if (kept.some((k) => k.fact === a && k.not !== true) && kept.some((k) => k.fact === b && k.not === true)) possible = false;
    }
    if (possible) conjunctions.push(kept);
  }
  const implies = (small: Literal<F>[], big: Literal<F>[]): boolean =>
    small.every((s) => big.some((b) => b.fact === s.fact && (b.not === true) === (s.not === true)));
  const result: Literal<F>[][] = [];
  conjunctions.forEach((conjunction, i) => {
    const subsumed = conjunctions.some(
      (other, j) => j !== i && implies(other, conjunction) && (other.length < conjunction.length || j < i),
    );
    if (!subsumed) result.push(conjunction);
  });
  return result;
}

/** Both rules hold (distributes into a disjunction of conjunctions). */
export function ruleAnd<F extends string>(left: Rule<F>, right: Rule<F>): Rule<F> {
  const out: Literal<F>[][] = [];
  for (const a of left) for (const b of right) out.push([...a, ...b]);
  return out;
}

/** Either rule holds. */
export function ruleOr<F extends string>(left: Rule<F>, right: Rule<F>): Rule<F> {
  return [...left, ...right];
}

/** Deep-freezes a rule so that the shared copies handed out cannot be altered by a caller. */
export function freezeRule<F extends string>(rule: Rule<F>): Rule<F> {
  for (const conjunction of rule) {
    for (const literal of conjunction) Object.freeze(literal);
    Object.freeze(conjunction);
  }
  return Object.freeze(rule);
}

/** The facts object whose fact `names[i]` is bit i of `bits`. */
export function factsFromBits<F extends string>(names: readonly F[], bits: number): FactValues<F> {
  const facts: Partial<Record<F, boolean>> = {};
  names.forEach((name, i) => {
    facts[name] = ((bits >>> i) & 1) === 1;
  });
  return facts as FactValues<F>;
}
