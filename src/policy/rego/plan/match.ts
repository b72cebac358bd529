/** Pattern matching (unification of a term against a value) for `=`, `:=`, `some … in` and arguments. */
import type { IR } from "../compile/ir.js";
import type { Slots } from "../compile/order.js";
import type { Frame, K0 } from "../eval/runtime.js";
import { equals, RegoObject, type Value } from "../value.js";
import { compileTerm } from "./terms.js";
import type { CompileCtx, MatchPlan, TermPlan } from "./types.js";

/** Compiles `t` as a pattern: unbound variables bind, everything else must equal the value. */
export function compileMatch(t: IR, bound: Slots, cc: CompileCtx): MatchPlan {
  if (t.k === "local") {
    const slot = t.slot;
    return (f, v, k) => {
      const cur = f.s[slot];
      if (cur !== undefined) return equals(cur, v) && k();
      f.s[slot] = v;
      const stop = k();
      f.s[slot] = undefined;
      return stop;
    };
  }
  if (t.k === "array") return arrayMatch(t.items.map((x) => compileMatch(x, bound, cc)));
  if (t.k === "object") return objectMatch(t, bound, cc);
  const plan = compileTerm(t, bound, cc);
  const get = plan.get;
  if (get) {
    return (f, v, k) => {
      const x = get(f);
      return x !== undefined && equals(x, v) && k();
    };
  }
  return (f, v, k) => plan.ev(f, (x) => equals(x, v) && k());
}

function arrayMatch(items: readonly MatchPlan[]): MatchPlan {
  const n = items.length;
  return (f, v, k) => {
    if (!Array.isArray(v) || v.length !== n) return false;
    return matchItems(items, f, v as readonly Value[], 0, k);
  };
}

function matchItems(items: readonly MatchPlan[], f: Frame, arr: readonly Value[], i: number, k: K0): boolean {
  if (i === items.length) return k();
  return (items[i] as MatchPlan)(f, arr[i] as Value, () => matchItems(items, f, arr, i + 1, k));
}

function objectMatch(t: Extract<IR, { k: "object" }>, bound: Slots, cc: CompileCtx): MatchPlan {
  const keys = t.entries.map(([key]) => compileTerm(key, bound, cc));
  const vals = t.entries.map(([, v]) => compileMatch(v, bound, cc));
  const n = keys.length;
  return (f: Frame, v: Value, k: K0) => {
    if (!(v instanceof RegoObject) || v.size !== n) return false;
    return matchEntries(keys, vals, f, v, 0, k);
  };
}

function matchEntries(
  keys: readonly TermPlan[],
  vals: readonly MatchPlan[],
  f: Frame,
  v: RegoObject,
  i: number,
  k: K0,
): boolean {
  if (i === keys.length) return k();
  return (keys[i] as TermPlan).ev(f, (key) => {
    const el = v.get(key);
    return el !== undefined && (vals[i] as MatchPlan)(f, el, () => matchEntries(keys, vals, f, v, i + 1, k));
  });
}
