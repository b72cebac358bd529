import { type Env, EnvReader } from "./parsers.js";

/** Request limits (docs/RATE_LIMITS.md). Every limit is requests per minute. */
export interface RateLimitConfig {
  readonly enabled: boolean;
  readonly perUser: number;
  readonly perApiKey: number;
  /** Unauthenticated requests (login, docs, failed authentication), per client address. */
  readonly perIp: number;
  /** Role → limit; a caller with several overridden roles gets the highest. */
  readonly roleOverrides: ReadonlyMap<string, number>;
  /**
   * While Redis cannot be reached each replica counts alone, allowing this fraction of every limit
   * (set it to 1 / replicas to keep the aggregate at the global limit).
   */
  readonly fallbackFraction: number;
}

/** Failed-login throttling (OWASP ASVS V2.2), for every username + password flow. */
export interface LoginProtectionConfig {
  /** Failures per username + client address allowed within `failureWindowSeconds` before backoff. */
  readonly maxFailures: number;
  readonly failureWindowSeconds: number;
  /** The first backoff; each further failure doubles it, up to `backoffMaxSeconds`. */
  readonly backoffBaseSeconds: number;
  readonly backoffMaxSeconds: number;
  /** Failures per username from any address within `lockoutWindowSeconds` that lock the account. */
  readonly lockoutThreshold: number;
  readonly lockoutWindowSeconds: number;
  readonly lockoutSeconds: number;
}

const MAX_LIMIT = 10_000_000;

export function readRateLimitConfig(env: Env, problems: string[]): RateLimitConfig {
  const r = new EnvReader(env, problems);
  const fraction = r.raw("RATE_LIMIT_FALLBACK_FRACTION");
  const fallbackFraction = fraction === undefined ? 0.25 : Number(fraction);
  if (!(fallbackFraction > 0 && fallbackFraction <= 1)) {
    problems.push(`RATE_LIMIT_FALLBACK_FRACTION must be a number in (0, 1] (got '${fraction}')`);
  }
  return {
    enabled: r.bool("RATE_LIMIT_ENABLED", true),
    perUser: r.int("RATE_LIMIT_PER_USER", 5000, 1, MAX_LIMIT),
    perApiKey: r.int("RATE_LIMIT_PER_API_KEY", 1000, 1, MAX_LIMIT),
    perIp: r.int("RATE_LIMIT_PER_IP", 100, 1, MAX_LIMIT),
    roleOverrides: parseRoleOverrides(r.list("RATE_LIMIT_ROLE_OVERRIDES"), problems),
    fallbackFraction: fallbackFraction > 0 && fallbackFraction <= 1 ? fallbackFraction : 0.25,
  };
}

/** `service=20000,auditor=500`: role names as the users API stores them, limits per minute. */
function parseRoleOverrides(entries: readonly string[], problems: string[]): ReadonlyMap<string, number> {
  const overrides = new Map<string, number>();
  for (const entry of entries) {
    const m = /^([^=\s]+)\s*=\s*(\d+)$/.exec(entry);
    const limit = m ? Number(m[2]) : Number.NaN;
    if (!m?.[1] || !(limit >= 1 && limit <= MAX_LIMIT)) {
      problems.push(`RATE_LIMIT_ROLE_OVERRIDES entries must look like role=1000 (got '${entry}')`);
      continue;
    }
    overrides.set(m[1], limit);
  }
  return overrides;
}

export function readLoginProtectionConfig(env: Env, problems: string[]): LoginProtectionConfig {
  const r = new EnvReader(env, problems);
  const config: LoginProtectionConfig = {
    maxFailures: r.int("LOGIN_MAX_FAILURES", 5, 1, 1000),
    failureWindowSeconds: r.durationSeconds("LOGIN_FAILURE_WINDOW", 15 * 60),
    backoffBaseSeconds: r.durationSeconds("LOGIN_BACKOFF_BASE", 30),
    backoffMaxSeconds: r.durationSeconds("LOGIN_BACKOFF_MAX", 15 * 60),
    lockoutThreshold: r.int("LOGIN_LOCKOUT_THRESHOLD", 100, 1, 1_000_000),
    lockoutWindowSeconds: r.durationSeconds("LOGIN_LOCKOUT_WINDOW", 3600),
    lockoutSeconds: r.durationSeconds("LOGIN_LOCKOUT_DURATION", 30 * 60),
  };
  if (config.backoffMaxSeconds < config.backoffBaseSeconds) {
    problems.push("LOGIN_BACKOFF_MAX must be at least LOGIN_BACKOFF_BASE");
  }
  return config;
}
