import { describe, expect, it } from "vitest";
import { compilePolicy } from "../index.js";
import { policy } from "../test-helpers.js";
import { equals, fromJS, RegoObject, RegoSet, toJS } from "../value.js";

describe("evaluation context", () => {
  it("shares rule results between prepared rules called with the same options object", () => {
    const lines: string[] = [];
    const p = policy('shared := x if { x := 1; print("computed") }\na := shared + 1\nb := shared + 2');
    const a = p.prepare("data.t.a");
    const b = p.prepare("data.t.b");
    const opts = { print: (m: string) => lines.push(m) };
    expect([a(opts), b(opts)]).toEqual([2, 3]);
    expect(lines).toEqual(["computed"]);
    expect(a({ print: (m: string) => lines.push(m) })).toBe(2);
    expect(lines).toEqual(["computed", "computed"]);
  });

  it("does not reuse results when the options object's input was replaced", () => {
    const p = policy("v := input.n");
    const v = p.prepare("data.t.v");
    const opts: { input: unknown } = { input: { n: 1 } };
    expect(v(opts)).toBe(1);
    opts.input = { n: 2 };
    expect(v(opts)).toBe(2);
  });

  it("converts plain JSON input only where it is used, with the same results as Value input", () => {
    const src = [
      "obj := input.params",
      "keys contains k if some k, _ in input.params",
      "n := count(input.params)",
      "typed := [is_object(input.params), is_array(input.list), is_string(input.list[0]), is_set(input.list)]",
      "total := sum([x | some x in input.list; is_number(x)])",
    ].join("\n");
    const input = { params: { a: 1, b: [true, null] }, list: ["s", 2, 3] };
    const plain = policy(src);
    for (const rule of ["obj", "keys", "n", "typed", "total"]) {
      const fromPlain = plain.evaluate(`data.t.${rule}`, { input });
      const fromValue = plain.evaluate(`data.t.${rule}`, { input: fromJS(input) });
      expect(fromPlain).toBeDefined();
      expect(equals(fromPlain ?? null, fromValue ?? null)).toBe(true);
    }
    expect(plain.evaluate("data.t.obj", { input })).toBeInstanceOf(RegoObject);
    expect(plain.evaluate("data.t.keys", { input })).toBeInstanceOf(RegoSet);
    expect(toJS(plain.evaluate("data.t.typed", { input }) ?? null)).toEqual([true, true, true, false]);
    expect(plain.evaluate("data.t.n", { input })).toBe(2);
    expect(plain.evaluate("data.t.total", { input })).toBe(5);
  });

  it("ignores inherited members of plain objects", () => {
    const p = policy('a := input.constructor\nb := input["__proto__"]\nc := input.toString');
    for (const r of ["a", "b", "c"]) expect(p.evaluate(`data.t.${r}`, { input: {} })).toBeUndefined();
  });

  it("still honours `with` replacements of builtins that read documents in place", () => {
    const p = policy("n := m if { m := count(input.xs) with count as 42 }\nplain := count(input.xs)");
    expect(p.evaluate("data.t.n", { input: { xs: [1, 2] } })).toBe(42);
    expect(p.evaluate("data.t.plain", { input: { xs: [1, 2] } })).toBe(2);
  });

  it("gives pure builtin calls in loops the right result for every argument", () => {
    const p = policy(
      'hits contains [k, f] if { some k in input.keys; some f in ["pass", "tok"]; contains(lower(k), f) }',
    );
    const hits = p.evaluate("data.t.hits", { input: { keys: ["Password", "x", "TOKEN", "pass"] } });
    expect(toJS(hits ?? null)).toEqual([
      ["Password", "pass"],
      ["TOKEN", "tok"],
      ["pass", "pass"],
    ]);
  });

  it("keeps base data and rules apart under one package", () => {
    const p = compilePolicy([{ path: "a.rego", source: "package cfg\nimport rego.v1\nlimit := data.cfg.base * 2\n" }]);
    expect(toJS(p.evaluate("data.cfg", { data: { cfg: { base: 5 } } }) ?? null)).toEqual({ base: 5, limit: 10 });
  });
});
