/** Compiles operators (`==`, `<`, `+`, …, `in`): comparisons and arithmetic inlined, the rest via builtins. */
import type { IR } from "../compile/ir.js";
import type { Slots } from "../compile/order.js";
import type { Location } from "../errors.js";
import { type Ctx, member } from "../eval/runtime.js";
import type { BinOp } from "../syntax/ast.js";
import { compare, equals, type Value } from "../value.js";
import { applyPlan, invoker } from "./calls.js";
import { type CompileCtx, fromGet, type TermPlan } from "./types.js";

type TermCompiler = (t: IR, bound: Slots, cc: CompileCtx) => TermPlan;

const BUILTIN_FOR: Record<BinOp, string> = {
  "==": "equal",
  "!=": "neq",
  "<": "lt",
  "<=": "lte",
  ">": "gt",
  ">=": "gte",
  "+": "plus",
  "-": "minus",
  "*": "mul",
  "/": "div",
  "%": "rem",
  "|": "or",
  "&": "and",
};

type Invoke2 = (c: Ctx, a: Value, b: Value) => Value | undefined;

/** Like applyPlan for two operands, without building an argument array on the fast path. */
function apply2(l: TermPlan, r: TermPlan, fn: Invoke2): TermPlan {
  const gl = l.get;
  const gr = r.get;
  if (gl && gr) {
    return fromGet((f) => {
      const a = gl(f);
      if (a === undefined) return undefined;
      const b = gr(f);
      return b === undefined ? undefined : fn(f.c, a, b);
    });
  }
  return applyPlan([l, r], (c, v) => fn(c, v[0] as Value, v[1] as Value));
}

/** Comparison and numeric fast paths are inlined; everything else goes through the builtin table. */
function binopFn(op: BinOp, cc: CompileCtx, loc: Location, constOperands: readonly boolean[]): Invoke2 {
  switch (op) {
    case "==":
      return (_c, a, b) => a === b || equals(a, b);
    case "!=":
      return (_c, a, b) => a !== b && !equals(a, b);
    case "<":
      return (_c, a, b) => compare(a, b) < 0;
    case "<=":
      return (_c, a, b) => compare(a, b) <= 0;
    case ">":
      return (_c, a, b) => compare(a, b) > 0;
    case ">=":
      return (_c, a, b) => compare(a, b) >= 0;
  }
  const slow = invoker({ kind: "builtin", name: BUILTIN_FOR[op] }, cc, loc, constOperands);
  if (op === "+") return (c, a, b) => (typeof a === "number" && typeof b === "number" ? a + b : slow(c, [a, b]));
  if (op === "-") return (c, a, b) => (typeof a === "number" && typeof b === "number" ? a - b : slow(c, [a, b]));
  if (op === "*") return (c, a, b) => (typeof a === "number" && typeof b === "number" ? a * b : slow(c, [a, b]));
  return (c, a, b) => slow(c, [a, b]);
}

/** `x == "const"` (either side), the most common test in policies: one closure, no operand calls. */
function equalsConstant(
  l: IR,
  r: IR,
  op: "==" | "!=",
  bound: Slots,
  cc: CompileCtx,
  term: TermCompiler,
): TermPlan | undefined {
  const [other, constant] = r.k === "const" ? [l, r] : l.k === "const" ? [r, l] : [undefined, undefined];
  if (!other || constant?.k !== "const") return undefined;
  const get = term(other, bound, cc).get;
  if (!get) return undefined;
  const cv = constant.v;
  if (op === "==") {
    return fromGet((f) => {
      const v = get(f);
      return v === undefined ? undefined : v === cv || equals(v, cv);
    });
  }
  return fromGet((f) => {
    const v = get(f);
    return v === undefined ? undefined : v !== cv && !equals(v, cv);
  });
}

export function compileOperator(
  t: Extract<IR, { k: "binop" | "in" }>,
  bound: Slots,
  cc: CompileCtx,
  term: TermCompiler,
): TermPlan {
  if (t.k === "binop") {
    const eq = t.op === "==" || t.op === "!=" ? equalsConstant(t.l, t.r, t.op, bound, cc, term) : undefined;
    if (eq) return eq;
    const fn = binopFn(t.op, cc, t.loc, [t.l.k === "const", t.r.k === "const"]);
    return apply2(term(t.l, bound, cc), term(t.r, bound, cc), fn);
  }
  if (t.key) {
    const plans = [term(t.key, bound, cc), term(t.value, bound, cc), term(t.coll, bound, cc)];
    return applyPlan(plans, (_c, a) => member(a[1] as Value, a[2] as Value, a[0]));
  }
  return apply2(term(t.value, bound, cc), term(t.coll, bound, cc), (_c, v, coll) => member(v, coll));
}
