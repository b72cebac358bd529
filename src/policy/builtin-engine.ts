import type { PolicyInput } from "../core/policy-input.js";
import { type CompiledPolicy, type EvalOptions, RegoEvalError, toJS, type Value } from "./rego/index.js";
import { readAllow, readCacheTtl, readDeny, readFilteredParameters, readReason } from "./result.js";
import { type EngineResult, type PolicyEngine, PolicyEvalFailure } from "./types.js";

/** One compiled, active policy set with its outputs prepared (the hot path). */
export interface LoadedPolicy {
  /** `sark.authz@v3`: what decisions report as their policy. */
  readonly label: string;
  /** Store revision it was built from. */
  readonly revision: number;
  /** Decision-cache scope: changes with every revision (built once, read per request). */
  readonly cacheScope: string;
  evaluate(input: PolicyInput): EngineResult;
}

const js = (v: Value | undefined): unknown => (v === undefined ? undefined : toJS(v));

/**
 * Prepares each output rule of `data.<pkg>` once. Evaluating the rules one by one (instead of the
 * whole package document) computes only what a decision needs: `reason` only for denials,
 * `filtered_parameters` only when there are parameters.
 */
export function loadPolicy(
  compiled: CompiledPolicy,
  pkg: string,
  data: unknown,
  meta: { label: string; revision: number; evalTimeoutMs: number },
): LoadedPolicy {
  const base = `data.${pkg}`;
  const allow = compiled.prepare(`${base}.allow`);
  const deny = compiled.prepare(`${base}.deny`);
  const reason = compiled.prepare(`${base}.reason`);
  const filtered = compiled.prepare(`${base}.filtered_parameters`);
  const cacheTtl = compiled.prepare(`${base}.cache_ttl`);
  const source = meta.label;
  return {
    label: meta.label,
    revision: meta.revision,
    cacheScope: `builtin:${meta.revision}:${meta.label}`,
    evaluate(input) {
      // The input is passed as plain JSON: the engine converts only the parts rules read.
      const opts: EvalOptions = { input, data, deadlineMs: meta.evalTimeoutMs, nowNs: input.context.time_ns };
      try {
        const result: EngineResult = {
          allow: readAllow(js(allow(opts)), source),
          deny: readDeny(js(deny(opts)), source),
        };
        if (!result.allow || result.deny.length > 0) {
          const r = readReason(js(reason(opts)));
          if (r !== undefined) result.reason = r;
        } else if (Object.keys(input.parameters).length > 0) {
          const f = readFilteredParameters(js(filtered(opts)), source);
          if (f !== undefined) result.filteredParameters = f;
        }
        const ttl = readCacheTtl(js(cacheTtl(opts)), source);
        if (ttl !== undefined) result.cacheTtl = ttl;
        return result;
      } catch (e) {
        if (e instanceof PolicyEvalFailure) throw e;
        const message = e instanceof RegoEvalError ? e.message : e instanceof Error ? e.message : String(e);
        throw new PolicyEvalFailure(`${source}: evaluation failed: ${message}`);
      }
    },
  };
}

/** The built-in engine: evaluates whatever policy the loader has active right now. */
export function createBuiltinEngine(active: () => LoadedPolicy | undefined): PolicyEngine {
  return {
    kind: "builtin",
    version: () => active()?.label ?? "none",
    cacheScope: () => active()?.cacheScope ?? "builtin:none",
    // Async although the engine is synchronous: one shape for both engines on the request path.
    async evaluate(input) {
      const p = active();
      if (!p) throw new PolicyEvalFailure("no policy is loaded (policy store unavailable or no active policy)");
      return p.evaluate(input);
    },
  };
}
