import { describe, expect, it } from "vitest";
import { parseDurationSeconds } from "./parsers.js";

describe("parseDurationSeconds", () => {
  it.each([
    ["900", 900],
    ["15m", 900],
    ["12h", 43200],
    ["7d", 604800],
    ["1500ms", 2],
  ])("%s → %d", (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });

  it("rejects garbage", () => {
    expect(parseDurationSeconds("soon")).toBeUndefined();
    expect(parseDurationSeconds("-5m")).toBeUndefined();
  });
});
