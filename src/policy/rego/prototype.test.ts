/**
 * User-controlled keys (`__proto__`, `constructor`, `prototype`) in input, data and the values
 * builtins build are ordinary keys: they never reach Object.prototype and they survive the round
 * trip to plain JSON as own properties.
 */
import { afterEach, describe, expect, it } from "vitest";
import { compilePolicy } from "./index.js";
import { policy } from "./test-helpers.js";
import { toJS } from "./value.js";

const HOSTILE = JSON.parse(
  '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}, "prototype": {"polluted": "yes"}}',
) as Record<string, unknown>;

/** The key as data: reading it this way gets the own property, not the accessor. */
const PROTO = "__proto__";

function expectClean(): void {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty("polluted");
}

/** Evaluates `data.t.x` and converts it to plain JSON, as the decision path does. */
function out(source: string, input: unknown = HOSTILE, data?: unknown): Record<string, unknown> {
  const v = policy(source).evaluate("data.t.x", { input, data });
  expect(v).toBeDefined();
  return toJS(v as never) as Record<string, unknown>;
}

function expectOwnKeys(o: Record<string, unknown>, keys: string[]): void {
  for (const k of keys) expect(Object.hasOwn(o, k), k).toBe(true);
  expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
}

afterEach(expectClean);

describe("prototype keys in Rego values", () => {
  it("reads input and data with those keys as ordinary members", () => {
    expect(policy("x := input.__proto__.polluted").evaluate("data.t.x", { input: HOSTILE })).toBe("yes");
    expect(policy("x := input.constructor.prototype.polluted").evaluate("data.t.x", { input: HOSTILE })).toBe("yes");
    expect(policy('x := input["constructor"]').evaluate("data.t.x", { input: {} })).toBeUndefined();
    expect(policy("x := data.cfg.__proto__.polluted").evaluate("data.t.x", { data: { cfg: HOSTILE } })).toBe("yes");
    expect(policy("x := count(input)").evaluate("data.t.x", { input: HOSTILE })).toBe(3);
  });

  it("returns them as own keys (toJS never assigns a prototype)", () => {
    const o = out("x := input");
    expectOwnKeys(o, ["__proto__", "constructor", "prototype"]);
    expect(o[PROTO]).toEqual({ polluted: "yes" });
    expect(JSON.parse(JSON.stringify(o))).toEqual(HOSTILE);
  });

  it("builds them through object builtins", () => {
    expectOwnKeys(out('x := object.union({}, {"__proto__": {"polluted": "yes"}})'), ["__proto__"]);
    expectOwnKeys(out('x := object.union_n([input, {"constructor": 1}])'), ["__proto__", "constructor"]);
    expect(out('x := {"v": object.get(input, ["__proto__", "polluted"], "none")}')).toEqual({ v: "yes" });
    expect(out('x := {"v": object.get({}, "__proto__", "none")}')).toEqual({ v: "none" });
    expectOwnKeys(out('x := json.filter(input, ["__proto__/polluted"])'), ["__proto__"]);
    expectOwnKeys(out('x := json.remove(input, ["constructor"])'), ["__proto__", "prototype"]);
    expectOwnKeys(out('x := object.remove(input, ["prototype"])'), ["__proto__", "constructor"]);
  });

  it("patches them with json.patch", () => {
    const o = out('x := json.patch({}, [{"op": "add", "path": "/__proto__", "value": {"polluted": "yes"}}])');
    expectOwnKeys(o, ["__proto__"]);
    const nested = out(
      'x := json.patch(input, [{"op": "add", "path": "/__proto__/polluted2", "value": 1}, {"op": "add", "path": "/constructor/prototype/p", "value": 2}])',
    );
    expect(nested[PROTO]).toEqual({ polluted: "yes", polluted2: 1 });
    expect((nested.constructor as { prototype: unknown }).prototype).toEqual({ polluted: "yes", p: 2 });
  });

  it("walks them", () => {
    const o = out('x := {"paths": [p | walk(input, [p, _]); count(p) == 2]}');
    expect(o.paths).toEqual([
      ["__proto__", "polluted"],
      ["constructor", "prototype"],
      ["prototype", "polluted"],
    ]);
  });

  it("unmarshals them from JSON and YAML", () => {
    expectOwnKeys(out('x := json.unmarshal(`{"__proto__": {"polluted": "yes"}, "constructor": 1}`)'), [
      "__proto__",
      "constructor",
    ]);
    expectOwnKeys(out('x := yaml.unmarshal("__proto__:\\n  polluted: yes\\nprototype: 1\\n")'), [
      "__proto__",
      "prototype",
    ]);
    expect(out('x := {"s": json.marshal(input)}').s).toBe(JSON.stringify(HOSTILE));
  });

  it("builds them in comprehensions and binds them as query variables", () => {
    expectOwnKeys(out('x := {k: 1 | some k in ["__proto__", "constructor", "prototype"]}'), [
      "__proto__",
      "constructor",
      "prototype",
    ]);
    const p = compilePolicy([{ path: "t.rego", source: "package t" }]);
    const [row] = p.query('constructor := {"polluted": "yes"}; prototype := 1');
    expect(row && Object.keys(row).sort()).toEqual(["constructor", "prototype"]);
  });
});
