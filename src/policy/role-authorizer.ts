import type { AuditRecorder } from "../audit/types.js";
import type { Principal } from "../auth/principal.js";
import { AppError } from "../platform/errors.js";
import type { Action } from "./actions.js";
import type { Authorizer, AuthzDecision, PolicyResource, RequestFacts } from "./authorizer.js";

const READ_ACTIONS = new Set(["server:read", "tool:read", "policy:read"]);
const DEVELOPER_ACTIONS = new Set([...READ_ACTIONS, "server:register", "apikey:manage", "policy:evaluate"]);

/**
 * Interim role check (admin: everything; developer: read and register; viewer: read). The policy
 * engine replaces its inside; the interface stays.
 */
export function createRoleAuthorizer(deps: { audit: AuditRecorder }): Authorizer {
  function decide(principal: Principal, action: Action): AuthzDecision {
    const roles = new Set(principal.roles);
    const allow =
      roles.has("admin") ||
      (roles.has("developer") && DEVELOPER_ACTIONS.has(action)) ||
      (roles.has("viewer") && READ_ACTIONS.has(action)) ||
      action === "apikey:manage";
    const reasons = allow ? [] : [`role(s) ${[...roles].join(", ") || "none"} may not ${action}`];
    return { allow, reasons, policyVersion: "builtin-roles", cached: false, evalUs: 0 };
  }

  return {
    authorize: async (principal, action) => decide(principal, action),
    async require(principal: Principal, action: Action, resource?: PolicyResource, facts?: RequestFacts) {
      const decision = decide(principal, action);
      if (!decision.allow) {
        await deps.audit.record({
          event_type: "policy.decision",
          severity: "medium",
          outcome: "denied",
          actor: {
            user_id: principal.id,
            username: principal.username,
            auth_method: principal.authMethod,
            ip: facts?.ip,
          },
          action,
          resource: resource?.server
            ? { type: "server", id: resource.server.id, name: resource.server.name }
            : undefined,
          decision: { allow: false, reason: decision.reasons.join("; "), policy: decision.policyVersion },
          request_id: facts?.requestId,
        });
        throw new AppError("POLICY_DENIED", decision.reasons.join("; "), { details: { reasons: decision.reasons } });
      }
      return decision;
    },
  };
}
