/** Evaluates rule groups: complete, partial set, partial object and function rules. */
import { type Location, RegoEvalError } from "../errors.js";
import type { BranchPlan, DefPlan } from "../plan/rule.js";
import { equals, RegoObject, RegoSet, type Value } from "../value.js";
import { type Ctx, type Frame, newFrame, tick } from "./runtime.js";

export interface GroupPlan {
  readonly id: number;
  readonly name: string;
  readonly kind: "complete" | "object" | "set" | "function";
  /** Object whose leaves are sets (`contains` rules with ref-head keys). */
  readonly multi: boolean;
  readonly defs: readonly DefPlan[];
  readonly defaultDef: DefPlan | undefined;
  /** Every definition yields the same constant: stop at the first one that holds. */
  readonly sameConst: boolean;
  /** Candidate definitions for this evaluation (rule index); all of them when absent. */
  readonly candidates: ((c: Ctx) => readonly number[]) | undefined;
  /** Complete rules: each definition's value in a context, specialised once (see `defRunner`). */
  readonly runs: readonly DefRun[];
  readonly runDefault: DefRun | undefined;
}

/** Evaluates one definition of a complete rule in a fresh frame. */
export type DefRun = (c: Ctx) => Value | undefined;

/**
 * Specialises the evaluation of a complete rule's definition: the usual constant-valued one
 * (`allow if ...`) becomes "does the body have a solution", without the generic layers.
 */
export function defRunner(def: DefPlan, what: string): DefRun {
  const n = def.nslots;
  const cv = def.constValue;
  const br = def.branches[0];
  if (cv !== undefined && br) {
    const goal = br.goal;
    if (n === 0) return (c) => (goal(c.zero ?? newFrame(c, 0), STOP) ? cv : undefined);
    return (c) => (goal({ s: new Array(n), c }, STOP) ? cv : undefined);
  }
  const loc = def.rule.loc;
  const get = br?.value.get;
  if (br && def.branches.length === 1 && get) return singleBranchRunner(br.goal, get, n, what, loc);
  return (c) => defValue(newFrame(c, n), def, what, loc);
}

/**
 * `x := value if body` without `else`, value computed without iteration: the continuation is built
 * once and reads the current frame from `state`, saved and restored around each run so a nested
 * (re-entrant) run cannot disturb an outer one. Every solution is still checked for conflicts.
 */
function singleBranchRunner(
  goal: BranchPlan["goal"],
  get: (f: Frame) => Value | undefined,
  n: number,
  what: string,
  loc: Location,
): DefRun {
  const state: { f: Frame | undefined; out: Value | undefined } = { f: undefined, out: undefined };
  const take = (): boolean => {
    const v = get(state.f as Frame);
    if (v === undefined) return false;
    const out = state.out;
    if (out !== undefined && !equals(out, v)) {
      throw new RegoEvalError(`${what}: complete rules must not produce multiple outputs`, loc);
    }
    state.out = v;
    return false;
  };
  return (c) => {
    const f = newFrame(c, n);
    const outerF = state.f;
    const outerOut = state.out;
    state.f = f;
    state.out = undefined;
    goal(f, take);
    const v = state.out;
    state.f = outerF;
    state.out = outerOut;
    return v;
  };
}

const STOP = (): boolean => true;

function frame(c: Ctx, def: DefPlan): Frame {
  return newFrame(c, def.nslots);
}

/** Value of one definition: the first branch (rule, then its `else`s) that has a solution. */
function defValue(f: Frame, def: DefPlan, what: string, loc: Location): Value | undefined {
  const cv = def.constValue;
  // Hot path: a constant-valued rule needs one solution and no value closure.
  if (cv !== undefined) return (def.branches[0] as BranchPlan).goal(f, STOP) ? cv : undefined;
  for (const br of def.branches) {
    let out: Value | undefined;
    const stopEarly = def.constValue !== undefined;
    br.goal(f, () =>
      br.value.ev(f, (v) => {
        if (out !== undefined && !equals(out, v)) {
          throw new RegoEvalError(`${what}: complete rules must not produce multiple outputs`, loc);
        }
        out = v;
        return stopEarly;
      }),
    );
    if (out !== undefined) return out;
  }
  return undefined;
}

function defsFor(g: GroupPlan, c: Ctx): readonly number[] | undefined {
  return g.candidates?.(c);
}

export function evalComplete(c: Ctx, g: GroupPlan): Value | undefined {
  let result: Value | undefined;
  const idx = defsFor(g, c);
  const runs = g.runs;
  const n = idx ? idx.length : runs.length;
  for (let i = 0; i < n; i++) {
    const at = idx ? (idx[i] as number) : i;
    const v = (runs[at] as DefRun)(c);
    if (v === undefined) continue;
    if (result !== undefined && !equals(result, v)) {
      const loc = (g.defs[at] as DefPlan).rule.loc;
      throw new RegoEvalError(`${g.name}: complete rules must not produce multiple outputs`, loc);
    }
    result = v;
    if (g.sameConst) break;
  }
  if (result === undefined && g.runDefault) return g.runDefault(c);
  return result;
}

