import { describe, expect, it } from "vitest";
import { policy } from "../test-helpers.js";
import { toJS } from "../value.js";

// Eight or more definitions: the group is indexed. Each definition names itself in `hits`.
const src = [
  'reads := {"r1", "r2"}',
  'hits contains "eq" if input.action == "a"',
  'hits contains "eq_team" if { input.action == "b"; input.team == "t1" }',
  'hits contains "set_rule" if reads[input.action]',
  'hits contains "in_set" if input.action in {"b", "c"}',
  'hits contains "in_array" if input.action in ["c", 7]',
  'hits contains "nested" if input.user.kind == "svc"',
  'hits contains "always" if input.action',
  'hits contains "neg" if not reads[input.action]',
  'hits contains "num" if input.action == 7',
  'probe := x if x := hits with reads as {"x"}',
].join("\n");

describe("rule index", () => {
  const p = policy(src);
  const hits = (input: unknown, rule = "hits") => toJS(p.evaluate(`data.t.${rule}`, { input }) ?? null);

  it("visits every definition whose equality or membership tests can hold", () => {
    expect(hits({ action: "a" })).toEqual(["always", "eq", "neg"]);
    expect(hits({ action: "b", team: "t1" })).toEqual(["always", "eq_team", "in_set", "neg"]);
    expect(hits({ action: "b", team: "t2" })).toEqual(["always", "in_set", "neg"]);
    expect(hits({ action: "c" })).toEqual(["always", "in_array", "in_set", "neg"]);
    expect(hits({ action: "r2", user: { kind: "svc" } })).toEqual(["always", "nested", "set_rule"]);
    expect(hits({ action: 7 })).toEqual(["always", "in_array", "neg", "num"]);
    expect(hits({ action: "zzz" })).toEqual(["always", "neg"]);
    expect(hits({ action: { a: 1 } })).toEqual(["always", "neg"]);
    expect(hits({})).toEqual(["neg"]);
  });

  it("does not trust membership in a rule that `with` replaced", () => {
    expect(hits({ action: "x" }, "probe")).toEqual(["always", "set_rule"]);
    expect(hits({ action: "r1" }, "probe")).toEqual(["always", "neg"]);
  });
});
