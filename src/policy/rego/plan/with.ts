/** `with` modifiers: evaluate one literal in a derived context (replaced input, data or functions). */
import type { IRWith } from "../compile/ir.js";
import type { Slots } from "../compile/order.js";
import { type Ctx, type FnOverride, type Frame, toValue } from "../eval/runtime.js";
import { RegoObject, type Value } from "../value.js";
import { invoker } from "./calls.js";
import { compileTerm } from "./terms.js";
import { type CompileCtx, firstValue, type Goal } from "./types.js";

type Apply = (c: Ctx, v: Value, f: Frame) => void;

/** Runs `inner` (the literal) with the modifiers applied, then `next` in the original context. */
export function compileWith(withs: readonly IRWith[], bound: Slots, inner: Goal, next: Goal, cc: CompileCtx): Goal {
  // Overrides are per evaluation: a definition that applies them is not pure.
  cc.noteImpure();
  const mods = withs.map((w) => ({ value: compileTerm(w.value, bound, cc), apply: applier(w, cc) }));
  return (f, k) => {
    const c: Ctx = { ...f.c, cache: new Array(f.c.cache.length), zero: undefined };
    for (const m of mods) {
      const v = firstValue(m.value, f);
      if (v === undefined) return false;
      m.apply(c, v, f);
    }
    const inside: Frame = { s: f.s, c };
    return inner(inside, () => next(f, k));
  };
}

function applier(w: IRWith, cc: CompileCtx): Apply {
  const [root, ...path] = w.target;
  if (w.fnName !== undefined) return fnApplier(w, w.fnName, cc);
  if (root === "input") {
    return (c, v) => {
      c.input = setPath(toValue(c.input, c.rawInput), path, v);
      c.rawInput = false;
    };
  }
  const target = cc.resolveData(path);
  return (c, v) => {
    if (target.kind === "group" && target.depth === path.length) {
      c.groupOverrides = new Map(c.groupOverrides ?? []);
      c.groupOverrides.set(target.id, v);
      return;
    }
    c.data = setPath(toValue(c.data, c.rawData), path, v);
    c.rawData = false;
    for (const [id, rel] of cc.groupsUnder(path)) {
      c.groupOverrides = new Map(c.groupOverrides ?? []);
      const sub = getPath(v, rel);
      if (sub !== undefined) c.groupOverrides.set(id, sub);
    }
  };
}

/** `with f as g` calls g instead; `with f as value` makes every call return the value. */
function fnApplier(w: IRWith, name: string, cc: CompileCtx): Apply {
  const replacement = w.replacement ? invoker(w.replacement, cc, w.loc) : undefined;
  return (c, v) => {
    c.fnOverrides = new Map(c.fnOverrides ?? []);
    const o: FnOverride = replacement ? (args, cc2) => replacement(cc2, args) : () => v;
    c.fnOverrides.set(name, o);
  };
}

function getPath(v: Value, path: readonly string[]): Value | undefined {
  let cur: Value | undefined = v;
  for (const p of path) cur = cur instanceof RegoObject ? cur.get(p) : undefined;
  return cur;
}

/** Returns a copy of `doc` with `value` placed at `path` (creating objects along the way). */
export function setPath(doc: Value | undefined, path: readonly string[], value: Value): Value {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  const out = new RegoObject();
  if (doc instanceof RegoObject) for (const [k, x] of doc.entries()) out.set(k, x);
  out.set(head, setPath(doc instanceof RegoObject ? doc.get(head) : undefined, rest, value));
  return out;
}
