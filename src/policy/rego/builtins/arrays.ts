/** Array and set-of-sets builtins: array.concat, array.slice, array.reverse, intersection, union. */
import { RegoSet, type Value } from "../value.js";
import { arr, num, set, typeFail } from "./args.js";
import { setIntersection, setUnion } from "./operators.js";
import type { BuiltinTable } from "./types.js";

/** OPA clamps the bounds into the array; a non-integral bound makes the call undefined. */
function slice(args: readonly Value[]): Value | undefined {
  const a = arr("array.slice", args, 0);
  const start = num("array.slice", args, 1);
  const stop = num("array.slice", args, 2);
  if (!Number.isInteger(start) || !Number.isInteger(stop)) return undefined;
  const from = Math.max(0, start);
  const to = Math.min(a.length, stop);
  return from >= to ? [] : a.slice(from, to);
}

function setsOf(name: string, args: readonly Value[]): RegoSet[] {
  return [...set(name, args, 0)].map((s) => {
    if (!(s instanceof RegoSet)) typeFail(name, 0, "set of sets", s);
    return s;
  });
}

function intersection(args: readonly Value[]): Value {
  const sets = setsOf("intersection", args);
  const [first, ...rest] = sets;
  if (first === undefined) return new RegoSet();
  return rest.reduce(setIntersection, first);
}

export const ARRAYS: BuiltinTable = {
  "array.concat": {
    arity: 2,
    fn: (args) => [...arr("array.concat", args, 0), ...arr("array.concat", args, 1)],
  },
  "array.slice": { arity: 3, fn: slice },
  "array.reverse": { arity: 1, fn: (args) => [...arr("array.reverse", args, 0)].reverse() },
  intersection: { arity: 1, fn: intersection },
  union: { arity: 1, fn: (args) => setsOf("union", args).reduce(setUnion, new RegoSet()) },
};
