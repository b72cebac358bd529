/**
 * The builtin function table of SARK's Rego engine, keyed by OPA's builtin names. Each family lives
 * in its own file; this module only merges them. `http.send` is deliberately absent: policy
 * evaluation must never reach the network.
 */
import { AGGREGATES } from "./aggregates.js";
import { OPERATORS } from "./operators.js";
import type { BuiltinTable } from "./types.js";

export type { Builtin, BuiltinContext, BuiltinTable } from "./types.js";
export { BuiltinError } from "./types.js";

export const BUILTINS: BuiltinTable = Object.freeze({
  ...OPERATORS,
  ...AGGREGATES,
});
