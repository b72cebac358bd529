import { describe, expect, it } from "vitest";
import { fromJS, RegoObject, RegoSet, toJS } from "./value.js";

describe("sorted views of sets and objects", () => {
  it("orders set elements by OPA's total order, primitives and composites together", () => {
    const s = RegoSet.from([fromJS({ b: 1 }), "a", [1], 2, null, true, RegoSet.from(["z"])]);
    expect(s.sorted().map((v) => toJS(v))).toEqual([null, true, 2, "a", [1], { b: 1 }, ["z"]]);
  });

  it("orders object entries by key, composite keys after primitive ones", () => {
    const o = new RegoObject().set("b", 1).set(["x"], 2).set(1, 3).set("a", 4);
    expect(o.sortedEntries()).toEqual([
      [1, 3],
      ["a", 4],
      ["b", 1],
      [["x"], 2],
    ]);
  });

  it("returns fresh arrays for empty and one-element collections", () => {
    const empty = new RegoSet();
    expect(empty.sorted()).toEqual([]);
    expect(empty.sorted()).not.toBe(empty.sorted());
    const one = new RegoObject().set("k", "v");
    const entries = one.sortedEntries();
    entries.push(["x", "y"]);
    expect(one.sortedEntries()).toEqual([["k", "v"]]);
  });
});
