import { describe, expect, it } from "vitest";
import { buildDataDocument, normaliseDataPath, pathsOverlap } from "./data-document.js";

describe("policy data paths", () => {
  it("normalises and validates paths", () => {
    expect(normaliseDataPath("/sark/config/")).toBe("sark/config");
    expect(normaliseDataPath("sark/bad-name")).toBeUndefined();
    expect(normaliseDataPath("")).toBeUndefined();
    expect(normaliseDataPath("1x")).toBeUndefined();
  });

  it("detects overlapping paths", () => {
    expect(pathsOverlap("sark", "sark/config")).toBe(true);
    expect(pathsOverlap("sark/config", "sark/teams")).toBe(false);
    expect(pathsOverlap("sark/conf", "sark/config")).toBe(false);
  });

  it("nests values under their path segments", () => {
    expect(
      buildDataDocument([
        { path: "sark/config", value: { mfa_required_for: ["critical"] } },
        { path: "sark/teams", value: { a: { members: ["u"] } } },
      ]),
    ).toEqual({ sark: { config: { mfa_required_for: ["critical"] }, teams: { a: { members: ["u"] } } } });
  });
});
