import type { Action } from "./actions.js";
import type { Principal } from "./caller.js";
import type { PolicyServer, PolicyTool } from "./policy-input.js";

/** The resource part of a policy input (ARCHITECTURE.md "Policy contract"). */
export interface PolicyResource {
  server?: PolicyServer | null;
  tool?: PolicyTool | null;
  parameters?: Record<string, unknown>;
}

/** Request facts that go into `input.context`. */
export interface RequestFacts {
  ip?: string;
  userAgent?: string;
  requestId?: string;
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
 * The one authorization seam: every route asks `authorize`, and `require` turns a deny into a
 * 403 POLICY_DENIED carrying the reasons.
 */
export interface Authorizer {
  authorize(
    principal: Principal,
    action: Action,
    resource?: PolicyResource,
    facts?: RequestFacts,
  ): Promise<AuthzDecision>;
  require(
    principal: Principal,
    action: Action,
    resource?: PolicyResource,
    facts?: RequestFacts,
  ): Promise<AuthzDecision>;
}
