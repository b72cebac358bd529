import { describe, expect, it } from "vitest";
import { equals, fromJS, toJS } from "../value.js";
import { BuiltinTypeError } from "./args.js";
import { call, setOf } from "./test-helpers.js";
import { BuiltinError } from "./types.js";

describe("numbers", () => {
  it("rounds like Go and builds ranges", () => {
    expect([-9.5, -9.4, 9.5, 8].map((n) => call("round", n))).toEqual([-10, -9, 10, 8]);
    expect(call("ceil", -9.1)).toBe(-9);
    expect(call("floor", -9.1)).toBe(-10);
    expect(call("abs", -9.1)).toBe(9.1);
    expect(call("numbers.range", 5, 1)).toEqual([5, 4, 3, 2, 1]);
    expect(call("numbers.range_step", 0, 10, 4)).toEqual([0, 4, 8]);
    expect(() => call("numbers.range", 1.01, 5)).toThrow(/integer/);
    expect(() => call("numbers.range_step", 0, 10, 0)).toThrow(BuiltinError);
  });

  it("converts to numbers", () => {
    expect(call("to_number", "-1.5e2")).toBe(-150);
    expect(call("to_number", true)).toBe(1);
    expect(call("to_number", null)).toBe(0);
    expect(() => call("to_number", "0x10")).toThrow(BuiltinError);
    expect(() => call("to_number", [])).toThrow(BuiltinTypeError);
  });

  it("does 64-bit bitwise arithmetic", () => {
    expect(call("bits.negate", -50)).toBe(49);
    expect(call("bits.lsh", 9, 2)).toBe(36);
    expect(call("bits.rsh", 9, 2)).toBe(2);
    expect(call("bits.and", 2 ** 40 + 1, 2 ** 40)).toBe(2 ** 40);
    expect(() => call("bits.or", 1.5, 1)).toThrow(BuiltinError);
  });

  it("draws rand.intn deterministically", () => {
    const x = call("rand.intn", "x", 50000);
    expect(call("rand.intn", "x", 50000)).toBe(x);
    expect(call("rand.intn", "b", 0)).toBe(0);
    expect(call("rand.intn", "a", 10.3)).toBeUndefined();
  });
});

describe("units", () => {
  it("parses SI and binary amounts", () => {
    expect(call("units.parse", "1K")).toBe(1000);
    expect(call("units.parse", "100m")).toBe(0.1);
    expect(call("units.parse", "1Ki")).toBe(1024);
    expect(call("units.parse", "1.5Gi")).toBe(1.5 * 2 ** 30);
    expect(call("units.parse", '"1"')).toBe(1);
    expect(call("units.parse", "1mb")).toBeUndefined();
    expect(() => call("units.parse", "1 m")).toThrow(/spaces/);
  });

  it("parses byte amounts case-insensitively", () => {
    expect(call("units.parse_bytes", "10KB")).toBe(10000);
    expect(call("units.parse_bytes", "1kib")).toBe(1024);
    expect(call("units.parse_bytes", "1.5MiB")).toBe(1572864);
    expect(call("units.parse_bytes", "42")).toBe(42);
    expect(call("units.parse_bytes", "1xb")).toBeUndefined();
  });
});

describe("uuid", () => {
  it("generates version-4 UUIDs stable within an evaluation", () => {
    const a = call("uuid.rfc4122", "1");
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(call("uuid.rfc4122", "1")).toBe(a);
    expect(call("uuid.rfc4122", "2")).not.toBe(a);
    expect(toJS(call("uuid.parse", a) ?? null)).toEqual({ variant: "RFC4122", version: 4 });
  });

  it("parses time-based UUIDs as OPA reports them", () => {
    expect(toJS(call("uuid.parse", "b01d0062-a116-11ee-822b-7ab0b9e5e0c0") ?? null)).toEqual({
      clocksequence: 555,
      macvariables: "local:unicast",
      nodeid: "7a-b0-b9-e5-e0-c0",
      time: 1703282931110717000,
      variant: "RFC4122",
      version: 1,
    });
    expect(toJS(call("uuid.parse", "000003e8-a129-21ee-ae00-325096b39f47") ?? null)).toMatchObject({
      domain: "Person",
      id: 1000,
      clocksequence: 11776,
      time: 1703290796079613700, // the double nearest the exact 1703290796079613600
    });
    expect(toJS(call("uuid.parse", "1EC9414C-232A-6B00-B3C8-9E6BDECED846") ?? null)).toEqual({
      variant: "RFC4122",
      version: 6,
      time: 1645557742000000000,
    });
    expect(toJS(call("uuid.parse", "017F22E2-79B0-7CC3-98C4-DC0C0C07398F") ?? null)).toMatchObject({
      version: 7,
      time: 1645557742000000000,
    });
    expect(call("uuid.parse", "not-valid")).toBeUndefined();
  });
});

describe("semver", () => {
  it("validates and compares versions", () => {
    expect(call("semver.is_valid", "1.1.12-rc1+foo")).toBe(true);
    expect(call("semver.is_valid", "1.1")).toBe(false);
    expect(call("semver.is_valid", 1)).toBe(false);
    expect(call("semver.compare", "1.9.10", "1.8.15")).toBe(1);
    expect(call("semver.compare", "1.0.0-alpha", "1.0.0")).toBe(-1);
    expect(call("semver.compare", "1.0.0-alpha.1", "1.0.0-alpha.beta")).toBe(-1);
    expect(call("semver.compare", "1.0.0-rc.2", "1.0.0-rc.10")).toBe(-1);
    expect(call("semver.compare", "1.0.0+a", "1.0.0+b")).toBe(0);
    expect(() => call("semver.compare", "v1", "1.0.0")).toThrow(BuiltinError);
  });
});

describe("walk and graphs", () => {
  it("walks every node in pre-order", () => {
    expect(toJS(call("walk", { a: [1] }) ?? null)).toEqual([
      [[], { a: [1] }],
      [["a"], [1]],
      [["a", 0], 1],
    ]);
  });

  it("computes reachability like OPA", () => {
    const graph = { a: ["b"], b: setOf("c"), c: [], d: ["a"] };
    expect(equals(call("graph.reachable", graph, ["a"]) ?? null, setOf("a", "b", "c"))).toBe(true);
    expect(equals(call("graph.reachable", graph, ["zz"]) ?? null, setOf())).toBe(true);
    const cyclic = { a: ["b"], b: ["a", "c"], c: [] };
    expect(
      equals(call("graph.reachable_paths", cyclic, ["a"]) ?? null, fromJS(setOf(["a", "b", "c"], ["a", "b"]))),
    ).toBe(true);
  });
});
