import type { Principal } from "../auth/principal.js";
import type { Sensitivity } from "../platform/config.js";
import type { Action } from "./actions.js";

/** The resource part of a policy input (ARCHITECTURE.md "Policy contract"). */
export interface PolicyResource {
  server?: {
    id: string;
    name: string;
    transport: string;
    sensitivity_level: Sensitivity;
    owner_id: string | null;
    team_id: string | null;
    tags: readonly string[];
  } | null;
  tool?: {
    name: string;
    sensitivity_level: Sensitivity;
    requires_approval: boolean;
    annotations: Record<string, unknown>;
  } | null;
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
