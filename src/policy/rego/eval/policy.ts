/** The compiled policy: rule runtime (caching, documents) and the evaluation entry points. */
import { type CompiledRules, compileModules, resolveData } from "../compile/policy-compiler.js";
import type { Location } from "../errors.js";
import type { Module } from "../syntax/ast.js";
import { canonicalKey, RegoObject, RegoSet, type Value } from "../value.js";
import { evalComplete, evalFunction, evalObject, evalSet, type GroupPlan } from "./rules.js";
import { type Ctx, child, NONE, type RuleRuntime, toValue } from "./runtime.js";

export interface EvalOptions {
  /** Input document: plain JSON (read lazily, converted only where used) or a Value. */
  input?: unknown;
  /** Base document under `data`: plain JSON or a Value. */
  data?: unknown;
  /** Clock for `time.now_ns()`; defaults to the wall clock, read once per evaluation. */
  nowNs?: number;
  /** Step budget per evaluation (default 1,000,000). */
  maxSteps?: number;
  /** Wall-clock limit in milliseconds, checked every 1,024 steps of budget (builtins charge theirs, see limits.ts). */
  deadlineMs?: number;
  /** Receives `print(...)` output; print is a no-op without it. */
  print?: (msg: string) => void;
}

const DEFAULT_MAX_STEPS = 1_000_000;
const MAX_PURE_CALLS = 4096;

/** `with` may replace what a pure group reads: remembered values are used only without overrides. */
function noOverrides(c: Ctx): boolean {
  return c.groupOverrides === null && c.fnOverrides === null;
}

function isRaw(x: unknown): boolean {
  return typeof x === "object" && x !== null && !(x instanceof RegoObject) && !(x instanceof RegoSet);
}

export class PolicyRuntime implements RuleRuntime {
  readonly rules: CompiledRules;

  constructor(
    modules: readonly Module[],
    readonly strict: boolean,
  ) {
    this.rules = compileModules(modules);
    this.cacheSize = this.rules.groups.length + this.rules.tree.nodes.length;
  }

  private readonly cacheSize: number;

  private last: { opts: EvalOptions; input: unknown; data: unknown; ctx: Ctx } | undefined;

  /**
   * The context for one evaluation. Prepared rules called one after another with the same options
   * object (one decision read through several rules: allow, deny, ...) share one context, so rules
   * they have in common are computed once. Options objects are therefore treated as immutable.
   */
  contextFor(opts: EvalOptions | undefined): Ctx {
    const last = this.last;
    if (opts && last && last.opts === opts && last.input === opts.input && last.data === opts.data) {
      // Each prepared rule read is its own evaluation as far as the budget goes.
      const b = last.ctx.budget;
      b.steps = 0;
      b.maxSteps = opts.maxSteps ?? DEFAULT_MAX_STEPS;
      b.deadline = opts.deadlineMs !== undefined ? Date.now() + opts.deadlineMs : 0;
      return last.ctx;
    }
    const ctx = this.context(opts);
    this.last = opts ? { opts, input: opts.input, data: opts.data, ctx } : undefined;
    return ctx;
  }

  private budget(opts: EvalOptions): Ctx["budget"] {
    const deadline = opts.deadlineMs !== undefined ? Date.now() + opts.deadlineMs : 0;
    return { steps: 0, maxSteps: opts.maxSteps ?? DEFAULT_MAX_STEPS, deadline };
  }

  context(opts: EvalOptions = {}): Ctx {
    return {
      input: opts.input,
      rawInput: isRaw(opts.input),
      data: opts.data,
      rawData: isRaw(opts.data),
      cache: new Array(this.cacheSize),
      zero: undefined,
      converted: undefined,
      groupOverrides: null,
      fnOverrides: null,
      budget: this.budget(opts),
      nowNs: opts.nowNs ?? Date.now() * 1e6,
      print: opts.print,
      strict: this.strict,
      rt: this,
    };
  }

  groupValue(c: Ctx, id: number): Value | undefined {
    const o = c.groupOverrides?.get(id);
    if (o !== undefined) return o;
    const hit = c.cache[id];
    if (hit !== undefined) return hit === NONE ? undefined : hit;
    // Recursion is rejected at compile time (dynamic refs count as depending on every rule they
    // could reach), so no runtime cycle guard is needed here.
    const g = this.rules.groups[id] as GroupPlan;
    const v = this.rules.pure[id] && noOverrides(c) ? this.pureGroup(c, g) : this.computeGroup(c, g);
    c.cache[id] = v === undefined ? NONE : v;
    return v;
  }

