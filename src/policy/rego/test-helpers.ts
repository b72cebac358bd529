/** Helpers shared by the engine's unit tests. */
import { type CompiledPolicy, compilePolicy, type EvalOptions } from "./index.js";
import { toJS } from "./value.js";

/** Compiles one module (package `t` unless the source declares its own). */
export function policy(source: string): CompiledPolicy {
  const full = source.trimStart().startsWith("package") ? source : `package t\nimport rego.v1\n${source}`;
  return compilePolicy([{ path: "t.rego", source: full }]);
}

/** Plain-JSON value of `data.t.<rule>` (undefined stays undefined). */
export function run(source: string, rule: string, opts?: EvalOptions): unknown {
  const v = policy(source).evaluate(`data.t.${rule}`, opts);
  return v === undefined ? undefined : toJS(v);
}
