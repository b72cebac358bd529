/** Circuit states; the numeric value is the `sark_siem_circuit_state` gauge. */
export const CIRCUIT_STATE = { closed: 0, open: 1, half_open: 2 } as const;
export type CircuitState = keyof typeof CIRCUIT_STATE;

/**
 * Consecutive-failure circuit breaker. After `threshold` failures in a row it opens for
 * `resetMs`; then one probe is let through (half-open): success closes it, failure reopens it.
 */
export function createCircuitBreaker(options: { threshold: number; resetMs: number; now: () => number }) {
  let failures = 0;
  let openedAt: number | undefined;

  const state = (): CircuitState => {
    if (openedAt === undefined) return "closed";
    return options.now() - openedAt >= options.resetMs ? "half_open" : "open";
  };

  return {
    state,
    /** Milliseconds until a send may be attempted (0 when closed or half-open). */
    waitMs(): number {
      if (openedAt === undefined) return 0;
      return Math.max(0, openedAt + options.resetMs - options.now());
    },
    consecutiveFailures: () => failures,
    recordSuccess(): void {
      failures = 0;
      openedAt = undefined;
    },
    recordFailure(): void {
      failures += 1;
      // A failed half-open probe reopens immediately; a closed circuit opens at the threshold.
      if (openedAt !== undefined || failures >= options.threshold) openedAt = options.now();
    },
  };
}

export type CircuitBreaker = ReturnType<typeof createCircuitBreaker>;

/**
 * Exponential backoff with "equal jitter": half the exponential step plus a random half, capped at
 * `maxMs`. Never zero (no hot loop), and spread out so replicas do not retry in lockstep.
 */
export function backoffMs(attempt: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(250, maxMs);
  const step = Math.min(maxMs, base * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(step / 2 + random() * (step / 2));
}
