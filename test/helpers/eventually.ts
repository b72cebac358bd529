export interface EventuallyOptions {
  /**
   * Give up after this long. Generous by default: it only stops a hung test, and what the tests
   * wait for (other replicas, timers, a database, a child process) is slow on a loaded CI machine.
   */
  timeoutMs?: number;
  /** Pause between attempts. */
  intervalMs?: number;
  /** What is awaited, named in the timeout error. */
  what?: string;
}

/**
 * The one poller of the test suite: retries `check` until it neither throws nor returns `false`
 * (so it takes both `expect(...)` assertions and boolean conditions), then returns. On timeout it
 * rethrows the check's last failure, or reports what it waited for. For state that is reached
 * "within seconds", not at once; no test asserts how long that took.
 */
export async function eventually(check: () => unknown, options: EventuallyOptions = {}): Promise<void> {
  const { timeoutMs = 20_000, intervalMs = 50, what = "the condition" } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let failure: unknown;
    try {
      if ((await check()) !== false) return;
    } catch (e) {
      failure = e;
    }
    if (Date.now() >= deadline) {
      throw failure ?? new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
