import { describe, expect, it } from "vitest";
import { isoTime } from "./clock.js";

describe("isoTime", () => {
  it("formats exactly like Date#toISOString, whatever order milliseconds arrive in", () => {
    const samples = [0, 1_795_000_000_123, 1_795_000_000_123, 1_795_000_000_124, 1_795_000_000_123, -1, 86_400_000];
    for (const ms of samples) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });
});
