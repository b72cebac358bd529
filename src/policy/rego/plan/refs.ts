/**
 * Compiles refs: `input.…`, `data.…` (resolved against the rule tree at compile time), and refs
 * into locals or other terms. Constant paths get unrolled walks; the rest walks step by step,
 * iterating where a key variable is unbound.
 */
import type { IR } from "../compile/ir.js";
import type { Slots } from "../compile/order.js";
import { child, eachEntry, type Frame, type K1, tick, toValue } from "../eval/runtime.js";
import type { Value } from "../value.js";
import { type CompileCtx, fromGet, type TermPlan } from "./types.js";

type TermCompiler = (t: IR, bound: Slots, cc: CompileCtx) => TermPlan;

/** Root accessor flag for Values (rule results, locals): never plain JSON. */
const NEVER_RAW = (): boolean => false;

type Step =
  | { readonly kind: "const"; readonly key: Value }
  | { readonly kind: "var"; readonly slot: number }
  | { readonly kind: "term"; readonly plan: TermPlan };

export function compileRefTerm(
  t: Extract<IR, { k: "ref" }>,
  bound: Slots,
  cc: CompileCtx,
  term: TermCompiler,
): TermPlan {
  const head = t.head;
  if (head.k === "root" && head.root === "data") return compileData(t.path, bound, cc, term);
  return compileRef(head, t.path, bound, cc, term);
}

/** A `data` ref: the constant prefix is resolved against the rule tree at compile time. */
export function compileData(path: readonly IR[], bound: Slots, cc: CompileCtx, term: TermCompiler): TermPlan {
  const consts: string[] = [];
  for (const s of path) {
    if (s.k !== "const" || typeof s.v !== "string") break;
    consts.push(s.v);
  }
  const target = cc.resolveData(consts);
  if (target.kind === "base") {
    const steps = path.map((s) => step(s, bound, cc, term));
    return walker(
      steps,
      (f) => f.c.data,
      (f) => f.c.rawData,
      isStatic(steps, bound),
    );
  }
  const rest = path.slice(target.depth).map((s) => step(s, bound, cc, term));
  const id = target.id;
  const constant = target.kind === "group" ? cc.groupConstant(id) : undefined;
  const keys = constKeys(rest);
  if (keys && target.kind === "group") return groupPath(id, keys, constant);
  const root =
    constant !== undefined
      ? // A constant rule is read without a cache lookup unless `with` may have replaced it.
        (f: Frame) => (f.c.groupOverrides === null ? constant : f.c.rt.groupValue(f.c, id))
      : target.kind === "group"
        ? (f: Frame) => f.c.rt.groupValue(f.c, id)
        : (f: Frame) => f.c.rt.nodeValue(f.c, id);
  return walker(rest, root, NEVER_RAW, isStatic(rest, bound));
}

export function compileRef(head: IR, path: readonly IR[], bound: Slots, cc: CompileCtx, term: TermCompiler): TermPlan {
  const steps = path.map((s) => step(s, bound, cc, term));
  const fixed = isStatic(steps, bound);
  if (head.k === "root") {
    cc.noteImpure();
    const keys = constKeys(steps);
    if (keys) return inputPath(keys);
    return walker(
      steps,
      (f) => f.c.input,
      (f) => f.c.rawInput,
      fixed,
    );
  }
  if (head.k === "local") {
    const slot = head.slot;
    return walker(steps, (f) => f.s[slot], NEVER_RAW, fixed);
  }
  const hp = term(head, bound, cc);
  if (hp.get && fixed) {
    const w = walker(steps, hp.get, NEVER_RAW, true);
    return w;
  }
  return {
    get: undefined,
    ev: (f, k) => hp.ev(f, (hv) => walkFrom(steps, 0, hv, f, false, k)),
  };
}

function step(s: IR, bound: Slots, cc: CompileCtx, term: TermCompiler): Step {
  if (s.k === "const") return { kind: "const", key: s.v };
  if (s.k === "local") return { kind: "var", slot: s.slot };
  return { kind: "term", plan: term(s, bound, cc) };
}

function isStatic(steps: readonly Step[], bound: Slots): boolean {
  return steps.every((s) => s.kind === "const" || (s.kind === "var" ? bound.has(s.slot) : s.plan.get !== undefined));
}

