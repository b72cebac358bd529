import { SCOPES, type Scope } from "../core/scopes.js";

/** The fixed role catalogue; user create/update accept only these. Policies match on the names. */
export const ROLES = ["admin", "security_admin", "developer", "analyst", "viewer"] as const;

export type Role = (typeof ROLES)[number];

export const isRole = (r: string): r is Role => (ROLES as readonly string[]).includes(r);

/**
 * The API-key scopes each role may put on its keys: the scopes whose actions the default policy
 * (policies/sark/authz.rego) lets that role perform. A key never needs more than its owner could
 * do, and a key holding more would become dangerous the moment a custom policy trusts scopes.
 * Everyone manages their own keys, so every role may grant `api-keys:write`; only admins `admin`.
 */
const ROLE_SCOPES: Readonly<Record<Role, readonly Scope[]>> = {
  admin: SCOPES,
  security_admin: [
    "servers:read",
    "tools:invoke",
    "policies:read",
    "policies:write",
    "policies:evaluate",
    "audit:read",
    "siem:read",
    "siem:write",
    "users:read",
    "api-keys:write",
  ],
  developer: ["servers:read", "servers:write", "tools:invoke", "policies:read", "policies:evaluate", "api-keys:write"],
  analyst: ["servers:read", "tools:invoke", "policies:read", "audit:read", "api-keys:write"],
  viewer: ["servers:read", "policies:read", "api-keys:write"],
};

/** Every scope that a user with `roles` may put on an API key (unknown roles grant nothing). */
export function grantableScopes(roles: readonly string[]): ReadonlySet<string> {
  return new Set(roles.flatMap((r) => (isRole(r) ? ROLE_SCOPES[r] : [])));
}
