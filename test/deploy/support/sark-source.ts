/**
 * Facts about SARK taken from its source, so the manifests are checked against what SARK really
 * serves and exports rather than against a copy of it in the test.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createMetrics } from "../../../src/platform/metrics.js";
import { repoRoot } from "./tools.js";

/** Every path registered with `app.get("/…")` (or another method) in src/, tests left out. */
export function sarkRoutes(): Set<string> {
  const routes = new Set<string>();
  const files = readdirSync(join(repoRoot, "src"), { recursive: true, encoding: "utf8" });
  for (const file of files.filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))) {
    const text = readFileSync(join(repoRoot, "src", file), "utf8");
    for (const match of text.matchAll(/app\.(?:get|post|put|patch|delete)\(\s*"(\/[^"]*)"/g))
      if (match[1] !== undefined) routes.add(match[1]);
  }
  return routes;
}

/**
 * The series SARK exports for HTTP requests, each with its label names: one request is recorded
 * on a fresh metrics registry and the Prometheus exposition read back.
 */
export async function sarkHttpSeries(): Promise<Map<string, Set<string>>> {
  const metrics = createMetrics({ collectDefaults: false });
  metrics.http.observe("GET", "/api/v1/servers", 200, 0.01);
  const series = new Map<string, Set<string>>();
  for (const line of (await metrics.registry.metrics()).split("\n")) {
    const match = /^([a-z_:][a-z0-9_:]*)\{([^}]*)\}/i.exec(line);
    if (match?.[1] === undefined || match[2] === undefined) continue;
    const labels = [...match[2].matchAll(/([a-z_][a-z0-9_]*)="/gi)].map((m) => m[1] ?? "");
    series.set(match[1], new Set([...(series.get(match[1]) ?? []), ...labels]));
  }
  return series;
}
