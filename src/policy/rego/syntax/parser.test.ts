import { describe, expect, it } from "vitest";
import { RegoCompileError } from "../errors.js";
import { compilePolicy } from "../index.js";
import { parseModule, parseQuery } from "./parser.js";

function diag(source: string): { line: number; col: number; message: string } {
  try {
    parseModule(source, "p.rego");
  } catch (e) {
    expect(e).toBeInstanceOf(RegoCompileError);
    const d = (e as RegoCompileError).diagnostics[0];
    if (!d) throw new Error("no diagnostic");
    expect(d.file).toBe("p.rego");
    return d;
  }
  throw new Error("expected a parse error");
}

describe("parser", () => {
  it("reports file, line and column of a syntax error", () => {
    const d = diag("package a\n\nallow if {\n  input.x == \n}\n");
    expect(d.line).toBe(5);
    expect(d.col).toBe(1);
  });

  it("requires a package declaration", () => {
    expect(diag("allow := true").message).toMatch(/package/);
  });

  it("requires `if` before bodies in v1 modules", () => {
    const d = diag("package a\nimport rego.v1\n\np {\n  true\n}\n");
    expect(d.message).toMatch(/`if` keyword is required/);
    expect(d.line).toBe(4);
  });

  it("requires `contains` for v1 partial set rules", () => {
    expect(diag("package a\nimport rego.v1\np.a\n").message).toMatch(/contains/);
  });

  it("accepts v0 rules without `if` and old-style partial sets", () => {
    const m = parseModule("package a\np { true }\nq[x] { x := 1 }\n", "p.rego");
    expect(m.v1).toBe(false);
    expect(m.rules.map((r) => r.kind)).toEqual(["complete", "set"]);
  });

  it("rejects conflicting rego.v1 and future imports", () => {
    expect(diag("package a\nimport rego.v1\nimport future.keywords.in\n").message).toMatch(/shadows/);
  });

  it("rejects import paths outside data, input, future and rego", () => {
    expect(diag("package a\nimport foo.bar\n").message).toMatch(/import path must begin/);
  });

  it("rejects non-constant default values", () => {
    expect(diag("package a\ndefault p := input.x\n").message).toMatch(/invalid `ref` in default value/);
  });

  it("only allows unary minus on numeric literals", () => {
    expect(diag("package a\nx := - y\ny := 1\n").message).toMatch(/unary -/);
    expect(parseModule("package a\nx := -1.5e2\n", "p.rego").rules[0]?.value).toMatchObject({ v: -150 });
  });

  it("reads keywords as field names after a dot", () => {
    const body = parseQuery("input.package.import.if == 1");
    expect(body).toHaveLength(1);
  });

  it("decodes JSON escapes and raw strings", () => {
    const m = parseModule('package a\nx := "a\\n\\u0041"\ny := `c:\\d\n`\n', "p.rego");
    expect(m.rules[0]?.value).toMatchObject({ v: "a\nA" });
    expect(m.rules[1]?.value).toMatchObject({ v: "c:\\d\n" });
  });

  it("separates literals by newlines and semicolons", () => {
    expect(parseQuery("x := 1; y := 2\nz := 3")).toHaveLength(3);
  });

  it("rejects two expressions on one line without a separator", () => {
    expect(() => parseQuery("x := 1 y := 2")).toThrow(RegoCompileError);
  });

  it("parses comprehensions and distinguishes them from set union", () => {
    const m = parseModule('package a\nx := [v | v := [1, 2][_]]\ny := {1} | {2}\nz := {k: 1 | k := "a"}\n', "p.rego");
    expect(m.rules.map((r) => r.value?.t)).toEqual(["arraycompr", "binop", "objcompr"]);
  });
});

describe("nesting limit", () => {
  const n = 5_000;
  it.each([
    ["parentheses", `x := ${"(".repeat(n)}1${")".repeat(n)}`],
    ["arrays", `x := ${"[".repeat(n)}1${"]".repeat(n)}`],
    ["objects", `x := ${'{"a":'.repeat(n)}1${"}".repeat(n)}`],
    ["sets", `x := ${"{".repeat(n)}1${"}".repeat(n)}`],
    ["calls", `x := ${"abs(".repeat(n)}1${")".repeat(n)}`],
    ["comprehensions", `x := ${"[y | y := ".repeat(n)}1${"]".repeat(n)}`],
    ["operator chains", `x := 1${" + 1".repeat(n)}`],
  ])("refuses %s nested 5,000 deep with a diagnostic, not a stack overflow", (_name, body) => {
    expect(() => compilePolicy([{ path: "p.rego", source: `package t\n${body}` }])).toThrow(
      /p\.rego:2:\d+: expression nested too deeply \(more than 256 levels\)/,
    );
  });

  it("accepts ordinary nesting", () => {
    const p = compilePolicy([{ path: "p.rego", source: `package t\nx := ${"[".repeat(100)}1${"]".repeat(100)}` }]);
    expect(p.evaluate("data.t.x")).toBeDefined();
  });
});