  /** Values of pure groups, computed in the first evaluation that needs them (see CompiledRules.pure). */
  private readonly pureValues: (Value | typeof NONE | undefined)[] = [];

  private pureGroup(c: Ctx, g: GroupPlan): Value | undefined {
    const hit = this.pureValues[g.id];
    if (hit !== undefined) return hit === NONE ? undefined : hit;
    const v = this.computeGroup(c, g);
    this.pureValues[g.id] = v === undefined ? NONE : v;
    return v;
  }

  /** Results of pure functions by scalar arguments (one argument: the value itself; else its canonical key). */
  private readonly pureCalls: (Map<Value, Value | typeof NONE> | undefined)[] = [];

  private pureCall(c: Ctx, g: GroupPlan, args: readonly Value[], loc: Location): Value | undefined {
    let key: Value;
    if (args.length === 1) key = args[0] as Value;
    else {
      for (const a of args) if (a !== null && typeof a === "object") return evalFunction(c, g, args, loc);
      key = canonicalKey(args);
    }
    if (key !== null && typeof key === "object") return evalFunction(c, g, args, loc);
    let memo = this.pureCalls[g.id];
    if (memo === undefined) {
      memo = new Map();
      this.pureCalls[g.id] = memo;
    }
    const hit = memo.get(key);
    if (hit !== undefined) return hit === NONE ? undefined : hit;
    const v = evalFunction(c, g, args, loc);
    // Bounded: a function called with ever new arguments (user names, tool names) starts over.
    if (memo.size >= MAX_PURE_CALLS) memo.clear();
    memo.set(key, v === undefined ? NONE : v);
    return v;
  }

  private computeGroup(c: Ctx, g: GroupPlan): Value | undefined {
    switch (g.kind) {
      case "complete":
        return evalComplete(c, g);
      case "set":
        return evalSet(c, g);
      case "object":
        return evalObject(c, g);
      case "function":
        return undefined;
    }
  }

  /** The virtual document at a tree node: base data merged with the values of rules below it. */
  nodeValue(c: Ctx, id: number): Value | undefined {
    const key = this.rules.groups.length + id;
    const hit = c.cache[key];
    if (hit !== undefined) return hit === NONE ? undefined : hit;
    const node = this.rules.tree.nodes[id];
    if (!node) return undefined;
    let base: unknown = c.data;
    for (const k of node.path) base = child(base, k);
    const baseValue = toValue(base, c.rawData);
    const out = new RegoObject();
    if (baseValue instanceof RegoObject) for (const [k, v] of baseValue.entries()) out.set(k, v);
    else if (baseValue !== undefined && node.children.size === 0 && !node.group) return baseValue;
    if (node.group && node.group.kind !== "function") {
      const gv = this.groupValue(c, node.group.id);
      if (!(gv instanceof RegoObject)) return gv;
      for (const [k, v] of gv.entries()) out.set(k, v);
    }
    for (const [name, n] of node.children) {
      if (n.group?.kind === "function") continue;
      const v = n.hasRules ? this.nodeValue(c, n.id) : undefined;
      if (v !== undefined) out.set(name, v);
    }
    c.cache[key] = out;
    return out;
  }

  callFunction(c: Ctx, id: number, args: readonly Value[], loc: Location): Value | undefined {
    const g = this.rules.groups[id] as GroupPlan;
    if (g.kind !== "function") return this.groupValue(c, id);
    if (this.rules.pure[id] && noOverrides(c)) return this.pureCall(c, g, args, loc);
    return evalFunction(c, g, args, loc);
  }

  /** Reader for a data path (strings after `data`), with the rule-tree lookup done once. */
  pathReader(path: readonly string[]): (c: Ctx) => Value | undefined {
    const t = resolveData(this.rules.tree, path);
    if (t.kind === "base") {
      return (c) => {
        let x: unknown = c.data;
        for (const k of path) x = child(x, k);
        return toValue(x, c.rawData);
      };
    }
    const rest = path.slice(t.depth);
    const id = t.id;
    const root = t.kind === "group" ? (c: Ctx) => this.groupValue(c, id) : (c: Ctx) => this.nodeValue(c, id);
    return (c) => {
      let v: unknown = root(c);
      for (const k of rest) v = child(v, k);
      return v as Value | undefined;
    };
  }
}