function walker(
  steps: readonly Step[],
  root: (f: Frame) => unknown,
  raw: (f: Frame) => boolean,
  fixed: boolean,
): TermPlan {
  if (!fixed) {
    return { get: undefined, ev: (f, k) => walkFrom(steps, 0, root(f), f, raw(f), k) };
  }
  let find: (f: Frame) => unknown;
  if (steps.every((s) => s.kind === "const")) {
    const keys = steps.map((s) => (s as { key: Value }).key);
    find = (f) => {
      let x = root(f);
      for (let i = 0; i < keys.length && x !== undefined; i++) x = child(x, keys[i] as Value);
      return x;
    };
  } else {
    find = (f) => {
      let x = root(f);
      for (let i = 0; i < steps.length && x !== undefined; i++) {
        const key = stepKey(steps[i] as Step, f);
        if (key === undefined) return undefined;
        x = child(x, key);
      }
      return x;
    };
  }
  // Rule values and locals are Values already: only documents that may be plain JSON need toValue.
  const plan =
    raw === NEVER_RAW
      ? fromGet(find as (f: Frame) => Value | undefined)
      : fromGet((f) => toValue(find(f), raw(f), f.c));
  return { ...plan, doc: { find, raw } };
}

function constKeys(steps: readonly Step[]): Value[] | undefined {
  const keys: Value[] = [];
  for (const s of steps) {
    if (s.kind !== "const") return undefined;
    keys.push(s.key);
  }
  return keys;
}

/**
 * `input.a.b` with a constant path, the most common term: the walk reads the context directly
 * (short paths unrolled) instead of going through root and raw accessors.
 */
function inputPath(keys: readonly Value[]): TermPlan {
  const [k0, k1, k2] = keys;
  let find: (f: Frame) => unknown;
  if (keys.length === 0) find = (f) => f.c.input;
  else if (keys.length === 1) find = (f) => child(f.c.input, k0 as Value);
  else if (keys.length === 2) find = (f) => child(child(f.c.input, k0 as Value), k1 as Value);
  else if (keys.length === 3) find = (f) => child(child(child(f.c.input, k0 as Value), k1 as Value), k2 as Value);
  else {
    find = (f) => {
      let x: unknown = f.c.input;
      for (let i = 0; i < keys.length && x !== undefined; i++) x = child(x, keys[i] as Value);
      return x;
    };
  }
  const get = (f: Frame): Value | undefined => {
    const x = find(f);
    if (x === undefined || typeof x !== "object" || x === null) return x as Value | undefined;
    return toValue(x, f.c.rawInput, f.c);
  };
  return { get, ev: fromGet(get).ev, doc: { find, raw: (f) => f.c.rawInput } };
}

/**
 * `data.pkg.rule.a.b` with constant keys: a constant rule's member is found at compile time; others
 * read the rule's value and walk it (short paths unrolled).
 */
function groupPath(id: number, keys: readonly Value[], constant: Value | undefined): TermPlan {
  const walk = (x: unknown): Value | undefined => {
    for (let i = 0; i < keys.length && x !== undefined; i++) x = child(x, keys[i] as Value);
    return x as Value | undefined;
  };
  const value = (f: Frame): Value | undefined => f.c.rt.groupValue(f.c, id);
  let find: (f: Frame) => Value | undefined;
  if (constant !== undefined) {
    // Unless `with` may have replaced the rule, its member is this constant.
    const folded = walk(constant);
    find = (f) => (f.c.groupOverrides === null ? folded : walk(value(f)));
  } else if (keys.length === 0) find = value;
  else if (keys.length === 1) {
    const k0 = keys[0] as Value;
    find = (f) => child(value(f), k0) as Value | undefined;
  } else find = (f) => walk(value(f));
  return { ...fromGet(find), doc: { find, raw: NEVER_RAW } };
}

function stepKey(s: Step, f: Frame): Value | undefined {
  if (s.kind === "const") return s.key;
  if (s.kind === "var") return f.s[s.slot];
  return s.plan.get?.(f);
}

/** Walks `steps` from `x`, iterating (and binding) where a key variable is unbound. */
function walkFrom(steps: readonly Step[], i: number, x: unknown, f: Frame, raw: boolean, k: K1): boolean {
  let cur = x;
  for (let j = i; j < steps.length; j++) {
    if (cur === undefined) return false;
    const s = steps[j] as Step;
    if (s.kind === "const") {
      cur = child(cur, s.key);
      continue;
    }
    if (s.kind === "var") {
      const bound = f.s[s.slot];
      if (bound !== undefined) {
        cur = child(cur, bound);
        continue;
      }
      const slot = s.slot;
      const from = cur;
      return eachEntry(from, (key, v) => {
        tick(f.c);
        f.s[slot] = key;
        const stop = walkFrom(steps, j + 1, v, f, raw, k);
        f.s[slot] = undefined;
        return stop;
      });
    }
    const from = cur;
    return s.plan.ev(f, (key) => walkFrom(steps, j + 1, child(from, key), f, raw, k));
  }
  const v = toValue(cur, raw, f.c);
  return v !== undefined && k(v);
}
