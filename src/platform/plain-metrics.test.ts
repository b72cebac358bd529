import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createPlainCounter, createPlainHistogram } from "./plain-metrics.js";

describe("plain-number metrics", () => {
  it("exposes counter series in Prometheus form, one per label set", async () => {
    const registry = new Registry();
    const counter = createPlainCounter(registry, { name: "x_total", help: "x" });
    const allow = counter.series({ engine: "builtin", result: "allow" });
    allow.inc();
    allow.inc(2);
    counter.series({ engine: "builtin", result: "deny" }).inc();
    // Asking again for a label set gives the same series.
    counter.series({ engine: "builtin", result: "allow" }).inc();
    const lines = (await registry.metrics()).split("\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        "# HELP x_total x",
        "# TYPE x_total counter",
        'x_total{engine="builtin",result="allow"} 4',
        'x_total{engine="builtin",result="deny"} 1',
      ]),
    );
  });

  it("exposes cumulative le buckets, sum and count, and the count as a counter when asked", async () => {
    const registry = new Registry();
    const h = createPlainHistogram(registry, {
      name: "d_seconds",
      help: "d",
      buckets: [0.1, 1],
      countedAs: { name: "d_total", help: "n" },
    });
    const s = h.series({ kind: "a" });
    for (const v of [0.05, 0.1, 0.5, 7]) s.observe(v);
    const lines = (await registry.metrics()).split("\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        "# TYPE d_seconds histogram",
        'd_seconds_bucket{kind="a",le="0.1"} 2',
        'd_seconds_bucket{kind="a",le="1"} 3',
        'd_seconds_bucket{kind="a",le="+Inf"} 4',
        'd_seconds_sum{kind="a"} 7.65',
        'd_seconds_count{kind="a"} 4',
        "# TYPE d_total counter",
        'd_total{kind="a"} 4',
      ]),
    );
  });

  it("resets to zero in place, so series held by callers keep counting", async () => {
    const registry = new Registry();
    const counter = createPlainCounter(registry, { name: "r_total", help: "r" });
    const h = createPlainHistogram(registry, { name: "r_seconds", help: "r", buckets: [1] });
    const c = counter.series({ a: "1" });
    const o = h.series({ a: "1" });
    c.inc(5);
    o.observe(0.5);
    registry.resetMetrics();
    c.inc();
    o.observe(2);
    const lines = (await registry.metrics()).split("\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        'r_total{a="1"} 1',
        'r_seconds_bucket{a="1",le="1"} 0',
        'r_seconds_count{a="1"} 1',
        'r_seconds_sum{a="1"} 2',
      ]),
    );
  });
});
