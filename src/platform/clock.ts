/** Time source, injected so tests can control it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

let lastIsoMs = Number.NaN;
let lastIso = "";

/**
 * `new Date(ms).toISOString()`, remembering the last millisecond formatted. Under load many
 * timestamps per request (policy input, audit events, access lines) fall in the same millisecond,
 * and formatting one costs about half a microsecond.
 */
export function isoTime(ms: number): string {
  if (ms !== lastIsoMs) {
    lastIso = new Date(ms).toISOString();
    lastIsoMs = ms;
  }
  return lastIso;
}
