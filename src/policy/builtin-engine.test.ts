import { describe, expect, it } from "vitest";
import { createBuiltinEngine, loadPolicy } from "./builtin-engine.js";
import { buildInput, requestContext } from "./input.js";
import { compilePolicy } from "./rego/index.js";
import { PolicyEvalFailure } from "./types.js";

const input = buildInput(
  { id: "u", username: "u", email: null, roles: ["dev"], teams: [], groups: [], auth_method: "password", mfa: false },
  "tool:invoke",
  { parameters: { keep: 1, secret: 2 } },
  requestContext(0, undefined, "test"),
);

function engineFor(body: string, evalTimeoutMs = 100) {
  const compiled = compilePolicy([{ path: "p.rego", source: `package t\n\nimport rego.v1\n\n${body}\n` }]);
  return loadPolicy(compiled, "t", { cfg: { on: true } }, { label: "t@v1", revision: 1, evalTimeoutMs });
}

describe("built-in engine", () => {
  it("reads the outputs, data and parameters filter", () => {
    const p = engineFor(`
allow if data.cfg.on
deny contains "b" if input.action == "tool:invoke"
deny contains "a" if true
filtered_parameters := {k: v | some k, v in input.parameters; k != "secret"}
reason := "r"
cache_ttl := 5`);
    expect(p.evaluate(input)).toEqual({ allow: true, deny: ["a", "b"], reason: "r", cacheTtl: 5 });
    const allowed = engineFor(
      `allow := true\nfiltered_parameters := {k: v | some k, v in input.parameters; k != "secret"}`,
    );
    expect(allowed.evaluate(input)).toEqual({ allow: true, deny: [], filteredParameters: { keep: 1 } });
  });

  it("turns malformed outputs, conflicts and exhausted budgets into failures", () => {
    const cases = [
      `allow := "yes"`,
      `deny := true`,
      `allow := true if input.action\nallow := false if input.user`,
      `allow if count([x | some x in numbers.range(1, 5000000)]) > 0`,
    ];
    for (const body of cases) {
      expect(() => engineFor(body, 5).evaluate(input), body).toThrow(PolicyEvalFailure);
    }
  });

  it("denies with the limit as reason when one builtin call would do unbounded work (issue 14)", () => {
    const cases: Array<[string, RegExp]> = [
      ["allow if count([count(numbers.range(1, 1e7)) | some _ in numbers.range(1, 10)]) > 0", /over the limit/],
      [
        's := concat("", [c | some _ in numbers.range(1, 10000); c := "a"])\nallow if count(replace(s, "a", s)) > 0',
        /replace: result would be/,
      ],
      ["allow if count([count(numbers.range(1, 900000)) | some _ in numbers.range(1, 10)]) > 0", /step budget/],
      ["deny contains x if { some i in numbers.range(1, 5000000); x := i }", /over the limit/],
    ];
    for (const [body, reason] of cases) {
      const start = Date.now();
      expect(() => engineFor(body, 1_000).evaluate(input), body).toThrow(PolicyEvalFailure);
      expect(() => engineFor(body, 1_000).evaluate(input), body).toThrow(reason);
      expect(Date.now() - start).toBeLessThan(10_000);
    }
  });

  it("fails when no policy is loaded", async () => {
    await expect(createBuiltinEngine(() => undefined).evaluate(input)).rejects.toThrow(/no policy is loaded/);
  });
});
