/**
 * Per-evaluation state and the primitives every plan uses: lazy navigation of plain-JSON documents,
 * iteration over collections, and the step budget.
 */
import type { BuiltinContext } from "./builtins/types.js";
import { type Location, RegoEvalError } from "./errors.js";
import { fromJS, RegoObject, RegoSet, type Value, equals as valueEquals } from "./value.js";

/** Cache marker for a rule that evaluated to undefined. */
export const NONE: unique symbol = Symbol("undefined");

/** A function override installed by `with f as g`. */
export type FnOverride = (args: readonly Value[], c: Ctx, loc: Location) => Value | undefined;

/** Rule-tree services the plans call back into (implemented by the policy). */
export interface RuleRuntime {
  groupValue(c: Ctx, group: number): Value | undefined;
  nodeValue(c: Ctx, node: number): Value | undefined;
  callFunction(c: Ctx, group: number, args: readonly Value[], loc: Location): Value | undefined;
}

export interface Ctx {
  /** Input document: plain JSON (converted lazily, see `rawInput`) or a Value. */
  input: unknown;
  rawInput: boolean;
  /** Base data document, same conventions. */
  data: unknown;
  rawData: boolean;
  /** Rule values computed in this context; NONE records "undefined" (null is a value). */
  cache: Map<number, Value | typeof NONE>;
  /** Per-group overrides from `with data.x as v`. */
  groupOverrides: Map<number, Value> | null;
  fnOverrides: Map<string, FnOverride> | null;
  readonly budget: { steps: number; readonly maxSteps: number; readonly deadline: number };
  readonly bctx: BuiltinContext;
  readonly print: ((msg: string) => void) | undefined;
  readonly strict: boolean;
  readonly rt: RuleRuntime;
}

export interface Frame {
  readonly s: (Value | undefined)[];
  readonly c: Ctx;
}

/** Continuation receiving a value; returning true stops the enumeration. */
export type K1 = (v: Value) => boolean;
/** Continuation after a successful goal; returning true stops the enumeration. */
export type K0 = () => boolean;

const DEADLINE_EVERY = 1024;

/** Counts one evaluation step; throws when the budget or the deadline is exhausted. */
export function tick(c: Ctx): void {
  const b = c.budget;
  const n = ++b.steps;
  if (n > b.maxSteps) throw new RegoEvalError(`evaluation exceeded the step budget (${b.maxSteps} steps)`);
  if (b.deadline !== 0 && (n & (DEADLINE_EVERY - 1)) === 0 && Date.now() > b.deadline) {
    throw new RegoEvalError("evaluation exceeded its deadline");
  }
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return (
    typeof x === "object" && x !== null && !Array.isArray(x) && !(x instanceof RegoObject) && !(x instanceof RegoSet)
  );
}

/** One step of navigation in a document that may still be plain JSON. */
export function child(x: unknown, key: Value): unknown {
  if (typeof x !== "object" || x === null) return undefined;
  // Plain JSON objects first: they are what callers pass as input.
  if (Object.getPrototypeOf(x) === Object.prototype) {
    return typeof key === "string" && Object.hasOwn(x, key) ? (x as Record<string, unknown>)[key] : undefined;
  }
  if (x instanceof RegoObject) return x.get(key);
  if (Array.isArray(x)) {
    return typeof key === "number" && Number.isInteger(key) && key >= 0 ? x[key] : undefined;
  }
  if (x instanceof RegoSet) return x.has(key) ? key : undefined;
  if (typeof key !== "string" || !Object.hasOwn(x, key)) return undefined;
  return (x as Record<string, unknown>)[key];
}

/** Converts what navigation found into a Value (plain JSON is converted here, once, on exit). */
export function toValue(x: unknown, raw: boolean): Value | undefined {
  if (x === undefined) return undefined;
  if (!raw || typeof x !== "object" || x === null) return x as Value;
  return fromJS(x);
}

/** Calls `k(key, element)` for each element of a (possibly plain JSON) collection. */
export function eachEntry(x: unknown, k: (key: Value, v: unknown) => boolean): boolean {
  if (typeof x !== "object" || x === null) return false;
  if (x instanceof RegoObject) {
    for (const [key, v] of x.entries()) if (k(key, v)) return true;
    return false;
  }
  if (x instanceof RegoSet) {
    for (const v of x) if (k(v, v)) return true;
    return false;
  }
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) if (k(i, x[i])) return true;
    return false;
  }
  if (isPlainObject(x)) {
    for (const key of Object.keys(x)) {
      const v = x[key];
      if (v !== undefined && k(key, v)) return true;
    }
  }
  return false;
}

/** `v in coll` / `key, v in coll` membership (OPA's internal.member_2/3). */
export function member(v: Value, coll: Value, key?: Value): boolean {
  if (Array.isArray(coll)) {
    if (key !== undefined) {
      const el = child(coll, key) as Value | undefined;
      return el !== undefined && valueEquals(el, v);
    }
    for (const el of coll) if (valueEquals(el, v)) return true;
    return false;
  }
  if (coll instanceof RegoSet) return (key === undefined || valueEquals(key, v)) && coll.has(v);
  if (coll instanceof RegoObject) {
    if (key !== undefined) {
      const el = coll.get(key);
      return el !== undefined && valueEquals(el, v);
    }
    for (const el of coll.values()) if (valueEquals(el, v)) return true;
  }
  return false;
}
