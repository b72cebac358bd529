/** Compiles bodies: orders literals for safety, then chains one goal per literal. */

import type { IR, IRBody, IRLit } from "../compile/ir.js";
import { binds, needsEv, needsMatch, orderBody, type Slots } from "../compile/order.js";
import { RegoCompileError } from "../errors.js";
import { eachEntry, type Frame, type K0, tick, toValue } from "../eval/runtime.js";
import { canonicalKey, equals, RegoObject, type Value } from "../value.js";
import { compileMatch } from "./match.js";
import { compileTerm } from "./terms.js";
import type { CompileCtx, Goal, TermPlan } from "./types.js";
import { compileWith } from "./with.js";

const succeed: Goal = (_f, k) => k();
const STOP = (): boolean => true;

/** Compiles a body; returns its goal and the slots bound once it has succeeded. */
export function compileBody(
  body: IRBody,
  bound: Slots,
  cc: CompileCtx,
  names: readonly string[],
): { goal: Goal; bound: Slots } {
  const split = splitUnifications(body.lits);
  for (const l of split) if (l.kind === "expr" && l.r && l.op) checkShapes(l.l, l.r);
  const { lits, bound: states } = orderBody(split, bound, names);
  let goal: Goal = succeed;
  for (let i = lits.length - 1; i >= 0; i--) {
    goal = compileLiteral(lits[i] as IRLit, states[i] as Slots, goal, cc, names);
  }
  return { goal, bound: states[states.length - 1] ?? bound };
}

/** `[a, b] = [c, d]` becomes `a = c; b = d` so each side can bind the other's variables. */
function splitUnifications(lits: readonly IRLit[]): IRLit[] {
  const out: IRLit[] = [];
  for (const l of lits) {
    if (l.kind === "expr" && l.op === "=" && l.r && !l.negated && l.withs.length === 0) {
      const a = l.l;
      const b = l.r;
      if (a.k === "array" && b.k === "array" && a.items.length === b.items.length) {
        const parts = a.items.map((x, i): IRLit => ({ ...l, l: x, r: b.items[i] as IR }));
        out.push(...splitUnifications(parts));
        continue;
      }
    }
    out.push(l);
  }
  return out;
}

type Shape = { kind: "array"; n: number } | { kind: "object"; keys: string[] | undefined } | undefined;

function shapeOf(t: IR): Shape {
  if (t.k === "array") return { kind: "array", n: t.items.length };
  if (t.k === "object") {
    const keys = t.entries.map(([k]) => (k.k === "const" ? canonicalKey(k.v) : undefined));
    return { kind: "object", keys: keys.every((k) => k !== undefined) ? (keys as string[]).sort() : undefined };
  }
  if (t.k !== "const" || typeof t.v !== "object" || t.v === null) return undefined;
  if (Array.isArray(t.v)) return { kind: "array", n: t.v.length };
  if (t.v instanceof RegoObject) return { kind: "object", keys: [...t.v.keys()].map(canonicalKey).sort() };
  return undefined;
}

/** Unifying two literals of incompatible shape can never succeed: reject it at compile time, as OPA's type checker does. */
function checkShapes(l: IR, r: IR): void {
  const a = shapeOf(l);
  const b = shapeOf(r);
  if (!a || !b) return;
  if (a.kind !== b.kind) throw RegoCompileError.at(l.loc, "incompatible destructuring patterns: array vs object");
  if (a.kind === "array" && b.kind === "array" && a.n !== b.n) {
    throw RegoCompileError.at(l.loc, "mismatch in number of array elements");
  }
  if (a.kind === "object" && b.kind === "object" && a.keys && b.keys && a.keys.join() !== b.keys.join()) {
    throw RegoCompileError.at(l.loc, "object literal keys mismatch");
  }
}

function compileLiteral(l: IRLit, bound: Slots, next: Goal, cc: CompileCtx, names: readonly string[]): Goal {
  if (l.kind === "noop") return next;
  if ("withs" in l && l.withs.length > 0) {
    const inner = compileLiteral({ ...l, withs: [] }, bound, succeed, cc, names);
    return compileWith(l.withs, bound, inner, next, cc);
  }
  if (l.kind === "expr" && l.negated) {
    const inner = compileLiteral({ ...l, negated: false }, bound, succeed, cc, names);
    return (f, k) => {
      return inner(f, STOP) ? false : next(f, k);
    };
  }
  switch (l.kind) {
    case "expr":
      return l.r ? compileUnify(l.l, l.r, l.op === ":=", bound, next, cc) : compileTest(l.l, bound, next, cc);
    case "somein":
      return compileSomeIn(l, bound, next, cc);
    case "every":
      return compileEvery(l, bound, next, cc, names);
  }
}

/** A plain expression succeeds for every value that is neither undefined nor false. */
function compileTest(t: IR, bound: Slots, next: Goal, cc: CompileCtx): Goal {
  const plan = compileTerm(t, bound, cc);
  const get = plan.get;
  if (get) {
    return (f, k) => {
      const v = get(f);
      return v !== undefined && v !== false && next(f, k);
    };
  }
  return (f, k) => {
    return plan.ev(f, (v) => v !== false && next(f, k));
  };
}

