import { describe, expect, it } from "vitest";
import { createMemoryCache } from "../platform/cache.js";
import { loadConfig } from "../platform/config/index.js";
import { createMetrics } from "../platform/metrics.js";
import { createDecisionCache } from "./decision-cache.js";
import { createPolicyMetrics } from "./metrics.js";

const decision = { allow: true, reasons: [], policyVersion: "p@v1" };

describe("decision cache (memory)", () => {
  it("counts hits, misses and evictions, and never stores a zero TTL", async () => {
    const platform = createMetrics({ collectDefaults: false });
    const metrics = createPolicyMetrics(platform);
    const values = async (name: string) => (await platform.registry.getSingleMetric(name)?.get())?.values ?? [];
    const config = loadConfig({ POLICY_CACHE_MAX_ENTRIES: "2" }).policy;
    const cache = createDecisionCache({ cache: createMemoryCache(), config, metrics });
    if (!cache) throw new Error("cache enabled by default");
    expect(await cache.get("a")).toBeUndefined();
    await cache.set("a", decision, 60);
    await cache.set("zero", decision, 0);
    expect(await cache.get("a")).toEqual(decision);
    expect(await cache.get("zero")).toBeUndefined();
    await cache.set("b", decision, 60);
    await cache.set("c", decision, 60);
    expect((await values("sark_policy_cache_evictions_total"))[0]?.value).toBe(1);
    const counts = Object.fromEntries((await values("sark_policy_cache_total")).map((v) => [v.labels.result, v.value]));
    expect(counts).toEqual({ hit: 1, miss: 2 });
  });

  it("is off when POLICY_CACHE_ENABLED=false", () => {
    const metrics = createPolicyMetrics(createMetrics({ collectDefaults: false }));
    const config = loadConfig({ POLICY_CACHE_ENABLED: "false" }).policy;
    expect(createDecisionCache({ cache: createMemoryCache(), config, metrics })).toBeUndefined();
  });
});
