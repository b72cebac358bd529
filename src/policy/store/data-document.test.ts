import { afterEach, describe, expect, it } from "vitest";
import { buildDataDocument, MAX_DATA_DEPTH, normaliseDataPath, parseDataPath, pathsOverlap } from "./data-document.js";

/** Object.prototype must have no enumerable or own additions after a test (pollution check). */
function prototypeIsClean(): boolean {
  const probe: Record<string, unknown> = {};
  return probe.polluted === undefined && probe.x === undefined && !Object.hasOwn(Object.prototype, "x");
}

afterEach(() => {
  // Undo a pollution so one failing test cannot cascade into the rest of the run.
  for (const k of ["x", "polluted"]) delete (Object.prototype as Record<string, unknown>)[k];
});

describe("policy data paths", () => {
  it("normalises and validates paths", () => {
    expect(normaliseDataPath("/sark/config/")).toBe("sark/config");
    expect(normaliseDataPath("sark/bad-name")).toBeUndefined();
    expect(normaliseDataPath("")).toBeUndefined();
    expect(normaliseDataPath("1x")).toBeUndefined();
  });

  it.each(["__proto__/x", "a/constructor", "prototype", "a/__proto__/b"])("rejects %s, naming the segment", (raw) => {
    const r = parseDataPath(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/segment '(__proto__|constructor|prototype)' is reserved/);
  });

  it("detects overlapping paths", () => {
    expect(pathsOverlap("sark", "sark/config")).toBe(true);
    expect(pathsOverlap("sark/config", "sark/teams")).toBe(false);
    expect(pathsOverlap("sark/conf", "sark/config")).toBe(false);
  });
});

describe("the data document", () => {
  it("nests values under their path segments", () => {
    const { document, skipped } = buildDataDocument([
      { path: "sark/config", value: { mfa_required_for: ["critical"] } },
      { path: "sark/teams", value: { a: { members: ["u"] } } },
    ]);
    expect(skipped).toEqual([]);
    expect(JSON.parse(JSON.stringify(document))).toEqual({
      sark: { config: { mfa_required_for: ["critical"] }, teams: { a: { members: ["u"] } } },
    });
  });

  it("never writes through __proto__, constructor or prototype: such rows are skipped", () => {
    const { document, skipped } = buildDataDocument([
      { path: "__proto__/x", value: { polluted: "yes" } },
      { path: "constructor/prototype/x", value: "yes" },
      { path: "a/__proto__", value: { polluted: "yes" } },
      { path: "ok", value: 1 },
    ]);
    expect(prototypeIsClean()).toBe(true);
    expect(skipped.map((s) => s.path)).toEqual(["__proto__/x", "constructor/prototype/x", "a/__proto__"]);
    expect(skipped[0]?.reason).toContain("'__proto__' is reserved");
    expect(JSON.parse(JSON.stringify(document))).toEqual({ ok: 1 });
    expect(Object.getPrototypeOf(document)).toBeNull();
  });

  it("keeps a stored value's own __proto__ key as plain data", () => {
    const value = JSON.parse('{"__proto__": {"polluted": "yes"}, "b": 1}') as Record<string, unknown>;
    const { document } = buildDataDocument([{ path: "a", value }]);
    expect(prototypeIsClean()).toBe(true);
    expect(JSON.stringify(document)).toBe('{"a":{"__proto__":{"polluted":"yes"},"b":1}}');
  });

  it("skips an overlapping later row and an over-deep value, and never mutates stored values", () => {
    const stored = { config: 1 };
    let deep: unknown = "leaf";
    for (let i = 0; i <= MAX_DATA_DEPTH; i++) deep = [deep];
    const { document, skipped } = buildDataDocument([
      { path: "sark", value: stored },
      { path: "sark/teams", value: { a: 1 } },
      { path: "deep", value: deep },
    ]);
    expect(stored).toEqual({ config: 1 });
    expect(skipped).toEqual([
      { path: "sark/teams", reason: "it overlaps the data path 'sark'" },
      { path: "deep", reason: `the value nests deeper than ${MAX_DATA_DEPTH} levels` },
    ]);
    expect(JSON.parse(JSON.stringify(document))).toEqual({ sark: { config: 1 } });
  });
});
