import type { Action } from "./actions.js";
import type { Caller } from "./caller.js";
import type { PolicyServer, PolicyTool } from "./policy-input.js";

/** The resource part of a policy input (ARCHITECTURE.md "Policy contract"). */
export interface PolicyResource {
  server?: PolicyServer | null;
  tool?: PolicyTool | null;
  parameters?: Record<string, unknown>;
}

export interface AuthzDecision {
  allow: boolean;
  reasons: string[];
  filteredParameters?: Record<string, unknown>;
  policyVersion: string;
  cached: boolean;
  evalUs: number;
}

/**
 * The one authorization seam: every service asks `authorize`, and `require` turns a deny into a
 * 403 POLICY_DENIED carrying the reasons. The caller's request facts become `input.context`.
 */
export interface Authorizer {
  authorize(caller: Caller, action: Action, resource?: PolicyResource): Promise<AuthzDecision>;
  require(caller: Caller, action: Action, resource?: PolicyResource): Promise<AuthzDecision>;
}
