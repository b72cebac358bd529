import { describe, expect, it } from "vitest";
import { equals, fromJS, toJS, type Value } from "../value.js";
import { call, setOf } from "./test-helpers.js";

function patch(doc: unknown, ops: unknown[]): unknown {
  const out = call("json.patch", doc, ops);
  return out === undefined ? undefined : toJS(out);
}

describe("json.patch", () => {
  it("applies the RFC 6902 operations", () => {
    expect(patch({ a: { foo: 1 } }, [{ op: "add", path: "/a/bar", value: 2 }])).toEqual({ a: { foo: 1, bar: 2 } });
    expect(patch({ a: { foo: 1, bar: 2 } }, [{ op: "remove", path: "/a/bar" }])).toEqual({ a: { foo: 1 } });
    expect(patch({ a: { foo: 1 } }, [{ op: "replace", path: "/a/foo", value: 42 }])).toEqual({ a: { foo: 42 } });
    expect(patch({ a: { foo: 1 }, b: {} }, [{ op: "move", from: "/a/foo", path: "/b/foo" }])).toEqual({
      a: {},
      b: { foo: 1 },
    });
    expect(patch({ a: { foo: 1 }, b: {} }, [{ op: "copy", from: "/a/foo", path: "/b/foo" }])).toEqual({
      a: { foo: 1 },
      b: { foo: 1 },
    });
    expect(patch({ a: { foo: 1 } }, [{ op: "test", path: "/a/foo", value: 1 }])).toEqual({ a: { foo: 1 } });
    expect(patch({ a: { foo: 1 } }, [{ op: "test", path: "/a/foo", value: 2 }])).toBeUndefined();
  });

  it("edits arrays by index and appends with -", () => {
    expect(patch({ arr: [1, 2, 3] }, [{ op: "add", path: "/arr/1", value: "x" }])).toEqual({ arr: [1, "x", 2, 3] });
    expect(patch({ arr: [1, 2, 3] }, [{ op: "add", path: "/arr/-", value: 4 }])).toEqual({ arr: [1, 2, 3, 4] });
    expect(patch({ arr: [1, 2, 3] }, [{ op: "remove", path: "/arr/1" }])).toEqual({ arr: [1, 3] });
    expect(patch([1, 2], [{ op: "remove", path: "/01" }])).toBeUndefined();
    expect(patch([1, 2], [{ op: "remove", path: "/-" }])).toBeUndefined();
    expect(patch([1, 2], [{ op: "remove", path: [-1] }])).toBeUndefined();
    expect(patch([1, 2], [{ op: "remove", path: [1e36] }])).toBeUndefined();
  });

  it("unescapes ~0 and ~1 in pointers", () => {
    expect(patch({ "foo/bar": { "baz~": 1 } }, [{ op: "add", path: "/foo~1bar/baz~0test", value: 2 }])).toEqual({
      "foo/bar": { "baz~": 1, "baz~test": 2 },
    });
  });

  it("patches sets by member value", () => {
    const run = (doc: Value, ops: unknown[]) => call("json.patch", doc, ops);
    expect(equals(run(setOf("a", "b"), [{ op: "add", path: ["d"], value: "d" }]) ?? null, setOf("a", "b", "d"))).toBe(
      true,
    );
    expect(equals(run(setOf("a", "b"), [{ op: "remove", path: ["b"] }]) ?? null, setOf("a"))).toBe(true);
    expect(run(setOf("a", "b"), [{ op: "replace", path: ["a"], value: "c" }])).toBeUndefined();
    const member = fromJS({ a: [1] });
    const copied = run(setOf(member), [{ op: "copy", from: [member, "a", 0], path: [member, "a", "-"] }]);
    expect(equals(copied ?? null, setOf({ a: [1, 1] }))).toBe(true);
    const nested = fromJS({ a: [1, 2] });
    expect(run(setOf(nested), [{ op: "replace", path: [nested, "a", 1], value: 9 }])).toBeUndefined();
  });

  it("handles the root and rejects malformed operations", () => {
    expect(patch({ a: 1 }, [{ op: "remove", path: "" }])).toBeUndefined();
    expect(
      patch({ a: 1 }, [
        { op: "remove", path: "" },
        { op: "add", path: "", value: { b: 2 } },
      ]),
    ).toEqual({ b: 2 });
    expect(patch({}, [{ path: "/a", value: 1 }])).toBeUndefined();
    expect(patch({}, [{ op: "add", value: 1 }])).toBeUndefined();
    expect(patch({}, [{ op: "add", path: "/a" }])).toBeUndefined();
    expect(patch({}, [{ op: "move", path: "/a" }])).toBeUndefined();
    expect(patch({ a: { b: 1 } }, [{ op: "move", from: "/a", path: "/a/c" }])).toBeUndefined();
  });

  it("never mutates its input", () => {
    const original = fromJS({ a: [1, 2, 3] });
    call("json.patch", original, [
      { op: "remove", path: "/a/0" },
      { op: "remove", path: "/missing" },
    ]);
    expect(toJS(original)).toEqual({ a: [1, 2, 3] });
  });
});

describe("json.patch with null values", () => {
  it("replaces and tests a null member", () => {
    expect(patch({ data: null }, [{ op: "replace", path: "/data", value: { num: 3.5 } }])).toEqual({
      data: { num: 3.5 },
    });
    expect(patch({ data: null }, [{ op: "test", path: "/data", value: null }])).toEqual({ data: null });
  });
});
