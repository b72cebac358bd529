/** Pattern matching (unification of a term against a value) for `=`, `:=`, `some … in` and arguments. */
import type { IR } from "./ir.js";
import type { Slots } from "./order.js";
import { compileTerm } from "./plan-terms.js";
import type { CompileCtx, MatchPlan } from "./plan-types.js";
import type { Frame, K0 } from "./runtime.js";
import { equals, RegoObject, type Value } from "./value.js";

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
    const arr = v as readonly Value[];
    const step = (i: number): boolean =>
      i === n ? k() : (items[i] as MatchPlan)(f, arr[i] as Value, () => step(i + 1));
    return step(0);
  };
}

function objectMatch(t: Extract<IR, { k: "object" }>, bound: Slots, cc: CompileCtx): MatchPlan {
  const keys = t.entries.map(([key]) => compileTerm(key, bound, cc));
  const vals = t.entries.map(([, v]) => compileMatch(v, bound, cc));
  const n = keys.length;
  return (f: Frame, v: Value, k: K0) => {
    if (!(v instanceof RegoObject) || v.size !== n) return false;
    const step = (i: number): boolean => {
      if (i === n) return k();
      return (keys[i] as (typeof keys)[number]).ev(f, (key) => {
        const el = v.get(key);
        return el !== undefined && (vals[i] as MatchPlan)(f, el, () => step(i + 1));
      });
    };
    return step(0);
  };
}
