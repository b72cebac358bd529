/** Compiles calls: builtins, user functions and print (operators: operators.ts). */

import { BuiltinTypeError } from "../builtins/args.js";
import { BuiltinError } from "../builtins/types.js";
import type { CallTarget, IR } from "../compile/ir.js";
import type { Slots } from "../compile/order.js";
import { type Location, RegoEvalError } from "../errors.js";
import { type Ctx, type Frame, member } from "../eval/runtime.js";
import { chargeResult } from "../limits.js";
import { RegoObject, RegoSet, type Value } from "../value.js";
import { type CompileCtx, firstValue, fromGet, product, type TermPlan } from "./types.js";

type TermCompiler = (t: IR, bound: Slots, cc: CompileCtx) => TermPlan;
export type Invoke = (c: Ctx, args: readonly Value[]) => Value | undefined;

/** Builds a plan that evaluates `plans` and applies `fn` to their values. */
export function applyPlan(plans: readonly TermPlan[], fn: Invoke): TermPlan {
  const gets = plans.map((p) => p.get);
  if (gets.every((g) => g !== undefined)) {
    const gs = gets as ((f: Frame) => Value | undefined)[];
    if (gs.length === 1) {
      const g0 = gs[0] as (f: Frame) => Value | undefined;
      return fromGet((f) => {
        const a = g0(f);
        return a === undefined ? undefined : fn(f.c, [a]);
      });
    }
    if (gs.length === 2) {
      const [g0, g1] = gs as [(f: Frame) => Value | undefined, (f: Frame) => Value | undefined];
      return fromGet((f) => {
        const a = g0(f);
        if (a === undefined) return undefined;
        const b = g1(f);
        return b === undefined ? undefined : fn(f.c, [a, b]);
      });
    }
    return fromGet((f) => {
      const args: Value[] = new Array(gs.length);
      for (let i = 0; i < gs.length; i++) {
        const v = (gs[i] as (f: Frame) => Value | undefined)(f);
        if (v === undefined) return undefined;
        args[i] = v;
      }
      return fn(f.c, args);
    });
  }
  return {
    get: undefined,
    ev: (f, k) =>
      product(plans, f, (vals) => {
        const v = fn(f.c, vals);
        return v !== undefined && k(v);
      }),
  };
}

/**
 * Turns a builtin failure into an evaluation error (strict) or undefined (non-strict, as OPA).
 * A wrong-typed argument that is a constant is an error either way: OPA's type checker rejects
 * that call at compile time whatever the mode. (Types only known at evaluation, such as input's,
 * fail at run time in OPA too, where non-strict mode makes them undefined.)
 * `constOperands[i]` says whether argument i is a constant at the call site.
 */
export function builtinFailure(
  c: Ctx,
  name: string,
  e: unknown,
  loc: Location,
  constOperands?: readonly boolean[],
): undefined {
  if (e instanceof RegoEvalError) throw e;
  const staticTypeError = e instanceof BuiltinTypeError && constOperands?.[e.operand] === true;
  if (!c.strict && e instanceof BuiltinError && !staticTypeError) return undefined;
  const msg = e instanceof Error ? e.message : String(e);
  throw new RegoEvalError(`${name}: ${msg}`, loc);
}

function targetName(t: CallTarget): string {
  switch (t.kind) {
    case "function":
      return t.name;
    case "builtin":
      return t.name;
    case "print":
      return "print";
    case "member":
      return `internal.member_${t.arity}`;
  }
}

export function compileCall(t: Extract<IR, { k: "call" }>, bound: Slots, cc: CompileCtx, term: TermCompiler): TermPlan {
  const plans = t.args.map((a) => compileTerm(a, bound, cc, term));
  const name = targetName(t.target);
  if (t.target.kind === "print" || (t.target.kind === "builtin" && CLOCK_OR_WORLD.has(t.target.name))) cc.noteImpure();
  if (t.target.kind === "print") return printPlan(plans);
  const direct = invoker(
    t.target,
    cc,
    t.loc,
    t.args.map((a) => a.k === "const"),
  );
  const base = t.target.kind === "builtin" && PURE.has(t.target.name) ? rememberLast(direct) : direct;
  const fn: Invoke = (c, args) => {
    if (c.fnOverrides === null) return base(c, args);
    const o = c.fnOverrides.get(name);
    return o ? o(args, c, t.loc) : base(c, args);
  };
  const onDoc = t.target.kind === "builtin" ? docShortcut(t.target.name, plans, base) : undefined;
  if (onDoc?.get) {
    const fast = onDoc.get;
    const general = applyPlan(plans, fn);
    const slow = general.get ?? ((f: Frame) => firstValue(general, f));
    return fromGet((f) => (f.c.fnOverrides === null ? fast(f) : slow(f)));
  }
  return applyPlan(plans, fn);
}

/** Builtins whose result depends on more than their arguments (the clock, randomness, the network). */
const CLOCK_OR_WORLD = new Set([
  "time.now_ns",
  "io.jwt.decode_verify",
  "uuid.rfc4122",
  "rand.intn",
  "http.send",
  "opa.runtime",
  "trace",
  "net.lookup_ip_addr",
]);

