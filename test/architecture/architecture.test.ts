import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cycles, importGraph, unitOf, violations } from "./import-graph.js";

const root = join(import.meta.dirname, "..", "..");

describe("architecture (docs/ARCHITECTURE.md, 'Dependencies')", () => {
  const edges = importGraph(root);

  it("reads the real import graph", () => {
    // Guards the guard: a broken parser would find no imports and pass every rule below.
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual({ from: "src/app.ts", to: "src/context.ts" });
  });

  it("keeps core, platform, the Rego engine and every feature inside their allowed dependencies", () => {
    expect(violations(edges)).toEqual([]);
  });

  it("has no import cycles between files", () => {
    expect(cycles(edges)).toEqual([]);
  });

  it("names each forbidden direction", () => {
    const bad = [
      { from: "src/core/caller.ts", to: "src/auth/users/service.ts" },
      { from: "src/policy/rego/eval/runtime.ts", to: "src/platform/logger.ts" },
      { from: "src/registry/service.ts", to: "src/auth/tokens/token-service.ts" },
      { from: "src/platform/metrics.ts", to: "src/audit/writer.ts" },
    ];
    expect(violations(bad)).toHaveLength(4);
    const fine = [
      { from: "src/registry/service.ts", to: "src/core/caller.ts" },
      { from: "src/policy/builtin-engine.ts", to: "src/policy/rego/index.ts" },
      { from: "src/context.ts", to: "src/auth/index.ts" },
      { from: "src/cli/policy.ts", to: "src/policy/rego/index.ts" },
    ];
    expect(violations(fine)).toEqual([]);
    expect(unitOf("src/policy/rego/builtins/strings.ts")).toBe("rego");
  });

  it("finds a cycle", () => {
    const loop = [
      { from: "src/a.ts", to: "src/b.ts" },
      { from: "src/b.ts", to: "src/c.ts" },
      { from: "src/c.ts", to: "src/a.ts" },
      { from: "src/c.ts", to: "src/d.ts" },
    ];
    expect(cycles(loop)).toEqual([["src/a.ts", "src/b.ts", "src/c.ts"]]);
  });
});
