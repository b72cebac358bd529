import { describe, expect, it } from "vitest";
import { createLeasingStore, leaseSize } from "./leasing-store.js";
import { createMemoryLimitStore } from "./memory-store.js";
import type { LimitStore } from "./store.js";

const MINUTE_US = 60_000_000;

/** A shared store that counts its round trips (memory stands in for Redis: the same GCRA). */
function countingStore(): LimitStore & { roundTrips: number } {
  const inner = createMemoryLimitStore();
  const store = {
    kind: "redis" as const,
    roundTrips: 0,
    consume(key: string, limit: number, periodUs: number, nowUs: number, count?: number) {
      store.roundTrips++;
      return inner.consume(key, limit, periodUs, nowUs, count);
    },
    firstRejection: inner.firstRejection,
  };
  return store;
}

describe("leasing store", () => {
  it("takes 1% of a limit per round trip, at most 64, and exactly one below 200 a minute", () => {
    expect([1, 20, 100, 199, 200, 1000, 5000, 6400, 10_000_000].map(leaseSize)).toEqual([
      1, 1, 1, 1, 2, 10, 50, 64, 64,
    ]);
  });

  it("serves a busy identity with one round trip per lease, and never admits more than the shared limit", async () => {
    const shared = countingStore();
    const leasing = createLeasingStore(shared);
    const now = 1_000_000_000;
    let admitted = 0;
    for (let i = 0; i < 6000; i++) if ((await leasing.consume("k", 5000, MINUTE_US, now)).allowed) admitted++;
    expect(admitted).toBe(5000);
    expect(shared.roundTrips).toBeLessThanOrEqual(5000 / 50 + 1000); // leases of 50, then one per refusal
    expect(shared.roundTrips).toBeGreaterThanOrEqual(100);
  });

  it("two replicas with leases on one shared allowance admit no more than it holds", async () => {
    const shared = countingStore();
    const [a, b] = [createLeasingStore(shared), createLeasingStore(shared)];
    const now = 5_000_000_000;
    let admitted = 0;
    for (let i = 0; i < 3000; i++) {
      if ((await (i % 3 ? a : b).consume("k", 1000, MINUTE_US, now)).allowed) admitted++;
    }
    expect(admitted).toBeLessThanOrEqual(1000);
    // What one replica holds unused (under a lease of 10) is all the other can miss.
    expect(admitted).toBeGreaterThanOrEqual(1000 - 10);
  });

  it("lets unused leased requests lapse once the time to earn them has passed", async () => {
    const shared = countingStore();
    const leasing = createLeasingStore(shared);
    let now = 9_000_000_000;
    await leasing.consume("k", 6000, MINUTE_US, now); // a lease of 60, one used
    expect(shared.roundTrips).toBe(1);
    await leasing.consume("k", 6000, MINUTE_US, now + 1000);
    expect(shared.roundTrips).toBe(1); // served from the lease
    now += 60 * 10_000 + 1; // 60 requests at 6,000 a minute take 600 ms to earn
    await leasing.consume("k", 6000, MINUTE_US, now);
    expect(shared.roundTrips).toBe(2);
  });

  it("requests arriving during a round trip share its lease instead of each fetching one", async () => {
    const shared = countingStore();
    const leasing = createLeasingStore(shared);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => leasing.consume("k", 5000, MINUTE_US, 1_000_000_000)),
    );
    expect(results.every((r) => r.allowed)).toBe(true);
    expect(shared.roundTrips).toBe(1);
  });
});
