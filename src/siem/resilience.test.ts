import { describe, expect, it } from "vitest";
import { backoffMs, createCircuitBreaker } from "./resilience.js";

describe("circuit breaker", () => {
  it("opens after the threshold of consecutive failures, half-opens after the reset, closes on success", () => {
    let now = 1000;
    const cb = createCircuitBreaker({ threshold: 3, resetMs: 500, now: () => now });
    cb.recordFailure();
    cb.recordFailure();
    expect(cb.state()).toBe("closed");
    expect(cb.waitMs()).toBe(0);
    cb.recordFailure();
    expect(cb.state()).toBe("open");
    expect(cb.waitMs()).toBe(500);
    now += 200;
    expect(cb.waitMs()).toBe(300);
    now += 300;
    expect(cb.state()).toBe("half_open");
    expect(cb.waitMs()).toBe(0);
    cb.recordSuccess();
    expect(cb.state()).toBe("closed");
    expect(cb.consecutiveFailures()).toBe(0);
  });

  it("reopens at once when the half-open probe fails", () => {
    let now = 0;
    const cb = createCircuitBreaker({ threshold: 2, resetMs: 100, now: () => now });
    cb.recordFailure();
    cb.recordFailure();
    now = 100;
    expect(cb.state()).toBe("half_open");
    cb.recordFailure();
    expect(cb.state()).toBe("open");
    expect(cb.waitMs()).toBe(100);
  });

  it("a success resets the failure count before the threshold", () => {
    const cb = createCircuitBreaker({ threshold: 2, resetMs: 100, now: () => 0 });
    cb.recordFailure();
    cb.recordSuccess();
    cb.recordFailure();
    expect(cb.state()).toBe("closed");
  });
});

describe("backoff", () => {
  it("grows exponentially, stays within [step/2, step] and never exceeds the cap", () => {
    expect(backoffMs(1, 30_000, () => 0)).toBe(125);
    expect(backoffMs(1, 30_000, () => 1)).toBe(250);
    expect(backoffMs(3, 30_000, () => 1)).toBe(1000);
    expect(backoffMs(20, 30_000, () => 1)).toBe(30_000);
    expect(backoffMs(20, 30_000, () => 0)).toBe(15_000);
    expect(backoffMs(1000, 30_000, () => 0.5)).toBeLessThanOrEqual(30_000);
  });

  it("respects a cap smaller than the base step", () => {
    expect(backoffMs(1, 40, () => 1)).toBe(40);
    expect(backoffMs(5, 40, () => 0)).toBe(20);
  });
});
