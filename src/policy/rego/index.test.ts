import { describe, expect, it } from "vitest";
import { RegoCompileError, RegoEvalError } from "./errors.js";
import { compilePolicy } from "./index.js";
import { policy, run } from "./test-helpers.js";
import { RegoObject, toJS } from "./value.js";

function compileError(source: string): string {
  try {
    policy(source);
  } catch (e) {
    expect(e).toBeInstanceOf(RegoCompileError);
    return (e as Error).message;
  }
  throw new Error("expected a compile error");
}

describe("with", () => {
  it("overrides input, input paths, data and functions for one literal", () => {
    const src = [
      'inner if input.user.role == "admin"',
      'a if inner with input as {"user": {"role": "admin"}}',
      'b if inner with input.user.role as "admin"',
      "limit := data.cfg.limit",
      "c := v if { v := limit with data.cfg.limit as 7 }",
      "f(x) := x + 1",
      "g(x) := x * 10",
      "d := v if { v := f(1) with f as g }",
      "e := v if { v := count([1, 2]) with count as 9 }",
      "after := inner",
    ].join("\n");
    const opts = { input: { user: { role: "dev" } }, data: { cfg: { limit: 1 } } };
    expect(run(src, "a", opts)).toBe(true);
    expect(run(src, "b", opts)).toBe(true);
    expect(run(src, "c", opts)).toBe(7);
    expect(run(src, "d", opts)).toBe(10);
    expect(run(src, "e", opts)).toBe(9);
    expect(run(src, "after", opts)).toBeUndefined();
  });
});

describe("compile errors", () => {
  it("rejects recursion between rules", () => {
    expect(compileError("a if b\nb if a")).toMatch(/recursive/);
    expect(compileError("f(x) := f(x)")).toMatch(/recursive/);
  });

  it("rejects unknown functions and wrong arity", () => {
    expect(compileError("x := nope(1)")).toMatch(/could not find function nope/);
    expect(compileError("x := count(1, 2, 3)")).toMatch(/count.*expects 1 argument/);
  });

  it("rejects unsafe variables with their location", () => {
    const msg = compileError("allow if {\n  x > 1\n}");
    expect(msg).toMatch(/t\.rego:4:3: var x is unsafe/);
    expect(compileError("p contains y if input.a == 1")).toMatch(/var y is unsafe/);
  });

  it("rejects assigning a variable twice with :=", () => {
    expect(compileError("p if {\n  x := 1\n  x := 2\n}")).toMatch(/x/);
  });

  it("rejects shadowing input or data in v1", () => {
    expect(compileError("p if { input := 1 }")).toMatch(/input cannot be shadowed/);
  });

  it("reports the syntax errors of every module", () => {
    try {
      compilePolicy([
        { path: "a.rego", source: "package a\np := " },
        { path: "b.rego", source: "package b\nq := 1\n}" },
      ]);
      throw new Error("expected a compile error");
    } catch (e) {
      expect((e as RegoCompileError).diagnostics.map((d) => [d.file, d.line])).toEqual([
        ["a.rego", 2],
        ["b.rego", 3],
      ]);
    }
  });

  it("collects diagnostics with file, line and column", () => {
    try {
      compilePolicy([{ path: "dir/x.rego", source: "package x\nimport rego.v1\n\np if {\n  q(1)\n}" }]);
      throw new Error("expected a compile error");
    } catch (e) {
      const d = (e as RegoCompileError).diagnostics[0];
      expect(d).toMatchObject({ file: "dir/x.rego", line: 5, col: 3 });
    }
  });
});

