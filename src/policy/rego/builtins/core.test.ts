import { describe, expect, it } from "vitest";
import { equals, fromJS, RegoObject, toJS } from "../value.js";
import { BuiltinTypeError } from "./args.js";
import { BUILTINS } from "./index.js";
import { call, setOf } from "./test-helpers.js";
import { BuiltinError } from "./types.js";

describe("operators", () => {
  it("does arithmetic and refuses division by zero", () => {
    expect(call("plus", 3, 4.5)).toBe(7.5);
    expect(call("minus", 3, -1)).toBe(4);
    expect(call("div", 15.3, 3)).toBe(5.1000000000000005);
    expect(call("rem", 10, 3)).toBe(1);
    expect(() => call("div", 1, 0)).toThrow(BuiltinError);
    expect(() => call("rem", 1, 0)).toThrow(/modulo by zero/);
    expect(() => call("rem", 1.1, 1)).toThrow(/floating-point/);
    expect(() => call("rem", 1e16, 2)).toThrow(/floating-point/);
    expect(() => call("plus", "1", 9)).toThrow(BuiltinTypeError);
  });

  it("treats minus, and, or on sets as set algebra", () => {
    expect(equals(call("minus", setOf(1, 2, 3), setOf(2)) ?? null, setOf(1, 3))).toBe(true);
    expect(equals(call("and", setOf(1, 2), setOf(2, 3)) ?? null, setOf(2))).toBe(true);
    expect(equals(call("or", setOf(1), setOf(2)) ?? null, setOf(1, 2))).toBe(true);
    expect(() => call("minus", setOf(1), 1)).toThrow(BuiltinTypeError);
  });

  it("compares any values in Rego order", () => {
    expect(call("lt", null, false)).toBe(true);
    expect(call("gt", "a", 100)).toBe(true);
    expect(call("eq", [1, { a: 1 }], [1, { a: 1 }])).toBe(true);
    expect(call("neq", 1, "1")).toBe(true);
  });
});

describe("aggregates", () => {
  it("counts code points, elements and keys", () => {
    expect(call("count", "abc")).toBe(3);
    expect(call("count", "μx")).toBe(2);
    expect(call("count", setOf(1, 1, 2))).toBe(2);
    expect(call("count", { a: 1 })).toBe(1);
    expect(() => call("count", 5)).toThrow(BuiltinTypeError);
  });

  it("sums, multiplies, sorts and picks extremes of arrays and sets", () => {
    expect(call("sum", [-1, 3, 2])).toBe(4);
    expect(call("product", [])).toBe(1);
    expect(call("max", setOf(1, 2, -1))).toBe(2);
    expect(call("min", [-1, 3, 2])).toBe(-1);
    expect(call("max", [])).toBeUndefined();
    expect(call("sort", setOf(3, 2, 1))).toEqual([1, 2, 3]);
    expect(() => call("sort", {})).toThrow(BuiltinTypeError);
  });
});

describe("arrays and sets", () => {
  it("slices with OPA's clamping", () => {
    expect(call("array.slice", [1, 2, 3], -5, 1)).toEqual([1]);
    expect(call("array.slice", [1, 2, 3], 5, 5)).toEqual([]);
    expect(call("array.slice", [1, 2, 3], 0, 5)).toEqual([1, 2, 3]);
    expect(call("array.slice", [5], 1.1, 2)).toBeUndefined();
  });

  it("concatenates and reverses", () => {
    expect(call("array.concat", [1], [2, 3])).toEqual([1, 2, 3]);
    expect(call("array.reverse", [1, 2, 3])).toEqual([3, 2, 1]);
  });

  it("unions and intersects sets of sets", () => {
    const sets = setOf(setOf(1, 2), setOf(2, 3));
    expect(equals(call("union", sets) ?? null, setOf(1, 2, 3))).toBe(true);
    expect(equals(call("intersection", sets) ?? null, setOf(2))).toBe(true);
  });
});

describe("types", () => {
  it("names types and answers predicates with booleans", () => {
    expect(call("type_name", setOf())).toBe("set");
    expect(call("is_string", 1)).toBe(false);
    expect(call("is_null", null)).toBe(true);
  });

  it("has no http.send", () => {
    expect(BUILTINS["http.send"]).toBeUndefined();
  });
});

