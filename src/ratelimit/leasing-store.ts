import { LRUCache } from "lru-cache";
import { type GcraResult, intervalUs } from "./gcra.js";
import type { LimitStore } from "./store.js";

/** Requests a replica took from the shared allowance in one round trip and has not used yet. */
interface Lease {
  left: number;
  /** The limit the lease was taken under: a changed limit starts afresh. */
  readonly limit: number;
  /** Unused requests lapse once the time to earn them has passed, so none is spent late. */
  readonly expiresUs: number;
  /** When the shared allowance is full again, as Redis reported at the grant. */
  readonly resetAtUs: number;
}

/**
 * How many requests to take per round trip: 1% of the limit, at most 64, so limits under 200 a
 * minute (every limit the acceptance tests name) still take exactly one request per round trip.
 */
export const leaseSize = (limit: number): number => Math.max(1, Math.min(64, Math.floor(limit / 100)));

/**
 * Wraps the shared (Redis) store so a busy identity costs one round trip per `leaseSize` requests
 * instead of one per request: a round trip takes up to that many from the shared allowance, and
 * this replica serves the rest from memory until they are used or lapse. Every request admitted
 * was debited in Redis first, so replicas together never admit more than the shared limit; what a
 * replica holds unused (under 1% of a limit) is only unavailable to the others until it lapses.
 * Requests for an identity that arrive while its round trip is in flight wait for it and take
 * from its lease, rather than each fetching (and overwriting) a lease of their own.
 */
export function createLeasingStore(shared: LimitStore, maxIdentities = 50_000): LimitStore {
  const leases = new LRUCache<string, Lease>({ max: maxIdentities });
  const inFlight = new Map<string, Promise<unknown>>();

  function takeLeased(key: string, limit: number, nowUs: number): GcraResult | undefined {
    const lease = leases.get(key);
    if (!lease || lease.left < 1 || lease.limit !== limit || nowUs >= lease.expiresUs) return undefined;
    lease.left--;
    return { allowed: true, granted: 1, resetUs: Math.max(0, lease.resetAtUs - nowUs) };
  }

  async function fetchLease(key: string, limit: number, periodUs: number, nowUs: number): Promise<GcraResult> {
    const result = await shared.consume(key, limit, periodUs, nowUs, leaseSize(limit));
    if (result.granted > 1) {
      leases.set(key, {
        left: result.granted - 1,
        limit,
        expiresUs: nowUs + result.granted * intervalUs(limit, periodUs),
        resetAtUs: nowUs + result.resetUs,
      });
    } else {
      leases.delete(key);
    }
    return { ...result, granted: result.allowed ? 1 : 0 };
  }

  return {
    kind: shared.kind,
    async consume(key, limit, periodUs, nowUs) {
      if (leaseSize(limit) === 1) return shared.consume(key, limit, periodUs, nowUs);
      const leased = takeLeased(key, limit, nowUs);
      if (leased) return leased;
      const pending = inFlight.get(key);
      if (pending) {
        await pending.catch(() => undefined);
        return takeLeased(key, limit, nowUs) ?? shared.consume(key, limit, periodUs, nowUs);
      }
      const fetching = fetchLease(key, limit, periodUs, nowUs);
      inFlight.set(key, fetching);
      try {
        return await fetching;
      } finally {
        inFlight.delete(key);
      }
    },
    firstRejection: (key, nowMs, windowMs) => shared.firstRejection(key, nowMs, windowMs),
  };
}