describe("evaluation safety", () => {
  it("stops at the step budget", () => {
    const p = policy("n := count([x | some x in numbers.range(1, 100000)])");
    expect(() => p.evaluate("data.t.n", { maxSteps: 1000 })).toThrow(RegoEvalError);
    expect(() => p.evaluate("data.t.n", { maxSteps: 1000 })).toThrow(/step budget/);
    expect(p.evaluate("data.t.n")).toBe(100000);
  });

  it("counts function calls as steps, so nested calls cannot multiply unchecked", () => {
    const fns = ["f0(x) := x + input.y"]; // reads input: not pure, so not remembered
    for (let i = 1; i <= 20; i++) fns.push(`f${i}(x) := f${i - 1}(x) + f${i - 1}(x)`);
    const p = policy(`${fns.join("\n")}\nn := f20(input.x)`);
    expect(() => p.evaluate("data.t.n", { input: { x: 1, y: 0 }, maxSteps: 1000 })).toThrow(/step budget/);
    expect(
      policy(`${fns.slice(0, 4).join("\n")}\nn := f3(input.x)`).evaluate("data.t.n", { input: { x: 1, y: 0 } }),
    ).toBe(8);
  });

  it("stops at the deadline", () => {
    // Two million iterations (a single range that long is over the builtin size limit).
    const p = policy("n := count([x | some x in numbers.range(1, 1000); some y in numbers.range(1, 2000); x > y])");
    expect(() => p.evaluate("data.t.n", { deadlineMs: 0, maxSteps: 1e9 })).toThrow(/deadline/);
  });

  it("turns builtin errors into evaluation errors in strict mode and undefined otherwise", () => {
    const src = 'package t\nx := to_number("abc")\ny := 1';
    expect(() => compilePolicy([{ path: "a.rego", source: src }]).evaluate("data.t.x")).toThrow(RegoEvalError);
    const lax = compilePolicy([{ path: "a.rego", source: src }], { strict: false });
    expect(lax.evaluate("data.t.x")).toBeUndefined();
    expect(toJS(lax.evaluate("data.t") ?? null)).toEqual({ y: 1 });
  });

  it("reports wrong-typed constant arguments even in non-strict mode, as OPA's type checker does", () => {
    const src = 'package t\nbad := count(5)\nsum_bad := 1 + "a"\nlate := count(input.n)\nlate_sum := input.n + input.s';
    const lax = compilePolicy([{ path: "a.rego", source: src }], { strict: false });
    expect(() => lax.evaluate("data.t.bad")).toThrow(/count: operand 1/);
    expect(() => lax.evaluate("data.t.sum_bad")).toThrow(/operand 2 must be number/);
    expect(lax.evaluate("data.t.late", { input: { n: 5 } })).toBeUndefined();
    expect(lax.evaluate("data.t.late_sum", { input: { n: 5, s: "a" } })).toBeUndefined();
  });
});

describe("public API", () => {
  const p = compilePolicy([
    { path: "a.rego", source: "package sark.authz\nimport rego.v1\ndefault allow := false\nallow if input.ok\n" },
    {
      path: "a_test.rego",
      source:
        'package sark.authz_test\nimport rego.v1\ntest_allow if data.sark.authz.allow with input as {"ok": true}\ntest_bad if data.sark.authz.allow\n',
    },
  ]);

  it("lists packages and evaluates paths, also prepared", () => {
    expect(p.packages()).toEqual(["sark.authz", "sark.authz_test"]);
    expect(p.evaluate("data.sark.authz.allow", { input: { ok: true } })).toBe(true);
    const allow = p.prepare("data.sark.authz.allow");
    expect(allow({ input: { ok: false } })).toBe(false);
    expect(p.evaluate("data.sark.authz", { input: { ok: true } })).toBeInstanceOf(RegoObject);
    expect(p.evaluate("data.missing.thing")).toBeUndefined();
  });

  it("reads base data next to rules", () => {
    expect(p.evaluate("data.users.alice", { data: { users: { alice: { admin: true } } } })).toBeInstanceOf(RegoObject);
  });

  it("runs queries and returns bindings", () => {
    const rows = p.query("x := [1, 2][_]; x > 1");
    expect(rows.map((r) => r.x)).toEqual([2]);
    expect(p.query("data.sark.authz.allow", { input: { ok: true } })[0]?.__expr__).toBe(true);
    expect(p.query("1 == 2")[0]?.__expr__).toBe(false);
    expect(p.query("1 == 2; true")).toEqual([]);
  });

  it("finds and runs tests", () => {
    expect(p.tests()).toEqual(["data.sark.authz_test.test_allow", "data.sark.authz_test.test_bad"]);
    expect(p.runTest("data.sark.authz_test.test_allow")).toEqual({ pass: true });
    expect(p.runTest("data.sark.authz_test.test_bad").pass).toBe(false);
  });

  it("routes print output to the sink", () => {
    const lines: string[] = [];
    const q = policy('p if { print("user", input.u, {1}, input.missing) }');
    expect(q.evaluate("data.t.p", { input: { u: "ann" }, print: (m) => lines.push(m) })).toBe(true);
    expect(lines).toEqual(["user ann {1} <undefined>"]);
  });

  it("uses the rule index without changing results", () => {
    const rules = Array.from(
      { length: 300 },
      (_, i) => `allow if {\n  input.team == "t${i % 30}"\n  input.tool == "x${Math.floor(i / 30)}"\n}`,
    );
    const big = policy(`default allow := false\n${rules.join("\n")}\nallow if input.admin`);
    expect(big.evaluate("data.t.allow", { input: { team: "t7", tool: "x3" } })).toBe(true);
    expect(big.evaluate("data.t.allow", { input: { team: "t7", tool: "x30" } })).toBe(false);
    expect(big.evaluate("data.t.allow", { input: { team: "zz", admin: true } })).toBe(true);
  });
});
