import { CacheUnavailableError } from "../platform/cache.js";
import type { Clock } from "../platform/clock.js";
import type { Logger } from "../platform/logger.js";
import { remainingOf, retryAfterUsOf } from "./gcra.js";
import type { LimitStore } from "./store.js";

/** Every SARK limit is per minute. */
export const PERIOD_SECONDS = 60;
const PERIOD_US = PERIOD_SECONDS * 1_000_000;
/** After Redis fails, requests count in memory for this long before Redis is tried again. */
const SHARED_RETRY_MS = 1000;

/** The outcome for one request, with what the response headers report. */
export interface LimitDecision {
  readonly allowed: boolean;
  /** The limit applied (the fallback fraction of the configured one while Redis is away). */
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the allowance is full again. */
  readonly resetSeconds: number;
  /** Seconds until one more request fits (0 when allowed). */
  readonly retryAfterSeconds: number;
}

export interface LimiterStatus {
  readonly store: "memory" | "redis";
  /** Redis is configured but unreachable: each replica is counting alone. */
  readonly degraded: boolean;
  readonly degradedSince?: string;
  readonly lastError?: string;
}

export interface Limiter {
  /** Takes one request from `key`'s allowance of `limit` per minute. Never rejects. */
  check(key: string, limit: number): Promise<LimitDecision>;
  /** True for the first rejection of `key` in the current minute, across replicas when shared. */
  firstRejection(key: string): Promise<boolean>;
  status(): LimiterStatus;
}

/**
 * Counts in the shared store (Redis) when there is one, else in memory. When the shared store
 * fails, each replica keeps limiting from memory at `fallbackFraction` of every limit (never
 * unlimited), retries Redis once a second, and resumes shared counting as soon as it answers.
 */
export function createLimiter(deps: {
  shared: LimitStore | undefined;
  local: LimitStore;
  fallbackFraction: number;
  clock: Clock;
  logger: Logger;
  onDegradedChange(degraded: boolean): void;
}): Limiter {
  const { shared, local, clock, logger } = deps;
  let retrySharedAt = 0;
  let degradedSince: number | undefined;
  let lastError: string | undefined;

  function degrade(error: CacheUnavailableError, now: number): void {
    retrySharedAt = now + SHARED_RETRY_MS;
    lastError = error.message;
    if (degradedSince !== undefined) return;
    degradedSince = now;
    deps.onDegradedChange(true);
    logger.warn(
      { err: error, fallbackFraction: deps.fallbackFraction },
      "rate limiter: redis unavailable, limiting per replica from memory",
    );
  }

  function recovered(): void {
    if (degradedSince === undefined) return;
    degradedSince = undefined;
    lastError = undefined;
    deps.onDegradedChange(false);
    logger.info("rate limiter: redis is back, limits are shared again");
  }

  async function sharedOrLocal<T>(useShared: (s: LimitStore) => Promise<T>, useLocal: () => Promise<T>): Promise<T> {
    const now = clock.now();
    if (shared && now >= retrySharedAt) {
      try {
        const result = await useShared(shared);
        recovered();
        return result;
      } catch (e) {
        if (!(e instanceof CacheUnavailableError)) throw e;
        degrade(e, now);
      }
    }
    return useLocal();
  }

  return {
    check(key, configured) {
      const nowUs = clock.now() * 1000;
      const decide = async (store: LimitStore, limit: number): Promise<LimitDecision> => {
        const result = await store.consume(key, limit, PERIOD_US, nowUs);
        return {
          allowed: result.allowed,
          limit,
          remaining: remainingOf(result, limit, PERIOD_US),
          resetSeconds: Math.ceil(result.resetUs / 1_000_000),
          retryAfterSeconds: result.allowed
            ? 0
            : Math.max(1, Math.ceil(retryAfterUsOf(result, limit, PERIOD_US) / 1e6)),
        };
      };
      const fallbackLimit = shared ? Math.max(1, Math.floor(configured * deps.fallbackFraction)) : configured;
      return sharedOrLocal(
        (s) => decide(s, configured),
        () => decide(local, fallbackLimit),
      );
    },
    firstRejection(key) {
      const windowMs = PERIOD_SECONDS * 1000;
      const now = clock.now();
      return sharedOrLocal(
        (s) => s.firstRejection(key, now, windowMs),
        () => local.firstRejection(key, now, windowMs),
      );
    },
    status() {
      return {
        store: shared ? "redis" : "memory",
        degraded: degradedSince !== undefined,
        ...(degradedSince !== undefined ? { degradedSince: new Date(degradedSince).toISOString() } : {}),
        ...(lastError ? { lastError } : {}),
      };
    },
  };
}
