import type { Sensitivity } from "../../core/sensitivity.js";
import { type Env, EnvReader } from "./parsers.js";

export interface PolicyConfig {
  readonly engine: "builtin" | "opa";
  readonly package: string;
  readonly opaUrl: string | undefined;
  readonly opaPolicyPath: string;
  readonly opaTimeoutMs: number;
  readonly evalTimeoutMs: number;
  readonly cacheEnabled: boolean;
  readonly cacheMaxEntries: number;
  readonly cacheTtlSeconds: Readonly<Record<Sensitivity, number>>;
  readonly reloadIntervalMs: number;
}

/** Reads the policy engine, OPA and decision cache settings; the OPA engine needs OPA_URL. */
export function readPolicyConfig(env: Env, problems: string[]): PolicyConfig {
  const r = new EnvReader(env, problems);
  const config: PolicyConfig = {
    engine: r.oneOf("POLICY_ENGINE", ["builtin", "opa"] as const, "builtin"),
    package: r.string("POLICY_PACKAGE", "sark.authz"),
    opaUrl: r.url("OPA_URL", ["http:", "https:"]),
    opaPolicyPath: r.string("OPA_POLICY_PATH", "/v1/data/sark/authz"),
    opaTimeoutMs: r.int("OPA_TIMEOUT_MS", 1000, 1, 60_000),
    evalTimeoutMs: r.int("POLICY_EVAL_TIMEOUT_MS", 100, 1, 60_000),
    cacheEnabled: r.bool("POLICY_CACHE_ENABLED", true),
    cacheMaxEntries: r.int("POLICY_CACHE_MAX_ENTRIES", 10_000, 1, 10_000_000),
    cacheTtlSeconds: {
      low: r.int("POLICY_CACHE_TTL_LOW", 300, 0, 86_400),
      medium: r.int("POLICY_CACHE_TTL_MEDIUM", 180, 0, 86_400),
      high: r.int("POLICY_CACHE_TTL_HIGH", 60, 0, 86_400),
      critical: r.int("POLICY_CACHE_TTL_CRITICAL", 30, 0, 86_400),
    },
    reloadIntervalMs: r.int("POLICY_RELOAD_INTERVAL_MS", 2000, 100, 60_000),
  };
  if (config.engine === "opa" && !config.opaUrl) problems.push("POLICY_ENGINE=opa needs OPA_URL");
  return config;
}