/** Deterministic builtins whose result depends on their arguments only. */
const PURE = new Set([
  "lower",
  "upper",
  "contains",
  "startswith",
  "endswith",
  "concat",
  "sprintf",
  "trim",
  "trim_space",
  "trim_prefix",
  "trim_suffix",
  "replace",
  "split",
  "substring",
  "indexof",
  "regex.match",
  "glob.match",
  "to_number",
  "format_int",
  "strings.replace_n",
]);

/**
 * Remembers a pure builtin's last scalar arguments and result. A call inside a loop whose arguments
 * do not change between iterations (`contains(lower(key), fragment)` over many fragments) is then
 * computed once; the check is a few identity comparisons. Calls are synchronous, so one slot per
 * call site is safe.
 */
function rememberLast(fn: Invoke): Invoke {
  let lastArgs: readonly Value[] | undefined;
  let lastResult: Value | undefined;
  return (c, args) => {
    if (lastArgs !== undefined && sameScalars(lastArgs, args)) return lastResult;
    const r = fn(c, args);
    lastArgs = allScalars(args) ? args : undefined;
    lastResult = r;
    return r;
  };
}

function allScalars(args: readonly Value[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a !== null && typeof a === "object") return false;
  }
  return true;
}

function sameScalars(a: readonly Value[], b: readonly Value[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function compileTerm(a: IR, bound: Slots, cc: CompileCtx, term: TermCompiler): TermPlan {
  return term(a, bound, cc);
}

const TYPE_TESTS: Record<string, string> = {
  is_object: "object",
  is_array: "array",
  is_set: "set",
  is_string: "string",
  is_number: "number",
  is_boolean: "boolean",
  is_null: "null",
};

function docType(x: unknown): string {
  if (x === null) return "null";
  if (typeof x !== "object") return typeof x;
  if (Array.isArray(x)) return "array";
  return x instanceof RegoSet ? "set" : "object";
}

/**
 * Type tests and `count` on a document ref (`is_object(input.parameters)`) read the document in
 * place instead of converting plain JSON input to a Value first. Same results as the builtins.
 */
function docShortcut(name: string, plans: readonly TermPlan[], base: Invoke): TermPlan | undefined {
  const doc = plans[0]?.doc;
  if (!doc || plans.length !== 1) return undefined;
  const want = TYPE_TESTS[name];
  if (want !== undefined && name !== "is_set") {
    return fromGet((f) => {
      const x = doc.find(f);
      return x === undefined ? undefined : docType(x) === want;
    });
  }
  if (name !== "count") return undefined;
  const slow = plans[0] as TermPlan;
  return fromGet((f) => {
    const x = doc.find(f);
    if (Array.isArray(x)) return x.length;
    if (x instanceof RegoObject || x instanceof RegoSet) return x.size;
    if (typeof x === "object" && x !== null) return Object.values(x).filter((v) => v !== undefined).length;
    const v = slow.get?.(f);
    return v === undefined ? undefined : base(f.c, [v]);
  });
}

/** The direct implementation behind a call target, resolved once at compile time. */
export function invoker(target: CallTarget, cc: CompileCtx, loc: Location, constOperands?: readonly boolean[]): Invoke {
  switch (target.kind) {
    case "member":
      return (_c, a) =>
        a.length === 3 ? member(a[1] as Value, a[2] as Value, a[0]) : member(a[0] as Value, a[1] as Value);
    case "function": {
      const id = cc.functionGroup(target.path);
      return (c, args) => c.rt.callFunction(c, id, args, loc);
    }
    case "print":
      return () => true;
    case "builtin": {
      const b = cc.builtins[target.name];
      if (!b) throw new RegoEvalError(`unknown builtin ${target.name}`, loc);
      const name = target.name;
      return (c, args) => {
        try {
          const v = b.fn(args, c);
          chargeResult(name, c.budget, v);
          return v;
        } catch (e) {
          return builtinFailure(c, name, e, loc, constOperands);
        }
      };
    }
  }
}

/** `print` never fails: undefined arguments print as `<undefined>`, as in OPA. */
function printPlan(plans: readonly TermPlan[]): TermPlan {
  return fromGet((f) => {
    const parts = plans.map((p) => {
      const v = firstValue(p, f);
      return v === undefined ? "<undefined>" : typeof v === "string" ? v : formatValue(v);
    });
    f.c.print?.(parts.join(" "));
    return true;
  });
}

/** Rego-style rendering of a value (sets in braces), for print and messages. */
export function formatValue(v: Value): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(formatValue).join(", ")}]`;
  if (v instanceof RegoSet) {
    const items = v.sorted();
    return items.length === 0 ? "set()" : `{${items.map(formatValue).join(", ")}}`;
  }
  if (!(v instanceof RegoObject)) return String(v);
  return `{${v
    .sortedEntries()
    .map(([k, x]) => `${formatValue(k)}: ${formatValue(x)}`)
    .join(", ")}}`;
}
