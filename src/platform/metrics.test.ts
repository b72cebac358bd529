import { assertType, describe, expect, expectTypeOf, it } from "vitest";
import { createMetrics, type Labels } from "./metrics.js";

const exposition = async (metrics: ReturnType<typeof createMetrics>) => (await metrics.registry.metrics()).split("\n");

describe("metrics API", () => {
  it("exposes counter series in Prometheus form, one per label set, whatever the key order", async () => {
    const metrics = createMetrics({ collectDefaults: false });
    const counter = metrics.counter({ name: "x_total", help: "x", labelNames: ["engine", "result"] });
    const allow = counter.series({ engine: "builtin", result: "allow" });
    allow.inc();
    allow.inc(2);
    counter.inc({ engine: "builtin", result: "deny" });
    // Asking again for a label set, in another key order, gives the same series.
    counter.series({ result: "allow", engine: "builtin" }).inc();
    counter.inc({ engine: "builtin", result: "allow" }, 2);
    expect(await exposition(metrics)).toEqual(
      expect.arrayContaining([
        "# HELP x_total x",
        "# TYPE x_total counter",
        'x_total{engine="builtin",result="allow"} 6',
        'x_total{engine="builtin",result="deny"} 1',
      ]),
    );
  });

  it("exposes an unlabelled counter at zero before its first increment, as prom-client does", async () => {
    const metrics = createMetrics({ collectDefaults: false });
    const counter = metrics.counter({ name: "u_total", help: "u" });
    expect(await exposition(metrics)).toContain("u_total 0");
    counter.inc();
    counter.inc(4);
    expect(await exposition(metrics)).toContain("u_total 5");
  });

  it("exposes cumulative le buckets, sum and count", async () => {
    const metrics = createMetrics({ collectDefaults: false });
    const h = metrics.histogram({ name: "d_seconds", help: "d", labelNames: ["kind"], buckets: [0.1, 1] });
    const s = h.series({ kind: "a" });
    for (const v of [0.05, 0.1, 0.5]) s.observe(v);
    h.observe({ kind: "a" }, 7);
    expect(await exposition(metrics)).toEqual(
      expect.arrayContaining([
        "# TYPE d_seconds histogram",
        'd_seconds_bucket{kind="a",le="0.1"} 2',
        'd_seconds_bucket{kind="a",le="1"} 3',
        'd_seconds_bucket{kind="a",le="+Inf"} 4',
        'd_seconds_sum{kind="a"} 7.65',
        'd_seconds_count{kind="a"} 4',
      ]),
    );
  });

  it("sets gauges directly or from a collect callback at every scrape", async () => {
    const metrics = createMetrics({ collectDefaults: false });
    metrics.gauge({ name: "g_plain", help: "g" }).set(3);
    metrics.gauge({ name: "g_dest", help: "g", labelNames: ["destination"] }).set({ destination: "splunk" }, 2);
    let buffered = 1;
    metrics.gauge({ name: "g_collected", help: "g", collect: (g) => g.set(buffered) });
    expect(await exposition(metrics)).toEqual(
      expect.arrayContaining(["g_plain 3", 'g_dest{destination="splunk"} 2', "g_collected 1"]),
    );
    buffered = 9;
    expect(await exposition(metrics)).toContain("g_collected 9");
  });

  it("resets to zero in place, so series held by callers keep counting", async () => {
    const metrics = createMetrics({ collectDefaults: false });
    const c = metrics.counter({ name: "r_total", help: "r", labelNames: ["a"] }).series({ a: "1" });
    const o = metrics.histogram({ name: "r_seconds", help: "r", labelNames: ["a"], buckets: [1] }).series({ a: "1" });
    c.inc(5);
    o.observe(0.5);
    metrics.registry.resetMetrics();
    c.inc();
    o.observe(2);
    expect(await exposition(metrics)).toEqual(
      expect.arrayContaining([
        'r_total{a="1"} 1',
        'r_seconds_bucket{a="1",le="1"} 0',
        'r_seconds_count{a="1"} 1',
        'r_seconds_sum{a="1"} 2',
      ]),
    );
  });

  // A type test: `tsc --noEmit` (CI) fails when these types change; at run time it only runs.
  it("types label sets: exactly the declared label names, none on an unlabelled metric", () => {
    const metrics = createMetrics({ collectDefaults: false });
    const counter = metrics.counter({ name: "t_total", help: "t", labelNames: ["result"] });
    const unlabelled = metrics.counter({ name: "t2_total", help: "t" });
    expectTypeOf(counter.inc).parameters.toEqualTypeOf<[labels: Labels<"result">, by?: number]>();
    expectTypeOf(counter.series).parameter(0).toEqualTypeOf<Labels<"result">>();
    expectTypeOf(unlabelled.inc).parameters.toEqualTypeOf<[by?: number]>();
    // @ts-expect-error: `reslt` is not a label of this counter
    assertType<Labels<"result">>({ reslt: "x" });
    // @ts-expect-error: `result` is required
    assertType<Labels<"result">>({});
  });
});
