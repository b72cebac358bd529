import { describe, expect, it } from "vitest";
import { interpretResult } from "./result.js";
import { PolicyEvalFailure } from "./types.js";

describe("interpretResult", () => {
  it("reads the decision document and a bare boolean", () => {
    expect(interpretResult(true, "t")).toEqual({ allow: true, deny: [] });
    expect(interpretResult(false, "t")).toEqual({ allow: false, deny: [] });
    expect(
      interpretResult({ allow: true, deny: ["a"], reason: "r", filtered_parameters: { x: 1 }, cache_ttl: 0 }, "t"),
    ).toEqual({ allow: true, deny: ["a"], reason: "r", filteredParameters: { x: 1 }, cacheTtl: 0 });
    expect(interpretResult({}, "t")).toEqual({ allow: false, deny: [] });
  });

  it("treats anything malformed as a failure (fail closed)", () => {
    for (const bad of [
      undefined,
      "yes",
      1,
      [],
      { allow: 1 },
      { deny: "x" },
      { filtered_parameters: [] },
      { cache_ttl: -1 },
    ]) {
      expect(() => interpretResult(bad, "src")).toThrow(PolicyEvalFailure);
    }
  });
});
