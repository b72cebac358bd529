/** Aggregates over collections: count, sum, product, max, min, sort. */
import { compare, RegoObject, RegoSet, type Value } from "../value.js";
import { arg, BuiltinTypeError, collection } from "./args.js";
import type { Builtin, BuiltinTable } from "./types.js";

/** `count` counts Unicode code points of a string, as OPA (Go runes), not UTF-16 units. */
function count(args: readonly Value[]): Value {
  const v = arg(args, 0);
  if (typeof v === "string") {
    let n = 0;
    for (const _ of v) n++;
    return n;
  }
  if (Array.isArray(v)) return v.length;
  if (v instanceof RegoObject || v instanceof RegoSet) return v.size;
  throw new BuiltinTypeError("count: operand 1 must be one of {array, object, set, string}", 0);
}

function numbers(name: string, args: readonly Value[]): number[] {
  return collection(name, args, 0).map((x) => {
    if (typeof x !== "number") throw new BuiltinTypeError(`${name}: operand 1 must contain only numbers`, 0);
    return x;
  });
}

function extreme(name: string, pick: (c: number) => boolean): Builtin {
  return {
    arity: 1,
    fn: (args) => {
      const items = collection(name, args, 0);
      let best: Value | undefined;
      for (const x of items) if (best === undefined || pick(compare(x, best))) best = x;
      return best; // undefined for an empty collection, as OPA
    },
  };
}

export const AGGREGATES: BuiltinTable = {
  count: { arity: 1, fn: count },
  sum: { arity: 1, fn: (args) => numbers("sum", args).reduce((a, b) => a + b, 0) },
  product: { arity: 1, fn: (args) => numbers("product", args).reduce((a, b) => a * b, 1) },
  max: extreme("max", (c) => c > 0),
  min: extreme("min", (c) => c < 0),
  sort: { arity: 1, fn: (args) => [...collection("sort", args, 0)].sort(compare) },
};
