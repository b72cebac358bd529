/** Type predicates and `type_name`. The predicates are false (not undefined) for other types. */
import { isArray, isObject, isSet, typeName, type Value } from "../value.js";
import { arg } from "./args.js";
import type { Builtin, BuiltinTable } from "./types.js";

function predicate(test: (v: Value) => boolean): Builtin {
  return { arity: 1, fn: (args) => test(arg(args, 0)) };
}

export const TYPE_CHECKS: BuiltinTable = {
  is_number: predicate((v) => typeof v === "number"),
  is_string: predicate((v) => typeof v === "string"),
  is_boolean: predicate((v) => typeof v === "boolean"),
  is_array: predicate(isArray),
  is_set: predicate(isSet),
  is_object: predicate(isObject),
  is_null: predicate((v) => v === null),
  type_name: { arity: 1, fn: (args) => typeName(arg(args, 0)) },
};