function subset(a: Slots, b: Slots): boolean {
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

function compileUnify(l: IR, r: IR, assign: boolean, bound: Slots, next: Goal, cc: CompileCtx): Goal {
  const rFirst = assign || (subset(needsEv(r), bound) && subset(needsMatch(l), binds(r, new Set(bound))));
  const [valueSide, patternSide] = rFirst ? [r, l] : [l, r];
  const plan = compileTerm(valueSide, bound, cc);
  const match = compileMatch(patternSide, binds(valueSide, new Set(bound)), cc);
  const get = plan.get;
  if (get && patternSide.k === "local") return bindLocal(get, patternSide.slot, next);
  if (get) {
    return (f, k) => {
      const v = get(f);
      return v !== undefined && match(f, v, () => next(f, k));
    };
  }
  return (f, k) => {
    return plan.ev(f, (v) => match(f, v, () => next(f, k)));
  };
}

/** `x := e` / `x = e` with a plain variable: bind (or compare) without allocating a continuation. */
function bindLocal(get: (f: Frame) => Value | undefined, slot: number, next: Goal): Goal {
  return (f, k) => {
    const v = get(f);
    if (v === undefined) return false;
    const cur = f.s[slot];
    if (cur !== undefined) return equals(cur, v) && next(f, k);
    f.s[slot] = v;
    const stop = next(f, k);
    f.s[slot] = undefined;
    return stop;
  };
}

function compileSomeIn(l: Extract<IRLit, { kind: "somein" }>, bound: Slots, next: Goal, cc: CompileCtx): Goal {
  if (l.coll.k === "const" && (typeof l.coll.v !== "object" || l.coll.v === null)) {
    throw RegoCompileError.at(l.coll.loc, "`some .. in collection` expects array/set/object");
  }
  const coll = compileTerm(l.coll, bound, cc);
  const after = binds(l.coll, new Set(bound));
  if (l.value.k === "local" && (!l.key || l.key.k === "local")) {
    return someInLocals(coll, l.key?.k === "local" ? l.key.slot : -1, l.value.slot, next);
  }
  const key = l.key ? compileMatch(l.key, after, cc) : undefined;
  const value = compileMatch(l.value, after, cc);
  return (f, k) => {
    return coll.ev(f, (c) =>
      eachEntry(c, (kv, v) => {
        tick(f.c);
        if (!key) return value(f, v as Value, () => next(f, k));
        return key(f, kv, () => value(f, v as Value, () => next(f, k)));
      }),
    );
  };
}

/** `some v in xs` / `some k, v in xs` with fresh variables: bind slots directly (the common case). */
function someInLocals(coll: TermPlan, keySlot: number, valueSlot: number, next: Goal): Goal {
  const doc = coll.doc;
  if (doc) {
    // Iterate the document itself; only elements that are bound get converted.
    return (f, k) => {
      const raw = doc.raw(f);
      return eachEntry(doc.find(f), (kv, v) => {
        tick(f.c);
        return bindEntry(f, keySlot, kv, valueSlot, toValue(v, raw, f.c) as Value, next, k);
      });
    };
  }
  return (f, k) => {
    return coll.ev(f, (c) =>
      eachEntry(c, (kv, v) => {
        tick(f.c);
        return bindEntry(f, keySlot, kv, valueSlot, v as Value, next, k);
      }),
    );
  };
}

function bindEntry(f: Frame, keySlot: number, kv: Value, valueSlot: number, v: Value, next: Goal, k: K0): boolean {
  const s = f.s;
  const prevKey = keySlot >= 0 ? s[keySlot] : undefined;
  if (prevKey !== undefined && !equals(prevKey, kv)) return false;
  const prev = s[valueSlot];
  if (prev !== undefined && !equals(prev, v)) return false;
  if (keySlot >= 0) s[keySlot] = kv;
  s[valueSlot] = v;
  const stop = next(f, k);
  s[valueSlot] = prev;
  if (keySlot >= 0) s[keySlot] = prevKey;
  return stop;
}

/** `every` holds when the body succeeds for each element (vacuously for an empty collection). */
function compileEvery(
  l: Extract<IRLit, { kind: "every" }>,
  bound: Slots,
  next: Goal,
  cc: CompileCtx,
  names: readonly string[],
): Goal {
  const coll = compileTerm(l.coll, bound, cc);
  const inner = new Set(bound);
  if (l.key) binds(l.key, inner);
  binds(l.value, inner);
  const key = l.key ? compileMatch(l.key, bound, cc) : undefined;
  const value = compileMatch(l.value, bound, cc);
  const body = compileBody(l.body, inner, cc, names).goal;
  return (f, k) => {
    return coll.ev(f, (c) => {
      // Over a scalar `every` is undefined, not vacuously true.
      if (typeof c !== "object" || c === null) return false;
      const failed = eachEntry(c, (kv, v) => {
        tick(f.c);
        if (!key) return !value(f, v as Value, () => body(f, STOP));
        return !key(f, kv, () => value(f, v as Value, () => body(f, STOP)));
      });
      return !failed && next(f, k);
    });
  };
}
