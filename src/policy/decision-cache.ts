import { LRUCache } from "lru-cache";
import { CACHE_KEYS, type Cache } from "../platform/cache.js";
import type { PolicyConfig } from "../platform/config/policy.js";
import { hashIdentity } from "./input.js";
import type { PolicyMetrics } from "./metrics.js";

/** What is cached for a decision (never an engine error: those are re-evaluated every time). */
export interface CachedDecision {
  allow: boolean;
  reasons: string[];
  filteredParameters?: Record<string, unknown>;
  policyVersion: string;
}

/** Keys are decision identities (`decisionIdentity`): the memory LRU uses them as they are, Redis hashes them. */
export interface DecisionCache {
  get(key: string): Promise<CachedDecision | undefined>;
  set(key: string, decision: CachedDecision, ttlSeconds: number): Promise<void>;
}

/**
 * Decision cache: a dedicated bounded LRU in process (so evictions can be counted), or the shared
 * Redis cache when several replicas run. Cache failures are misses, never request failures.
 */
export function createDecisionCache(deps: {
  cache: Cache;
  config: PolicyConfig;
  metrics: PolicyMetrics;
}): DecisionCache | undefined {
  const { cache, config, metrics } = deps;
  if (!config.cacheEnabled) return undefined;
  const count = (hit: boolean) => metrics.cache.inc({ result: hit ? "hit" : "miss" });
  if (cache.kind === "memory") {
    const lru = new LRUCache<string, CachedDecision>({
      max: config.cacheMaxEntries,
      dispose: (_v, _k, reason) => {
        if (reason === "evict") metrics.cacheEvictions.inc();
      },
    });
    return {
      async get(key) {
        const hit = lru.get(key);
        count(hit !== undefined);
        return hit;
      },
      async set(key, decision, ttlSeconds) {
        if (ttlSeconds > 0) lru.set(key, decision, { ttl: ttlSeconds * 1000 });
      },
    };
  }
  return {
    async get(key) {
      const hit = await cache.get<CachedDecision>(CACHE_KEYS.policyDecision(hashIdentity(key))).catch(() => undefined);
      count(hit !== undefined);
      return hit;
    },
    async set(key, decision, ttlSeconds) {
      if (ttlSeconds > 0) {
        await cache.set(CACHE_KEYS.policyDecision(hashIdentity(key)), decision, ttlSeconds).catch(() => {});
      }
    },
  };
}
