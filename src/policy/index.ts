import type { AuditRecorder } from "../audit/types.js";
import type { Feature } from "../platform/feature.js";
import type { Authorizer } from "./authorizer.js";
import { createRoleAuthorizer } from "./role-authorizer.js";

export interface PolicyDeps {
  audit: AuditRecorder;
}

export function createPolicy(deps: PolicyDeps): { authorizer: Authorizer; feature: Feature } {
  return { authorizer: createRoleAuthorizer(deps), feature: { name: "policy" } };
}