export function evalSet(c: Ctx, g: GroupPlan): Value {
  const out = new RegoSet();
  const idx = defsFor(g, c);
  const n = idx ? idx.length : g.defs.length;
  for (let i = 0; i < n; i++) addSetElements(c, g.defs[idx ? (idx[i] as number) : i] as DefPlan, out);
  return out;
}

function addSetElements(c: Ctx, def: DefPlan, out: RegoSet): void {
  const f = frame(c, def);
  const br = def.branches[0];
  if (!br) return;
  const once = def.constValue !== undefined;
  br.goal(f, () =>
    br.value.ev(f, (v) => {
      out.add(v);
      return once;
    }),
  );
}

export function evalObject(c: Ctx, g: GroupPlan): Value {
  const out = new RegoObject();
  const idx = defsFor(g, c);
  const n = idx ? idx.length : g.defs.length;
  for (let i = 0; i < n; i++) addObjectEntries(c, g, g.defs[idx ? (idx[i] as number) : i] as DefPlan, out);
  return out;
}

function addObjectEntries(c: Ctx, g: GroupPlan, def: DefPlan, out: RegoObject): void {
  const f = frame(c, def);
  const br = def.branches[0];
  if (!br) return;
  const once = def.constValue !== undefined && def.constKeys;
  br.goal(f, () => enumKeys(def, f, 0, [], (keys) => br.value.ev(f, (v) => insert(out, keys, v, g, def) || once)));
}

function enumKeys(def: DefPlan, f: Frame, i: number, acc: Value[], k: (keys: Value[]) => boolean): boolean {
  if (i === def.keys.length) return k(acc);
  const p = def.keys[i];
  return p ? p.ev(f, (v) => enumKeys(def, f, i + 1, [...acc, v], k)) : false;
}

/** Places `v` at `keys` inside `out`; a different value already there is a conflict. */
function insert(out: RegoObject, keys: readonly Value[], v: Value, g: GroupPlan, def: DefPlan): boolean {
  let obj = out;
  for (let i = 0; i < keys.length - 1; i++) {
    const key = keys[i] as Value;
    let next = obj.get(key);
    if (next === undefined) {
      next = new RegoObject();
      obj.set(key, next);
    }
    if (!(next instanceof RegoObject)) throw conflict(g, def);
    obj = next;
  }
  const last = keys[keys.length - 1] as Value;
  const prev = obj.get(last);
  if (g.multi) {
    // `p[a][b] contains x`: the leaves are sets that collect every contributed element.
    if (prev !== undefined && !(prev instanceof RegoSet)) throw conflict(g, def);
    obj.set(last, (prev ?? new RegoSet()).add(v));
    return false;
  }
  if (prev !== undefined && !equals(prev, v)) throw conflict(g, def);
  obj.set(last, v);
  return false;
}

function conflict(g: GroupPlan, def: DefPlan): RegoEvalError {
  return new RegoEvalError(
    `${g.name}: rule conflicts with the following rule (object keys must be unique)`,
    def.rule.loc,
  );
}

/** Calls a user function: each definition whose argument patterns match contributes its value. */
export function evalFunction(c: Ctx, g: GroupPlan, args: readonly Value[], loc: Location): Value | undefined {
  // Calls are not cached like rules, so nested calls could multiply without any iteration: count them.
  tick(c);
  let result: Value | undefined;
  for (const def of g.defs) {
    const v = callDef(c, def, args, g.name);
    if (v === undefined) continue;
    if (result !== undefined && !equals(result, v)) {
      throw new RegoEvalError(`${g.name}: functions must not produce multiple outputs for same inputs`, loc);
    }
    result = v;
    if (g.sameConst) break;
  }
  if (result === undefined && g.defaultDef) return callDef(c, g.defaultDef, args, g.name);
  return result;
}

function callDef(c: Ctx, def: DefPlan, args: readonly Value[], name: string): Value | undefined {
  const f = frame(c, def);
  const slots = def.argSlots;
  if (slots) {
    // Plain variable parameters (the usual case): no unification needed.
    for (let i = 0; i < slots.length; i++) f.s[slots[i] as number] = args[i];
    return defValue(f, def, name, def.rule.loc);
  }
  const out: { v: Value | undefined } = { v: undefined };
  bindArgs(f, def, args, 0, name, out);
  return out.v;
}

function bindArgs(
  f: Frame,
  def: DefPlan,
  args: readonly Value[],
  i: number,
  name: string,
  out: { v: Value | undefined },
): boolean {
  const pats = def.args ?? [];
  if (i === pats.length || i === args.length) {
    out.v = defValue(f, def, name, def.rule.loc);
    return out.v !== undefined;
  }
  const p = pats[i];
  return p ? p(f, args[i] as Value, () => bindArgs(f, def, args, i + 1, name, out)) : false;
}
