import { afterEach, describe, expect, it } from "vitest";
import { mergeData } from "./files.js";

afterEach(() => {
  delete (Object.prototype as Record<string, unknown>).polluted;
});

describe("mergeData (sark policy eval --data)", () => {
  it("deep-merges objects, later files winning for everything else", () => {
    const out = mergeData({ a: { b: 1, c: [1] } }, { a: { c: [2], d: 3 }, e: true });
    expect(out).toEqual({ a: { b: 1, c: [2], d: 3 }, e: true });
  });

  it("treats a data file's __proto__ key as data and never merges into Object.prototype", () => {
    const file = JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}');
    const out = mergeData({}, file);
    mergeData(out, file);
    expect(Object.hasOwn(Object.prototype, "polluted")).toBe(false);
    expect(Object.hasOwn(out, "__proto__")).toBe(true);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}');
  });
});
