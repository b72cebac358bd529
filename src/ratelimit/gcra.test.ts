import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gcraStep, intervalUs, remainingOf, retryAfterUsOf } from "./gcra.js";

const MINUTE_US = 60_000_000;

/** Runs `times` (µs, ascending) through one identity's GCRA state; returns which were allowed. */
function run(times: readonly number[], limit: number, periodUs = MINUTE_US): boolean[] {
  let tat: number | undefined;
  return times.map((now) => {
    const step = gcraStep(tat, now, limit, periodUs);
    if (step.newTat !== undefined) tat = step.newTat;
    return step.result.allowed;
  });
}

describe("gcra", () => {
  it("admits exactly `limit` back-to-back requests from idle, for limits that do not divide the period", () => {
    expect(intervalUs(10_000_000, MINUTE_US)).toBe(6);
    for (const limit of [1, 3, 5, 7, 20, 100, 999, 5000, 1_000_000]) {
      const allowed = run(new Array(limit + 1).fill(1_000_000_000), limit);
      expect(allowed.filter(Boolean).length, `limit ${limit}`).toBe(limit);
      expect(allowed.at(-1)).toBe(false);
    }
  });

  it("reports the remaining allowance and, once spent, when the next request fits", () => {
    let tat: number | undefined;
    const now = 5_000_000;
    const results = [];
    for (let i = 0; i < 21; i++) {
      const step = gcraStep(tat, now, 20, MINUTE_US);
      if (step.newTat !== undefined) tat = step.newTat;
      results.push(step.result);
    }
    expect(results.slice(0, 20).map((r) => remainingOf(r, 20, MINUTE_US))).toEqual(
      Array.from({ length: 20 }, (_, i) => 19 - i),
    );
    const rejected = results[20] ?? { allowed: true, granted: 1, resetUs: 0 };
    expect(rejected.allowed).toBe(false);
    // 20 per minute: one every 3 s, so the next request fits 3 s later; the allowance is full after 60 s.
    expect(retryAfterUsOf(rejected, 20, MINUTE_US)).toBe(3_000_000);
    expect(rejected.resetUs).toBe(60_000_000);
    expect(gcraStep(tat, now + 3_000_000, 20, MINUTE_US).result.allowed).toBe(true);
  });

  it("grants several at once as far as they fit, and none once the allowance is spent", () => {
    const first = gcraStep(undefined, 0, 10, MINUTE_US, 7);
    expect(first.result).toMatchObject({ allowed: true, granted: 7 });
    const second = gcraStep(first.newTat, 0, 10, MINUTE_US, 7);
    expect(second.result).toMatchObject({ allowed: true, granted: 3, resetUs: MINUTE_US });
    expect(gcraStep(second.newTat, 0, 10, MINUTE_US, 7).result).toMatchObject({ allowed: false, granted: 0 });
  });

  it("gives the full allowance back after a quiet period", () => {
    const times = [...new Array(6).fill(0), MINUTE_US, ...new Array(5).fill(MINUTE_US)];
    expect(run(times, 5)).toEqual([true, true, true, true, true, false, true, true, true, true, true, false]);
  });

  it("never lets a client double its rate at a boundary: any span t admits at most limit + t / interval", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 0, max: 3 * MINUTE_US }), { minLength: 1, maxLength: 300 }),
        (limit, raw) => {
          const times = [...raw].sort((a, b) => a - b);
          const allowed = run(times, limit);
          const admitted = times.filter((_, i) => allowed[i]);
          const interval = intervalUs(limit, MINUTE_US);
          for (let i = 0; i < admitted.length; i++) {
            for (let j = i; j < admitted.length; j++) {
              const span = (admitted[j] ?? 0) - (admitted[i] ?? 0);
              expect(j - i + 1).toBeLessThanOrEqual(limit + Math.floor(span / interval));
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
