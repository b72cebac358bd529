/**
 * Per-evaluation state and the primitives every plan uses: lazy navigation of plain-JSON documents,
 * iteration over collections, and the step budget.
 */
import type { BuiltinContext } from "../builtins/types.js";
import type { Location } from "../errors.js";
import { type Budget, checkDeadline, DEADLINE_EVERY, RegoLimitError } from "../limits.js";
import { fromJS, RegoObject, RegoSet, type Value, equals as valueEquals } from "../value.js";

const NO_SLOTS: (Value | undefined)[] = [];

/** A frame for a body with `n` variables; bodies without any share one frame per context. */
export function newFrame(c: Ctx, n: number): Frame {
  if (n > 0) return { s: new Array(n), c };
  if (c.zero === undefined) c.zero = { s: NO_SLOTS, c };
  return c.zero;
}

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

/** The context is also what builtins see (it carries `nowNs`), saving an allocation per evaluation. */
export interface Ctx extends BuiltinContext {
  /** Input document: plain JSON (converted lazily, see `rawInput`) or a Value. */
  input: unknown;
  rawInput: boolean;
  /** Base data document, same conventions. */
  data: unknown;
  rawData: boolean;
  /** Rule values computed in this context, by group id (then node id); NONE records "undefined". */
  cache: (Value | typeof NONE | undefined)[];
  /** Plain-JSON objects already converted in this evaluation. */
  converted: Map<object, Value> | undefined;
  /** Shared frame for rule bodies without variables (created on first use). */
  zero: Frame | undefined;
  /** Per-group overrides from `with data.x as v`. */
  groupOverrides: Map<number, Value> | null;
  fnOverrides: Map<string, FnOverride> | null;
  /** Shared by the contexts `with` derives; reset in place when a context is reused (policy.ts). */
  budget: Budget;
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

/**
 * Counts one evaluation step; throws when the budget or the deadline is exhausted. Steps are what
 * can repeat without bound: elements visited by iteration and user function calls (builtins charge
 * for the work they do, see limits.ts). Literals are not counted: without those two, a body runs
 * each literal at most once per rule evaluation, and rules are evaluated at most once per context.
 */
export function tick(c: Ctx): void {
  const b = c.budget;
  const n = ++b.steps;
  if (n > b.maxSteps) throw new RegoLimitError(`evaluation exceeded the step budget (${b.maxSteps} steps)`);
  if ((n & (DEADLINE_EVERY - 1)) === 0) checkDeadline(b);
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return (
    typeof x === "object" && x !== null && !Array.isArray(x) && !(x instanceof RegoObject) && !(x instanceof RegoSet)
  );
}

/** One step of navigation in a document that may still be plain JSON. */
export function child(x: unknown, key: Value): unknown {
  if (typeof x !== "object" || x === null) return undefined;
  if (x instanceof RegoObject) return x.get(key);
  if (Array.isArray(x)) {
    return typeof key === "number" && Number.isInteger(key) && key >= 0 ? x[key] : undefined;
  }
  if (x instanceof RegoSet) return x.has(key) ? key : undefined;
  if (typeof key !== "string") return undefined;
  // A plain JSON object. Inherited members of Object.prototype are functions (JSON has none) or
  // the `__proto__` accessor, so one keyed load plus those two checks replaces Object.hasOwn.
  const v = (x as Record<string, unknown>)[key];
  if (v === undefined || typeof v === "function") return undefined;
  return key === "__proto__" && !Object.hasOwn(x, key) ? undefined : v;
}

/**
 * Converts what navigation found into a Value: plain JSON is converted here, on exit, and at most
 * once per evaluation (memoised on the context) however often a policy reads the same object.
 */
export function toValue(x: unknown, raw: boolean, c?: Ctx): Value | undefined {
  if (x === undefined) return undefined;
  if (!raw || typeof x !== "object" || x === null) return x as Value;
  if (!c) return fromJS(x);
  if (c.converted === undefined) c.converted = new Map();
  let v = c.converted.get(x);
  if (v === undefined) {
    v = fromJS(x);
    c.converted.set(x, v);
  }
  return v;
}

// Values are immutable once built (see value.ts), so their element lists can be cached; iterating
// a plain array is much cheaper than value.ts's generators, and constant sets are iterated on
// every evaluation.
const SET_ELEMENTS = new WeakMap<RegoSet, readonly Value[]>();
const OBJECT_ENTRIES = new WeakMap<RegoObject, readonly [Value, Value][]>();

function setElements(s: RegoSet): readonly Value[] {
  let a = SET_ELEMENTS.get(s);
  if (a === undefined) {
    a = [...s];
    SET_ELEMENTS.set(s, a);
  }
  return a;
}

function objectEntries(o: RegoObject): readonly [Value, Value][] {
  let a = OBJECT_ENTRIES.get(o);
  if (a === undefined) {
    a = [...o.entries()];
    OBJECT_ENTRIES.set(o, a);
  }
  return a;
}

/** Calls `k(key, element)` for each element of a (possibly plain JSON) collection. */
export function eachEntry(x: unknown, k: (key: Value, v: unknown) => boolean): boolean {
  if (typeof x !== "object" || x === null) return false;
  if (x instanceof RegoObject) {
    for (const [key, v] of objectEntries(x)) if (k(key, v)) return true;
    return false;
  }
  if (x instanceof RegoSet) {
    for (const v of setElements(x)) if (k(v, v)) return true;
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
