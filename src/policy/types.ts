import type { PolicyInput } from "../core/policy-input.js";

/** The outputs of one evaluation, before "allow AND no deny" is applied. */
export interface EngineResult {
  allow: boolean;
  deny: string[];
  reason?: string;
  filteredParameters?: Record<string, unknown>;
  /** Seconds; overrides the sensitivity-based cache TTL. */
  cacheTtl?: number;
}

/**
 * The seam between SARK and whatever evaluates Rego: the built-in engine or a remote OPA.
 * `evaluate` throws on any failure (unavailable, timeout, malformed result); the authorizer turns
 * that into a deny carrying the message (fail closed).
 */
export interface PolicyEngine {
  readonly kind: "builtin" | "opa";
  /** Identifies the policy decisions come from (`sark.authz@v3`); part of the cache key. */
  version(): string;
  /** Changes whenever decisions may change (policy or data revision): prefixes cache keys. */
  cacheScope(): string;
  evaluate(input: PolicyInput): Promise<EngineResult>;
  /** Reachability of a remote engine (the built-in one reports through the loader). */
  health?(): Promise<{ status: "healthy" | "unhealthy"; error?: string }>;
  close?(): Promise<void>;
}

/** A policy engine failure; its message is the recorded deny reason. */
export class PolicyEvalFailure extends Error {
  override readonly name = "PolicyEvalFailure";
}
