import type { Sensitivity } from "../platform/config.js";

/** `input.user` (ARCHITECTURE.md "Policy contract"). */
export interface PolicyUser {
  id: string | null;
  username: string | null;
  email: string | null;
  roles: readonly string[];
  teams: readonly string[];
  groups: readonly string[];
  auth_method: string | null;
  mfa: boolean;
}

/** `input.server`: the server the action concerns. */
export interface PolicyServer {
  id: string;
  name: string;
  transport: string;
  sensitivity_level: Sensitivity;
  owner_id: string | null;
  team_id: string | null;
  tags: readonly string[];
}

/** `input.tool`: the tool the action concerns. */
export interface PolicyTool {
  name: string;
  sensitivity_level: Sensitivity;
  requires_approval: boolean;
  annotations: Record<string, unknown>;
}

/** `input.context`: request facts. `time`, `time_ns` and `request_id` are volatile (not cache-keyed). */
export interface PolicyContext {
  time: string;
  time_ns: number;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  environment: string;
  [extra: string]: unknown;
}

/** The input document every policy evaluates; field names are a public contract. */
export interface PolicyInput {
  user: PolicyUser;
  action: string;
  server: PolicyServer | null;
  tool: PolicyTool | null;
  parameters: Record<string, unknown>;
  context: PolicyContext;
  /** Flat aliases of `server.name` / `tool.name`, for older policies. */
  server_name: string | null;
  tool_name: string | null;
}

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
  evaluate(input: PolicyInput): EngineResult | Promise<EngineResult>;
  /** Reachability of a remote engine (the built-in one reports through the loader). */
  health?(): Promise<{ status: "healthy" | "unhealthy"; error?: string }>;
  close?(): Promise<void>;
}

/** A policy engine failure; its message is the recorded deny reason. */
export class PolicyEvalFailure extends Error {
  override readonly name = "PolicyEvalFailure";
}
