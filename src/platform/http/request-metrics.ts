import type { Registry } from "prom-client";

/** RED metrics of the HTTP API, by method, route template and status. */
export interface RequestMetrics {
  observe(method: string, route: string, status: number, seconds: number): void;
}

interface Series {
  labels: { method: string; route: string; status: string };
  count: number;
  sum: number;
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  perBucket: number[];
}

/**
 * `sark_http_requests_total` and `sark_http_request_duration_seconds`, counted in plain numbers on
 * the request path and turned into Prometheus series only when scraped. prom-client's labelled
 * observe validates and hashes the label set on every call, which cost a cheap route about 8% of its
 * throughput; the registry, the exposition format and every other metric stay prom-client's. The two
 * objects below are metrics the registry formats like its own (name, help, type, `get()`).
 */
export function createRequestMetrics(registry: Registry, buckets: readonly number[]): RequestMetrics {
  const series = new Map<string, Series>();
  const requests = {
    name: "sark_http_requests_total",
    help: "HTTP requests by method, route template and status",
    type: "counter",
    aggregator: "sum",
  } as const;
  const duration = {
    name: "sark_http_request_duration_seconds",
    help: "HTTP request duration by method, route template and status",
    type: "histogram",
    aggregator: "sum",
  } as const;
  const durationName = duration.name;

  registry.registerMetric({
    ...requests,
    get: async () => ({
      ...requests,
      values: [...series.values()].map((s) => ({ labels: s.labels, value: s.count })),
    }),
    reset: () => series.clear(),
  } as never);

  registry.registerMetric({
    ...duration,
    get: async () => ({
      ...duration,
      values: [...series.values()].flatMap((s) => {
        let cumulative = 0;
        const values = buckets.map((le, i) => {
          cumulative += s.perBucket[i] ?? 0;
          return { labels: { ...s.labels, le }, value: cumulative, metricName: `${durationName}_bucket` };
        });
        return [
          ...values,
          { labels: { ...s.labels, le: "+Inf" }, value: s.count, metricName: `${durationName}_bucket` },
          { labels: s.labels, value: s.sum, metricName: `${durationName}_sum` },
          { labels: s.labels, value: s.count, metricName: `${durationName}_count` },
        ];
      }),
    }),
    reset: () => series.clear(),
  } as never);

  return {
    observe(method, route, status, seconds) {
      const key = `${method} ${status} ${route}`;
      let s = series.get(key);
      if (!s) {
        s = { labels: { method, route, status: String(status) }, count: 0, sum: 0, perBucket: buckets.map(() => 0) };
        series.set(key, s);
      }
      s.count++;
      s.sum += seconds;
      // Le buckets: the first bound at or above the value (none: only +Inf, which is `count`).
      for (let i = 0; i < buckets.length; i++) {
        if (seconds <= (buckets[i] as number)) {
          s.perBucket[i] = (s.perBucket[i] ?? 0) + 1;
          break;
        }
      }
    },
  };
}
