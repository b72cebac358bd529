import { describe, expect, it } from "vitest";
import { RegoEvalError, RegoLimitError } from "./errors.js";
import { compilePolicy, type EvalOptions } from "./index.js";
import { MAX_STRING_LENGTH } from "./limits.js";
import { policy, run } from "./test-helpers.js";

/** Evaluates `data.t.x` and returns the error it failed with, and how long it took. */
function failure(source: string, opts: EvalOptions = {}): { error: unknown; ms: number } {
  const p = policy(source);
  const start = Date.now();
  try {
    p.evaluate("data.t.x", opts);
  } catch (error) {
    return { error, ms: Date.now() - start };
  }
  throw new Error("evaluation succeeded");
}

// "Not hung" bounds only: the original code ran these for 4 to 41 seconds and returned a result.
const NOT_HUNG_MS = 3_000;

describe("evaluation budget and builtin limits", () => {
  it.each([
    ["numbers.range in a comprehension", "x := [count(numbers.range(1, 1e7)) | some _ in numbers.range(1, 10)]"],
    ["sprintf padding to 1e7 characters", 'x := sprintf("%10000000d", [1])'],
    [
      "replace squaring a 10k-character string",
      's := concat("", [c | some _ in numbers.range(1, 10000); c := "a"])\nx := replace(s, "a", s)',
    ],
    ["a 5M-element comprehension", "x := count([i | some i in numbers.range(1, 5000000)])"],
    ["walk over a huge value", "x := count([p | walk(numbers.range(1, 5000000), [p, v])])"],
    [
      "concat of one long string repeated",
      's := concat("", [c | some _ in numbers.range(1, 5000); c := "ab"])\nx := concat(s, [s | some _ in numbers.range(1, 1000)])',
    ],
  ])("%s fails fast with a limit error", (_name, source) => {
    const { error, ms } = failure(source, { deadlineMs: 1_000 });
    expect(error).toBeInstanceOf(RegoLimitError);
    expect(ms).toBeLessThan(NOT_HUNG_MS);
  });

  it("charges elements a builtin produces against the step budget", () => {
    // 10 × 900,000 elements: each call is under the size limit, together far over the budget.
    const { error } = failure("x := [count(numbers.range(1, 900000)) | some _ in numbers.range(1, 10)]");
    expect(error).toBeInstanceOf(RegoLimitError);
    expect(String(error)).toMatch(/step budget/);
  });

  it("checks the deadline between builtin calls, not only every 1,024 iterations", () => {
    const { error, ms } = failure("x := [count(numbers.range(1, 900000)) | some _ in numbers.range(1, 500)]", {
      maxSteps: Number.MAX_SAFE_INTEGER,
      deadlineMs: 50,
    });
    expect(String(error)).toMatch(/deadline/);
    expect(ms).toBeLessThan(NOT_HUNG_MS);
  });

  it("walk charges per node", () => {
    const { error } = failure("r := numbers.range(1, 600000)\nx := count([p | walk([r, r], [p, v])])");
    expect(error).toBeInstanceOf(RegoLimitError);
  });

  it("is an error in non-strict mode too, so the caller fails closed", () => {
    const p = compilePolicy(
      [{ path: "t.rego", source: "package t\nimport rego.v1\nx := count(numbers.range(1, 1e8))\ndeny if not x" }],
      { strict: false },
    );
    expect(() => p.evaluate("data.t.deny")).toThrow(RegoLimitError);
  });

  it("keeps results that fit within the limits", () => {
    expect(run('x := count(replace("abc", "b", "xyz"))', "x")).toBe(5);
    expect(run("x := count(numbers.range(1, 1000))", "x")).toBe(1000);
    expect(run('x := count(concat(",", ["a", "b"]))', "x")).toBe(3);
    expect(run('x := sprintf("%5d|%-3s|", [42, "a"])', "x")).toBe("   42|a  |");
    expect(run('x := count([p | walk({"a": [1, 2]}, [p, v])])', "x")).toBe(4);
  });
});

describe("sprintf follows Go's fmt on huge widths and precisions", () => {
  it("ends the format with %!(NOVERB) when a width exceeds what Go parses (OPA's output)", () => {
    const start = Date.now();
    expect(run('x := sprintf("%400000000d", [1])', "x")).toBe("%!(NOVERB)%!(EXTRA int64=1)");
    expect(Date.now() - start).toBeLessThan(NOT_HUNG_MS);
  });

  it("refuses padding beyond the string limit", () => {
    const { error } = failure(`x := sprintf("%${MAX_STRING_LENGTH + 1}s", ["a"])`);
    expect(error).toBeInstanceOf(RegoLimitError);
  });

  it("formats precisions JS cannot format directly instead of throwing RangeError", () => {
    expect(run('x := sprintf("%.150f", [1.5])', "x")).toBe(`1.5${"0".repeat(149)}`);
    expect(run('x := sprintf("%.120e", [1.5])', "x")).toBe(`1.5${"0".repeat(119)}e+00`);
    expect(run('x := sprintf("%.200g", [1.5])', "x")).toBe("1.5");
    expect(run('x := sprintf("%c", [1114112000])', "x")).toBe("\ufffd");
  });
});

describe("deeply nested values", () => {
  const deep = (n: number): unknown => {
    let v: unknown = 1;
    for (let i = 0; i < n; i++) v = { a: v };
    return v;
  };

  it("input nested 10,000 levels is a clean evaluation error", () => {
    const p = policy("x := count(json.marshal(input))");
    expect(() => p.evaluate("data.t.x", { input: { doc: deep(10_000) }.doc })).toThrow(RegoEvalError);
  });

  it("json.unmarshal of a 10,000-level document is a clean limit error", () => {
    const text = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    const p = policy("x := json.unmarshal(input.s)");
    expect(() => p.evaluate("data.t.x", { input: { s: text } })).toThrow(RegoLimitError);
  });
});
