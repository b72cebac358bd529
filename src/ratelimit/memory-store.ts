import { LRUCache } from "lru-cache";
import { gcraStep } from "./gcra.js";
import type { LimitStore } from "./store.js";

/**
 * Limit state in process memory, bounded: the least recently seen identities are forgotten first
 * (an identity idle for a period has a full allowance anyway, so forgetting it changes nothing).
 */
export function createMemoryLimitStore(maxIdentities = 200_000): LimitStore {
  const tats = new LRUCache<string, number>({ max: maxIdentities });
  /** Until when (ms, on the limiter's clock) an identity's rejection has been audited. */
  const rejectedUntil = new LRUCache<string, number>({ max: maxIdentities });
  return {
    kind: "memory",
    async consume(key, limit, periodUs, nowUs, count = 1) {
      const step = gcraStep(tats.get(key), nowUs, limit, periodUs, count);
      if (step.newTat !== undefined) tats.set(key, step.newTat);
      return step.result;
    },
    async firstRejection(key, nowMs, windowMs) {
      if ((rejectedUntil.get(key) ?? 0) > nowMs) return false;
      rejectedUntil.set(key, nowMs + windowMs);
      return true;
    },
  };
}