describe("objects", () => {
  const obj = RegoObject.fromEntries([
    ["a", 5],
    ["b", fromJS({ c: 8 })],
    [setOf(1), 8],
  ]);

  it("gets by key and by path, falling back to the default", () => {
    const get = (k: unknown) => BUILTINS["object.get"]?.fn([obj, fromJS(k), "default"], { nowNs: 0 });
    expect(get("a")).toBe(5);
    expect(get(["b", "c"])).toBe(8);
    expect(get(["a", "b"])).toBe("default");
    expect(BUILTINS["object.get"]?.fn([obj, setOf(1), 0], { nowNs: 0 })).toBe(8);
  });

  it("filters, removes and lists keys", () => {
    expect(toJS(call("object.filter", { a: 1, b: 2, c: 3 }, ["a", "c"]) ?? null)).toEqual({ a: 1, c: 3 });
    expect(toJS(call("object.remove", { a: 1, b: 2 }, setOf("a")) ?? null)).toEqual({ b: 2 });
    expect(toJS(call("object.remove", { a: 1, b: 2 }, { b: 0 }) ?? null)).toEqual({ a: 1 });
    expect(equals(call("object.keys", { a: 1, b: 2 }) ?? null, setOf("a", "b"))).toBe(true);
  });

  it("merges recursively with the right side winning", () => {
    expect(toJS(call("object.union", { a: { b: 1, c: 2 }, d: 1 }, { a: { b: 3 }, d: { x: 1 } }) ?? null)).toEqual({
      a: { b: 3, c: 2 },
      d: { x: 1 },
    });
    expect(toJS(call("object.union_n", [{ a: 1 }, { b: 2 }, { a: 3 }]) ?? null)).toEqual({ a: 3, b: 2 });
  });

  it("tests subsets like OPA", () => {
    const sup = { a: "b", c: { x: setOf(10, 15, 20, 25), y: "z" } };
    expect(call("object.subset", sup, { c: { x: setOf(10, 15, 20) } })).toBe(true);
    expect(call("object.subset", [1, 2, 3, 4], [2, 3])).toBe(true);
    expect(call("object.subset", [1, 2, 3, 4], [2, 4])).toBe(false);
    expect(call("object.subset", [1, 2, 3], setOf(3, 1))).toBe(true);
    expect(call("object.subset", setOf(1, 2), setOf(3))).toBe(false);
  });

  it("filters and removes JSON paths", () => {
    const doc = { a: 5, b: { c: { d: 6 }, d: 7 }, c: 8 };
    expect(toJS(call("json.filter", doc, ["a", "b/c"]) ?? null)).toEqual({ a: 5, b: { c: { d: 6 } } });
    expect(toJS(call("json.filter", doc, setOf("c", ["b", "d"])) ?? null)).toEqual({ b: { d: 7 }, c: 8 });
    const s = { a: [[1, [7, 8, 9], 2], { a: 1, b: 2, c: 3 }] };
    expect(toJS(call("json.filter", s, [["a", 1]]) ?? null)).toEqual({ a: [] });
    expect(toJS(call("json.filter", s, ["a/0/1/2", ["a", "0", "2"], "a/0/1/1"]) ?? null)).toEqual({
      a: [[[8, 9], 2]],
    });
    const t = { a: setOf(1, 2, setOf("x"), setOf(8, 9, 10)) };
    const o7 = call("json.filter", t, [["a", setOf(8, 9, 10), 9]]);
    expect(equals(o7 ?? null, fromJS({ a: setOf(setOf(9)) }))).toBe(true);
    expect(toJS(call("json.remove", doc, ["b/c", "a"]) ?? null)).toEqual({ b: { d: 7 }, c: 8 });
  });
});

describe("null values are present values", () => {
  it("object.get returns a null value rather than the default", () => {
    expect(call("object.get", { a: null }, "a", 1)).toBeNull();
    expect(call("object.get", { a: { b: null } }, ["a", "b"], 1)).toBeNull();
  });
});

describe("the builtin table", () => {
  it("has every builtin SARK's policies may use, with the arity OPA gives it", () => {
    const arities: Record<string, number> = {
      count: 1,
      sum: 1,
      "array.slice": 3,
      "object.get": 3,
      "json.patch": 2,
      sprintf: 2,
      "regex.find_all_string_submatch_n": 3,
      "glob.match": 3,
      "time.now_ns": 0,
      "time.format": 1,
      "net.cidr_merge": 1,
      "io.jwt.decode_verify": 2,
      "units.parse_bytes": 1,
      "uuid.rfc4122": 1,
      walk: 1,
      "graph.reachable": 2,
    };
    for (const [name, arity] of Object.entries(arities)) expect(BUILTINS[name]?.arity, name).toBe(arity);
  });
});
