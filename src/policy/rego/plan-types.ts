/** Shapes shared by the plan compilers (terms, bodies, rules). */
import type { BuiltinTable } from "./builtins/types.js";
import type { IRBody } from "./ir.js";
import type { Slots } from "./order.js";
import type { Frame, K0, K1 } from "./runtime.js";
import type { Value } from "./value.js";

/** A compiled term: `ev` enumerates its values; `get` exists when it never iterates. */
export interface TermPlan {
  readonly ev: (f: Frame, k: K1) => boolean;
  readonly get: ((f: Frame) => Value | undefined) | undefined;
}

/** A compiled body or literal chain; returns true when the continuation asked to stop. */
export type Goal = (f: Frame, k: K0) => boolean;

/** Unifies a term, as a pattern, with a value. */
export type MatchPlan = (f: Frame, v: Value, k: K0) => boolean;

/** Where a constant `data.…` path lands in the rule tree. */
export type DataTarget =
  | { readonly kind: "group"; readonly id: number; readonly depth: number }
  | { readonly kind: "node"; readonly id: number; readonly depth: number }
  | { readonly kind: "base" };

export interface CompileCtx {
  readonly builtins: BuiltinTable;
  /** Resolves the longest constant prefix of a data path. */
  resolveData(path: readonly string[]): DataTarget;
  /** Groups below a data path, with their path relative to it (for `with data.x as …`). */
  groupsUnder(path: readonly string[]): [number, string[]][];
  /** Group id of a function by its data path (without "data"). */
  functionGroup(path: readonly string[]): number;
  /** Variable names of the frame being compiled (for "var x is unsafe" messages). */
  names: readonly string[];
  /** Compiles a nested body given the slots bound when it starts. */
  body(b: IRBody, bound: Slots): { goal: Goal; bound: Slots };
}

export function fromGet(get: (f: Frame) => Value | undefined): TermPlan {
  return {
    get,
    ev: (f, k) => {
      const v = get(f);
      return v !== undefined && k(v);
    },
  };
}

/** The first value `plan` produces, or undefined. */
export function firstValue(plan: TermPlan, f: Frame): Value | undefined {
  if (plan.get) return plan.get(f);
  let out: Value | undefined;
  plan.ev(f, (x) => {
    out = x;
    return true;
  });
  return out;
}

/** Enumerates the cartesian product of several plans' values. */
export function product(plans: readonly TermPlan[], f: Frame, k: (vals: Value[]) => boolean): boolean {
  const vals: Value[] = new Array(plans.length);
  const step = (i: number): boolean => {
    if (i === plans.length) return k(vals.slice());
    const p = plans[i] as TermPlan;
    return p.ev(f, (v) => {
      vals[i] = v;
      return step(i + 1);
    });
  };
  return step(0);
}
