/** Process state the probes report: set once at start, flipped to draining on SIGTERM. */
export interface Lifecycle {
  readonly startedAt: number;
  started: boolean;
  draining: boolean;
}

export function createLifecycle(now: number): Lifecycle {
  return { startedAt: now, started: false, draining: false };
}
