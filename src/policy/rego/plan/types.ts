/** Shapes shared by the plan compilers (terms, bodies, rules). */
import type { BuiltinTable } from "../builtins/types.js";
import type { IRBody } from "../compile/ir.js";
import type { Slots } from "../compile/order.js";
import type { Frame, K0, K1 } from "../eval/runtime.js";
import type { Value } from "../value.js";

/** A compiled term: `ev` enumerates its values; `get` exists when it never iterates. */
export interface TermPlan {
  readonly ev: (f: Frame, k: K1) => boolean;
  readonly get: ((f: Frame) => Value | undefined) | undefined;
  /**
   * For refs into documents: the unconverted node (plain JSON when `raw(f)`), so iteration and
   * type tests can skip converting an input object they only look into.
   */
  readonly doc?: { readonly find: (f: Frame) => unknown; readonly raw: (f: Frame) => boolean };
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
  /** The value of a group that is one constant definition (`x := {"a", "b"}`), if it is one. */
  groupConstant(id: number): Value | undefined;
  /** Groups below a data path, with their path relative to it (for `with data.x as …`). */
  groupsUnder(path: readonly string[]): [number, string[]][];
  /**
   * Records that the definition being compiled reads something other than its arguments and rules:
   * input, base data, the clock, `with`, print. Groups that never do are pure (see compile/policy-compiler.ts).
   */
  noteImpure(): void;
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
  return productFrom(plans, f, new Array(plans.length), 0, k);
}

function productFrom(
  plans: readonly TermPlan[],
  f: Frame,
  vals: Value[],
  i: number,
  k: (vals: Value[]) => boolean,
): boolean {
  if (i === plans.length) return k(vals.slice());
  return (plans[i] as TermPlan).ev(f, (v) => {
    vals[i] = v;
    return productFrom(plans, f, vals, i + 1, k);
  });
}
