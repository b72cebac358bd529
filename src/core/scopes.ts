import { ACTIONS, type Action } from "./actions.js";

/** The fixed catalogue of API-key scopes. A key needs the scope AND a role that allows the action. */
export const SCOPES = [
  "servers:read",
  "servers:write",
  "tools:invoke",
  "policies:read",
  "policies:write",
  "policies:evaluate",
  "audit:read",
  "siem:read",
  "siem:write",
  "users:read",
  "users:write",
  "api-keys:write",
  "admin",
] as const;

export type Scope = (typeof SCOPES)[number];

/**
 * Which scopes allow each action. A write scope includes the matching read. `admin` allows
 * everything. Managing keys with a key needs `api-keys:write`, and the keys it creates or rotates
 * may carry only scopes it holds itself (auth/api-keys/service.ts), so a leaked key cannot mint a wider one.
 * Actions missing here are allowed to no scope but `admin` (fail closed for new actions).
 */
const ACTION_SCOPES: Readonly<Record<string, readonly Scope[]>> = {
  [ACTIONS.serverRead]: ["servers:read", "servers:write"],
  [ACTIONS.toolRead]: ["servers:read", "servers:write", "tools:invoke"],
  [ACTIONS.serverRegister]: ["servers:write"],
  [ACTIONS.serverUpdate]: ["servers:write"],
  [ACTIONS.serverDelete]: ["servers:write"],
  [ACTIONS.toolSensitivityUpdate]: ["servers:write"],
  [ACTIONS.toolInvoke]: ["tools:invoke"],
  [ACTIONS.policyRead]: ["policies:read", "policies:write"],
  [ACTIONS.policyWrite]: ["policies:write"],
  [ACTIONS.policyEvaluate]: ["policies:evaluate"],
  [ACTIONS.policyEvaluateAsUser]: ["policies:evaluate"],
  [ACTIONS.auditRead]: ["audit:read"],
  [ACTIONS.siemRead]: ["siem:read", "siem:write"],
  [ACTIONS.siemTest]: ["siem:write"],
  [ACTIONS.userRead]: ["users:read", "users:write"],
  [ACTIONS.userWrite]: ["users:write"],
  [ACTIONS.apiKeyManage]: ["api-keys:write"],
  [ACTIONS.apiKeyManageAll]: ["api-keys:write"],
};

/** Write scopes that include a read scope: a key holding the first may grant the second. */
const IMPLIED: Readonly<Partial<Record<Scope, readonly Scope[]>>> = {
  "servers:write": ["servers:read"],
  "policies:write": ["policies:read"],
  "siem:write": ["siem:read"],
  "users:write": ["users:read"],
};

/** The scopes that allow `action` (besides `admin`). */
export function scopesFor(action: Action): readonly Scope[] {
  return ACTION_SCOPES[action] ?? [];
}

/** True when a key with `scopes` may attempt `action` (the role check still applies). */
export function scopeAllows(scopes: readonly string[], action: Action): boolean {
  if (scopes.includes("admin")) return true;
  return scopesFor(action).some((s) => scopes.includes(s));
}

/** The deny reason for a key lacking the scope for `action`; names the scope(s) that would allow it. */
export function missingScopeReason(action: Action): string {
  const allowed = [...scopesFor(action), "admin"];
  return `API key lacks scope ${allowed.join(" or ")} required for ${action}`;
}

/** True when holding `held` includes `wanted` (the same scope, its write form, or `admin`). */
export function scopeCovers(held: readonly string[], wanted: string): boolean {
  if (held.includes("admin") || held.includes(wanted)) return true;
  return held.some((h) => (IMPLIED[h as Scope] ?? []).some((s) => s === wanted));
}
