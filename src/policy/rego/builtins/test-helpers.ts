/** Test support: call a builtin by its OPA name with plain JS arguments. */
import { fromJS, RegoSet, type Value } from "../value.js";
import { BUILTINS } from "./index.js";
import type { BuiltinContext } from "./types.js";

export const TEST_CTX: BuiltinContext = { nowNs: 1_700_000_000_000_000_000 };

export function call(name: string, ...args: unknown[]): Value | undefined {
  const b = BUILTINS[name];
  if (b === undefined) throw new Error(`no builtin ${name}`);
  if (b.arity !== args.length) throw new Error(`${name} takes ${b.arity} arguments`);
  return b.fn(args.map(fromJS), TEST_CTX);
}

export function setOf(...items: unknown[]): RegoSet {
  return RegoSet.from(items.map(fromJS));
}
