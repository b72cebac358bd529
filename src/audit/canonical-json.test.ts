import { describe, expect, it } from "vitest";
import { redact } from "../core/redaction.js";
import { canonicalJson } from "./canonical-json.js";
import { referenceCanonical } from "./test-helpers.js";

describe("canonicalJson", () => {
  it("sorts keys at every level and drops undefined", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined }, "": null })).toBe(
      '{"":null,"a":{"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it("is stable whatever the insertion order", () => {
    expect(canonicalJson({ x: 1, y: { p: 1, q: 2 } })).toBe(canonicalJson({ y: { q: 2, p: 1 }, x: 1 }));
  });

  it("encodes scalars like JSON", () => {
    expect(canonicalJson('a"b\n')).toBe(JSON.stringify('a"b\n'));
    expect(canonicalJson(-0)).toBe("0");
    expect(canonicalJson(null)).toBe("null");
    expect(canonicalJson([])).toBe("[]");
    expect(canonicalJson({})).toBe("{}");
  });
});

describe("canonicalJson fast path (native JSON.stringify of already-sorted trees)", () => {
  const proto = JSON.parse('{"__proto__":{"b":1,"a":2},"z":0}') as unknown;
  const cases: Array<[string, unknown]> = [
    ["sorted flat", { a: 1, b: "x", c: null, d: true }],
    ["sorted nested", { a: { x: [1, { p: 1, q: 2 }] }, b: [] }],
    ["unsorted deep inside a sorted tree", { a: { y: 1, x: 2 } }],
    ["integer-like keys (enumerated numerically)", { "10": 1, "2": 2, a: 3 }],
    ["undefined member", { a: undefined, b: 1 }],
    ["undefined in an array", [1, undefined]],
    ["a Date (toJSON)", { a: new Date(0) }],
    ["NaN", { a: Number.NaN }],
    ["a class instance", { a: new (class K {})() }],
    ["a __proto__ data key", proto],
    ["a null-prototype object", Object.assign(Object.create(null) as object, { b: 1, a: 2 })],
    ["unicode keys", { é: 1, z: 2, "\u{1F600}": 3 }],
  ];
  for (const [name, value] of cases) {
    it(`matches the sorted-key definition: ${name}`, () => {
      expect(canonicalJson(value)).toBe(referenceCanonical(value));
    });
  }

  it("matches it for redacted free-form details too", () => {
    const details = redact({ z: { b: [1, { d: 1, c: "Bearer abcdefghijklmnop" }], a: null }, "1": "one", token: "s" });
    expect(canonicalJson(details)).toBe(referenceCanonical(details));
  });
});
