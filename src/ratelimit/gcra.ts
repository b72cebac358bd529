/**
 * The generic cell rate algorithm (GCRA), the one limiting rule every store applies. A limit of
 * `limit` requests per `periodUs` admits a burst of `limit` from idle, then one request every
 * `periodUs / limit`: there is no window boundary at which a client could double its rate. Over any
 * span of t µs at most `limit + t / interval` requests pass. The state is one number per identity,
 * the theoretical arrival time (TAT) of the next request.
 *
 * Time is in integer microseconds and the interval is rounded down, so `limit` back-to-back
 * requests always fit exactly (a float interval could make the last of a burst miss by 1e-9) and
 * even 10,000,000 a minute keeps a non-zero interval. redis-store.ts runs the same steps in Lua.
 */

/** What one attempt to take requests from an identity's allowance yields. */
export interface GcraResult {
  readonly allowed: boolean;
  /** Requests granted: up to the count asked for, as many as fit now (0 when rejected). */
  readonly granted: number;
  /** µs until the identity's allowance is full again (rejected: counted from the stored TAT). */
  readonly resetUs: number;
}

/** The new TAT to store (allowed) and the result; `storedTat` is undefined for an idle identity. */
export interface GcraStep {
  readonly result: GcraResult;
  /** Set when the request is allowed: store it, expiring after `result.resetUs`. */
  readonly newTat?: number;
}

export const intervalUs = (limit: number, periodUs: number): number => Math.max(1, Math.floor(periodUs / limit));

/**
 * Takes up to `count` requests (as many as fit now, at least one or none) from the allowance whose
 * state is `storedTat`. Asking for more than one lets a replica hold a few for its next requests
 * (limiter.ts, leases).
 */
export function gcraStep(
  storedTat: number | undefined,
  nowUs: number,
  limit: number,
  periodUs: number,
  count = 1,
): GcraStep {
  const interval = intervalUs(limit, periodUs);
  const tat = storedTat === undefined || storedTat < nowUs ? nowUs : storedTat;
  const granted = Math.min(count, Math.floor((periodUs - (tat - nowUs)) / interval));
  if (granted < 1) return { result: { allowed: false, granted: 0, resetUs: tat - nowUs } };
  const newTat = tat + granted * interval;
  return { result: { allowed: true, granted, resetUs: newTat - nowUs }, newTat };
}

/** Requests still available right now, given an allowed result's reset time. */
export function remainingOf(result: GcraResult, limit: number, periodUs: number): number {
  if (!result.allowed) return 0;
  return Math.min(limit, Math.floor((periodUs - result.resetUs) / intervalUs(limit, periodUs)));
}

/** µs until one more request would be admitted, for a rejected result. */
export function retryAfterUsOf(result: GcraResult, limit: number, periodUs: number): number {
  return Math.max(0, result.resetUs + intervalUs(limit, periodUs) - periodUs);
}
