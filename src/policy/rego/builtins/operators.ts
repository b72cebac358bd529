/**
 * Builtins behind Rego's infix operators (`+ - * / % == != < > <= >= & |`), under OPA's names.
 * The evaluator rewrites each operator to a call of these.
 */
import { compare, equals, RegoSet, type Value } from "../value.js";
import { arg, num, set } from "./args.js";
import { type Builtin, BuiltinError, type BuiltinTable } from "./types.js";

function arithmetic(name: string, op: (a: number, b: number) => number): Builtin {
  return { arity: 2, fn: (args) => op(num(name, args, 0), num(name, args, 1)) };
}

function comparison(test: (c: number) => boolean): Builtin {
  return { arity: 2, fn: (args) => test(compare(arg(args, 0), arg(args, 1))) };
}

function setDifference(a: RegoSet, b: RegoSet): RegoSet {
  const out = new RegoSet();
  for (const v of a) if (!b.has(v)) out.add(v);
  return out;
}

export function setIntersection(a: RegoSet, b: RegoSet): RegoSet {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  const out = new RegoSet();
  for (const v of small) if (large.has(v)) out.add(v);
  return out;
}

export function setUnion(a: RegoSet, b: RegoSet): RegoSet {
  const out = RegoSet.from(a);
  for (const v of b) out.add(v);
  return out;
}

/** `minus` is overloaded: numbers subtract, sets take the difference; mixing them is an error. */
function minus(args: readonly Value[]): Value {
  const a = arg(args, 0);
  if (a instanceof RegoSet) return setDifference(a, set("minus", args, 1));
  return num("minus", args, 0) - num("minus", args, 1);
}

function div(args: readonly Value[]): Value {
  const a = num("div", args, 0);
  const b = num("div", args, 1);
  if (b === 0) throw new BuiltinError("div: divide by zero");
  return a / b;
}

/** OPA defines `%` on integers only (Go's truncated modulo, which JS `%` matches). */
function rem(args: readonly Value[]): Value {
  const a = num("rem", args, 0);
  const b = num("rem", args, 1);
  // Beyond 2^53 a double no longer holds the integer the policy wrote, so the remainder would be
  // silently wrong; refuse like OPA refuses non-integral operands.
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b)) {
    throw new BuiltinError("rem: modulo on floating-point number");
  }
  if (b === 0) throw new BuiltinError("rem: modulo by zero");
  const r = a % b;
  return r === 0 ? 0 : r; // avoid -0, which would print as 0 anyway but compares oddly
}

const isEqual: Builtin = { arity: 2, fn: (args) => equals(arg(args, 0), arg(args, 1)) };

export const OPERATORS: BuiltinTable = {
  plus: arithmetic("plus", (a, b) => a + b),
  minus: { arity: 2, fn: minus },
  mul: arithmetic("mul", (a, b) => a * b),
  div: { arity: 2, fn: div },
  rem: { arity: 2, fn: rem },
  eq: isEqual,
  equal: isEqual,
  neq: { arity: 2, fn: (args) => !equals(arg(args, 0), arg(args, 1)) },
  lt: comparison((c) => c < 0),
  gt: comparison((c) => c > 0),
  lte: comparison((c) => c <= 0),
  gte: comparison((c) => c >= 0),
  and: { arity: 2, fn: (args) => setIntersection(set("and", args, 0), set("and", args, 1)) },
  or: { arity: 2, fn: (args) => setUnion(set("or", args, 0), set("or", args, 1)) },
};
