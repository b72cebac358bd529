import { percentilesNs } from "./results.js";

export interface LoopResult {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Runs `fn` for `warmupMs`, then measures throughput over `durationMs` in one tight loop, then
 * latency of `samples` individual calls (timed one by one, so the clock read does not distort
 * the throughput figure).
 */
export function measureLoop(
  fn: () => unknown,
  opts: { warmupMs?: number; durationMs?: number; samples?: number } = {},
): LoopResult {
  const warmupEnd = performance.now() + (opts.warmupMs ?? 1000);
  while (performance.now() < warmupEnd) fn();

  const durationMs = opts.durationMs ?? 3000;
  let count = 0;
  const start = performance.now();
  let now = start;
  while (now - start < durationMs) {
    for (let i = 0; i < 256; i++) fn();
    count += 256;
    now = performance.now();
  }
  const perSecond = count / ((now - start) / 1000);

  const samples = new BigInt64Array(opts.samples ?? 200_000);
  for (let i = 0; i < samples.length; i++) {
    const t = process.hrtime.bigint();
    fn();
    samples[i] = process.hrtime.bigint() - t;
  }
  const [p50Ms = 0, p99Ms = 0] = percentilesNs(samples, 50, 99);
  return { perSecond, p50Ms, p99Ms };
}
