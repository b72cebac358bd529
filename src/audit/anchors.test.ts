import { describe, expect, it } from "vitest";
import { bridgeHmac, checkpointHmac, macMatches, parseBridge } from "./anchors.js";

const KEY = "unit-test-checkpoint-key-0123456789abcdef";
const H1 = "a".repeat(64);
const H2 = "b".repeat(64);

describe("audit anchors", () => {
  it("signs checkpoints and markers apart: one signature never passes for the other", () => {
    const run = { first_seq: 5, last_seq: 9, from_hash: H1, to_hash: H2 };
    const checkpoint = { seq: 9, hash: H2, created_at: "2026-12-01T00:00:00.000Z" };
    expect(bridgeHmac(KEY, run)).toMatch(/^[0-9a-f]{64}$/);
    expect(bridgeHmac(KEY, run)).not.toBe(checkpointHmac(KEY, checkpoint));
    expect(bridgeHmac(KEY, run)).not.toBe(bridgeHmac(`${KEY}x`, run));
    expect(bridgeHmac(KEY, run)).not.toBe(bridgeHmac(KEY, { ...run, last_seq: 10 }));
    expect(checkpointHmac(KEY, checkpoint)).not.toBe(checkpointHmac(KEY, { ...checkpoint, created_at: "x" }));
  });

  it("compares MACs exactly, whatever their length", () => {
    expect(macMatches("abc", "abc")).toBe(true);
    expect(macMatches("abc", "abd")).toBe(false);
    expect(macMatches("abc", "ab")).toBe(false);
  });

  it("parses the runs the maintenance function reports and refuses anything else", () => {
    expect(parseBridge(`3 7 ${H1} ${H2}`)).toEqual({ first_seq: 3, last_seq: 7, from_hash: H1, to_hash: H2 });
    for (const bad of [
      "",
      `3 7 ${H1}`,
      `3 7 ${H1} ${H2} x`,
      `3 x ${H1} ${H2}`,
      `3 7 h ${H2}`,
      `3 7 ${H1} ${H2.toUpperCase()}`,
    ]) {
      expect(parseBridge(bad)).toBeUndefined();
    }
  });
});
