import type { Caller } from "../core/caller.js";
import type { RateLimitConfig } from "../platform/config/rate-limit.js";

/** Which allowance a request draws from; also the `kind` label of the rejection metric. */
export type LimitKind = "api_key" | "user" | "ip";

export interface LimitSubject {
  readonly kind: LimitKind;
  /** An API key's id, a user's id or a client address: never a credential. */
  readonly id: string;
  /** Requests per minute. */
  readonly limit: number;
}

/**
 * The identity a request is counted against, most specific first: the API key it used (the key's
 * own `rate_limit_per_minute`, else a role override, else RATE_LIMIT_PER_API_KEY), else the user
 * (a role override, else RATE_LIMIT_PER_USER), else for an unauthenticated request its client
 * address (RATE_LIMIT_PER_IP). Admins are limited like everyone else unless a role override says so.
 */
export function limitSubjectOf(caller: Caller | undefined, ip: string, config: RateLimitConfig): LimitSubject {
  if (!caller) return { kind: "ip", id: ip, limit: config.perIp };
  const override = roleOverrideOf(caller.principal.roles, config.roleOverrides);
  const { apiKeyId, rateLimitPerMinute } = caller.auth;
  if (apiKeyId !== undefined) {
    return { kind: "api_key", id: apiKeyId, limit: rateLimitPerMinute ?? override ?? config.perApiKey };
  }
  return { kind: "user", id: caller.principal.id, limit: override ?? config.perUser };
}

/** The highest override among the caller's roles, if any role has one. */
function roleOverrideOf(roles: readonly string[], overrides: ReadonlyMap<string, number>): number | undefined {
  if (overrides.size === 0) return undefined;
  let best: number | undefined;
  for (const role of roles) {
    const limit = overrides.get(role);
    if (limit !== undefined && (best === undefined || limit > best)) best = limit;
  }
  return best;
}
