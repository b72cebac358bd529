import type { AuditRecorder } from "../core/audit.js";
import type { Cache, RedisCache } from "../platform/cache.js";
import type { Clock } from "../platform/clock.js";
import type { RateLimitConfig } from "../platform/config/rate-limit.js";
import type { Feature } from "../platform/feature.js";
import type { PipelineStep } from "../platform/http/pipeline.js";
import type { Logger } from "../platform/logger.js";
import type { Metrics } from "../platform/metrics.js";
import { createLeasingStore } from "./leasing-store.js";
import { createLimiter } from "./limiter.js";
import { createMemoryLimitStore } from "./memory-store.js";
import { rateLimitStep } from "./rate-limit-step.js";
import { createRedisLimitStore } from "./redis-store.js";

export interface RateLimitDeps {
  config: RateLimitConfig;
  /** With Redis, limits are shared by every replica; with the memory cache, per process. */
  cache: Cache | RedisCache;
  audit: AuditRecorder;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
}

export interface RateLimitModule {
  /** The request pipeline's rate-limit step; `undefined` with RATE_LIMIT_ENABLED=false. */
  readonly step: PipelineStep | undefined;
  /** Reports the limiter in /health/detailed (degraded while Redis is away). */
  readonly feature: Feature;
}

/** Request limits per API key, user and client address (docs/RATE_LIMITS.md). */
export function createRateLimit(deps: RateLimitDeps): RateLimitModule {
  const { config, cache, metrics } = deps;
  const rejections = metrics.counter({
    name: "sark_ratelimit_rejections_total",
    help: "Requests refused with 429 by the rate limiter, by the kind of allowance spent (api_key, user, ip)",
    labelNames: ["kind"],
  });
  const degradedGauge = metrics.gauge({
    name: "sark_ratelimit_degraded",
    help: "1 while Redis is unreachable and this replica limits from memory at RATE_LIMIT_FALLBACK_FRACTION",
  });
  degradedGauge.set(0);
  const limiter = createLimiter({
    shared: "run" in cache ? createLeasingStore(createRedisLimitStore(cache)) : undefined,
    local: createMemoryLimitStore(),
    fallbackFraction: config.fallbackFraction,
    clock: deps.clock,
    logger: deps.logger,
    onDegradedChange: (degraded) => degradedGauge.set(degraded ? 1 : 0),
  });
  return {
    step: config.enabled ? rateLimitStep({ config, limiter, audit: deps.audit, rejections }) : undefined,
    feature: {
      name: "ratelimit",
      async health() {
        if (!config.enabled) return { status: "healthy", enabled: false };
        const status = limiter.status();
        return { status: status.degraded ? "degraded" : "healthy", enabled: true, ...status };
      },
    },
  };
}
