/** Compiles IR terms into closures: constants, variables, collections and comprehensions (refs: refs.ts). */
import type { IR } from "../compile/ir.js";
import type { Slots } from "../compile/order.js";
import { RegoEvalError } from "../errors.js";
import type { Frame } from "../eval/runtime.js";
import { equals as equalsValue, RegoObject, RegoSet, type Value } from "../value.js";
import { compileCall } from "./calls.js";
import { compileOperator } from "./operators.js";
import { compileData, compileRef, compileRefTerm } from "./refs.js";
import { type CompileCtx, fromGet, product, type TermPlan } from "./types.js";

/** Compiles `t`; `bound` lists the slots certainly bound when it runs (enables the `get` fast path). */
export function compileTerm(t: IR, bound: Slots, cc: CompileCtx): TermPlan {
  switch (t.k) {
    case "const": {
      const v = t.v;
      return fromGet(() => v);
    }
    case "local": {
      const slot = t.slot;
      return fromGet((f) => f.s[slot]);
    }
    case "root":
      return t.root === "input" ? compileRef(t, [], bound, cc, compileTerm) : compileData([], bound, cc, compileTerm);
    case "ref":
      return compileRefTerm(t, bound, cc, compileTerm);
    case "array":
      return collection(t.items, bound, cc, (vals) => vals);
    case "set":
      return collection(t.items, bound, cc, (vals) => RegoSet.from(vals));
    case "object": {
      const flat: IR[] = t.entries.flat();
      return collection(flat, bound, cc, (vals) => {
        const o = new RegoObject();
        for (let i = 0; i < vals.length; i += 2) o.set(vals[i] as Value, vals[i + 1] as Value);
        return o;
      });
    }
    case "compr":
      return compileCompr(t, bound, cc);
    case "call":
      return compileCall(t, bound, cc, compileTerm);
    case "binop":
    case "in":
      return compileOperator(t, bound, cc, compileTerm);
  }
}

function collection(items: readonly IR[], bound: Slots, cc: CompileCtx, build: (vals: Value[]) => Value): TermPlan {
  const plans = items.map((x) => compileTerm(x, bound, cc));
  const gets = plans.map((p) => p.get);
  if (gets.every((g) => g !== undefined)) {
    const gs = gets as ((f: Frame) => Value | undefined)[];
    return fromGet((f) => {
      const vals: Value[] = new Array(gs.length);
      for (let i = 0; i < gs.length; i++) {
        const v = (gs[i] as (f: Frame) => Value | undefined)(f);
        if (v === undefined) return undefined;
        vals[i] = v;
      }
      return build(vals);
    });
  }
  return { get: undefined, ev: (f, k) => product(plans, f, (vals) => k(build(vals))) };
}

function compileCompr(t: Extract<IR, { k: "compr" }>, bound: Slots, cc: CompileCtx): TermPlan {
  const { goal, bound: after } = cc.body(t.body, bound);
  const term = compileTerm(t.term, after, cc);
  const key = t.key ? compileTerm(t.key, after, cc) : undefined;
  // Key and value computed without iteration (the usual case): one continuation per evaluation,
  // none per solution.
  const kget = key?.get;
  const tget = term.get;
  if (t.kind === "object" && kget && tget) {
    return fromGet((f) => {
      const o = new RegoObject();
      goal(f, () => {
        const kv = kget(f);
        const v = kv === undefined ? undefined : tget(f);
        return kv !== undefined && v !== undefined && addEntry(o, kv, v, t.loc);
      });
      return o;
    });
  }
  if (t.kind === "set" && tget) {
    return fromGet((f) => {
      const s = new RegoSet();
      goal(f, () => {
        const v = tget(f);
        if (v !== undefined) s.add(v);
        return false;
      });
      return s;
    });
  }
  if (t.kind === "array" && tget) {
    return fromGet((f) => {
      const out: Value[] = [];
      goal(f, () => {
        const v = tget(f);
        if (v !== undefined) out.push(v);
        return false;
      });
      return out;
    });
  }
  if (t.kind === "object" && key) {
    return fromGet((f) => {
      const o = new RegoObject();
      goal(f, () => key.ev(f, (kv) => term.ev(f, (v) => addEntry(o, kv, v, t.loc))));
      return o;
    });
  }
  if (t.kind === "set") {
    return fromGet((f) => {
      const s = new RegoSet();
      goal(f, () =>
        term.ev(f, (v) => {
          s.add(v);
          return false;
        }),
      );
      return s;
    });
  }
  return fromGet((f) => {
    const out: Value[] = [];
    goal(f, () =>
      term.ev(f, (v) => {
        out.push(v);
        return false;
      }),
    );
    return out;
  });
}

function addEntry(o: RegoObject, k: Value, v: Value, loc: IR["loc"]): boolean {
  const prev = o.get(k);
  if (prev !== undefined && !equalsValue(prev, v)) {
    throw new RegoEvalError("object keys must be unique", loc);
  }
  o.set(k, v);
  return false;
}
