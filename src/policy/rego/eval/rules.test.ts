import { describe, expect, it } from "vitest";
import { RegoEvalError } from "../errors.js";
import { run } from "../test-helpers.js";

describe("rule kinds", () => {
  it("evaluates complete rules and defaults", () => {
    const src = 'default allow := false\nallow if input.role == "admin"';
    expect(run(src, "allow", { input: { role: "admin" } })).toBe(true);
    expect(run(src, "allow", { input: { role: "dev" } })).toBe(false);
  });

  it("keeps undefined distinct from false", () => {
    const src = "allow if input.x == 1\nno := false";
    expect(run(src, "allow", { input: { x: 2 } })).toBeUndefined();
    expect(run(src, "no")).toBe(false);
  });

  it("collects partial sets from several definitions (v1 and v0)", () => {
    expect(run('deny contains "a" if true\ndeny contains x if some x in ["b", "a"]', "deny")).toEqual(["a", "b"]);
    expect(run("package t\np[x] { x := [3, 1][_] }", "p")).toEqual([1, 3]);
  });

  it("builds partial objects and ref-head rules", () => {
    expect(run('roles[u] := r if some u, r in {"ann": "admin", "bo": "dev"}', "roles")).toEqual({
      ann: "admin",
      bo: "dev",
    });
    expect(run('a.b.c := 1\na.b.d := 2\na.e[k] := k if some k in ["x"]', "a")).toEqual({
      b: { c: 1, d: 2 },
      e: { x: "x" },
    });
  });

  it("returns the whole package document", () => {
    expect(run("x := 1\ny contains 2\nf(a) := a", "")).toEqual({ x: 1, y: [2] });
    expect(run("package t\nx := 1\ny[2] { true }\nf(a) := a", "")).toEqual({ x: 1, y: [2] });
  });

  it("follows else chains in order", () => {
    const src = 'level := "high" if input.n > 10\nelse := "mid" if input.n > 5\nelse := "low"';
    expect(run(src, "level", { input: { n: 11 } })).toBe("high");
    expect(run(src, "level", { input: { n: 6 } })).toBe("mid");
    expect(run(src, "level", { input: { n: 1 } })).toBe("low");
  });

  it("reports conflicting complete rule values as an evaluation error", () => {
    expect(() => run("x := 1 if true\nx := 2 if true", "x")).toThrow(RegoEvalError);
    expect(() => run("x := 1 if true\nx := 2 if true", "x")).toThrow(/multiple outputs/);
    expect(run("x := 1 if true\nx := 1 if true", "x")).toBe(1);
  });

  it("reports conflicting keys of partial objects", () => {
    expect(() => run('p[k] := 1 if k := "k"\np[k] := 2 if k := "k"', "p")).toThrow(/conflicts/);
  });

  it("reports a complete rule with several values from one body", () => {
    expect(() => run("x := v if some v in [1, 2]", "x")).toThrow(/multiple outputs/);
  });
});

describe("functions", () => {
  it("supports several definitions, argument patterns and := bodies", () => {
    const src = [
      'kind(x) := "num" if is_number(x)',
      'kind(x) := "str" if is_string(x)',
      "first([a, _]) := a",
      "double(x) := x * 2",
      'r := [kind(1), kind("s"), first([7, 8]), double(4)]',
    ].join("\n");
    expect(run(src, "r")).toEqual(["num", "str", 7, 8]);
  });

  it("is undefined when no definition matches", () => {
    expect(run("f(1) := true\nr := f(2)", "r")).toBeUndefined();
  });

  it("errors when definitions disagree for the same input", () => {
    expect(() => run("f(_) := 1\nf(_) := 2\nr := f(0)", "r")).toThrow(/multiple outputs/);
  });

  it("binds a builtin's result to an extra output argument", () => {
    expect(run("r if { count([1, 2], n); n == 2 }", "r")).toBe(true);
  });

  it("uses default function values", () => {
    expect(run("default f(_) := 0\nf(x) := 1 if x > 5\nr := [f(1), f(9)]", "r")).toEqual([0, 1]);
  });
});

describe("iteration and membership", () => {
  it("supports some/in forms, every and `in`", () => {
    const src = [
      "a contains x if some x in [1, 2]",
      'b contains k if { some k, v in {"p": 1, "q": 2}; v > 1 }',
      "c if every x in [2, 4] { x % 2 == 0 }",
      "d if every x in [2, 3] { x % 2 == 0 }",
      'e if "q" in {"q"}',
      "g if 1, 2 in [0, 2]",
      "h if every x in [] { false }",
    ].join("\n");
    expect(run(src, "a")).toEqual([1, 2]);
    expect(run(src, "b")).toEqual(["q"]);
    expect(run(src, "c")).toBe(true);
    expect(run(src, "d")).toBeUndefined();
    expect(run(src, "e")).toBe(true);
    expect(run(src, "g")).toBe(true);
    expect(run(src, "h")).toBe(true);
  });

  it("iterates refs with unbound variables and unifies patterns", () => {
    const src = [
      "pairs contains [i, x] if input.xs[i] = x",
      'names := {n | [n, "on"] = input.flags[_]}',
      'obj if { {"a": a} = {"a": 5}; a == 5 }',
    ].join("\n");
    const input = {
      xs: ["a", "b"],
      flags: [
        ["x", "on"],
        ["y", "off"],
      ],
    };
    expect(run(src, "pairs", { input })).toEqual([
      [0, "a"],
      [1, "b"],
    ]);
    expect(run(src, "names", { input })).toEqual(["x"]);
    expect(run(src, "obj")).toBe(true);
  });

  it("builds comprehensions over plain JSON input", () => {
    const src =
      "big := [u.name | some u in input.users; u.age > 30]\nbyName := {u.name: u.age | some u in input.users}";
    const input = {
      users: [
        { name: "a", age: 40 },
        { name: "b", age: 20 },
      ],
    };
    expect(run(src, "big", { input })).toEqual(["a"]);
    expect(run(src, "byName", { input })).toEqual({ a: 40, b: 20 });
  });

  it("negates with not", () => {
    const src = 'ok if not input.blocked\nok2 if not "x" in input.tags';
    expect(run(src, "ok", { input: { blocked: false } })).toBe(true);
    expect(run(src, "ok", { input: { blocked: true } })).toBeUndefined();
    expect(run(src, "ok2", { input: { tags: ["y"] } })).toBe(true);
  });
});
