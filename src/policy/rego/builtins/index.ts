/**
 * The builtin function table of SARK's Rego engine, keyed by OPA's builtin names. Each family lives
 * in its own file; this module only merges them. `http.send` is deliberately absent: policy
 * evaluation must never reach the network.
 */
import { AGGREGATES } from "./aggregates.js";
import { ARRAYS } from "./arrays.js";
import { CRYPTO } from "./crypto.js";
import { ENCODING } from "./encoding.js";
import { GLOB } from "./glob.js";
import { GRAPH } from "./graph.js";
import { JSON_PATCH } from "./json-patch.js";
import { JSON_PATHS } from "./json-paths.js";
import { JWT } from "./jwt.js";
import { NET } from "./net.js";
import { NUMBERS } from "./numbers.js";
import { OBJECTS } from "./objects.js";
import { OPERATORS } from "./operators.js";
import { REGEX } from "./regex.js";
import { SEMVER_BUILTINS } from "./semver.js";
import { SPRINTF } from "./sprintf.js";
import { STRINGS } from "./strings.js";
import { TIME } from "./time.js";
import { TYPE_CHECKS } from "./type-checks.js";
import type { BuiltinTable } from "./types.js";
import { UNITS } from "./units.js";
import { UUID } from "./uuid.js";

export { BuiltinTypeError } from "./args.js";
export { regoText } from "./rego-text.js";
export type { Builtin, BuiltinContext, BuiltinTable } from "./types.js";
export { BuiltinError } from "./types.js";

export const BUILTINS: BuiltinTable = Object.freeze({
  ...OPERATORS,
  ...AGGREGATES,
  ...ARRAYS,
  ...OBJECTS,
  ...JSON_PATHS,
  ...JSON_PATCH,
  ...STRINGS,
  ...SPRINTF,
  ...NUMBERS,
  ...TYPE_CHECKS,
  ...REGEX,
  ...GLOB,
  ...ENCODING,
  ...CRYPTO,
  ...TIME,
  ...NET,
  ...UNITS,
  ...UUID,
  ...SEMVER_BUILTINS,
  ...GRAPH,
  ...JWT,
});
