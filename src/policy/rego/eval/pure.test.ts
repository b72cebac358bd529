import { describe, expect, it } from "vitest";
import { policy } from "../test-helpers.js";
import { toJS } from "../value.js";

describe("pure rules and functions (remembered across evaluations)", () => {
  const src = [
    'frags := {f | some f in ["pass", "token"]}',
    "secret(k) if { some f in frags; contains(lower(k), f) }",
    "hidden := {k | some k in input.keys; secret(k)}",
    'hidden_with := {k | some k in input.keys; secret(k) with frags as {"name"}}',
    'tagged(k) := concat(":", [k, input.tag])',
    "tags := [tagged(k) | some k in input.keys]",
    "stamp(k) := [k, time.now_ns()]",
    'stamped := stamp("a")',
  ].join("\n");
  const p = policy(src);
  const get = (rule: string, input: unknown, nowNs?: number) => {
    const v = p.evaluate(`data.t.${rule}`, { input, nowNs });
    return v === undefined ? undefined : toJS(v);
  };

  it("gives each evaluation the answer for its own arguments", () => {
    expect(get("hidden", { keys: ["Password", "name"] })).toEqual(["Password"]);
    expect(get("hidden", { keys: ["name", "api_token"] })).toEqual(["api_token"]);
    expect(get("hidden", { keys: ["Password", "name"] })).toEqual(["Password"]);
  });

  it("does not use remembered results where `with` replaces what they read", () => {
    expect(get("hidden", { keys: ["name", "token"] })).toEqual(["token"]);
    expect(get("hidden_with", { keys: ["name", "token"] })).toEqual(["name"]);
    expect(get("hidden", { keys: ["name", "token"] })).toEqual(["token"]);
  });

  it("recomputes functions that read input or the clock", () => {
    expect(get("tags", { keys: ["a"], tag: "x" })).toEqual(["a:x"]);
    expect(get("tags", { keys: ["a"], tag: "y" })).toEqual(["a:y"]);
    expect(get("stamped", {}, 1)).toEqual(["a", 1]);
    expect(get("stamped", {}, 2)).toEqual(["a", 2]);
  });
});
