import type { Registry } from "prom-client";
import { createPlainHistogram, type HistogramSeries } from "../plain-metrics.js";

/** RED metrics of the HTTP API, by method, route template and status. */
export interface RequestMetrics {
  observe(method: string, route: string, status: number, seconds: number): void;
}

/**
 * `sark_http_requests_total` and `sark_http_request_duration_seconds`: one plain-number histogram
 * whose per-series counts are the request counter (plain-metrics.ts says why not prom-client's).
 */
export function createRequestMetrics(registry: Registry, buckets: readonly number[]): RequestMetrics {
  const duration = createPlainHistogram(registry, {
    name: "sark_http_request_duration_seconds",
    help: "HTTP request duration by method, route template and status",
    buckets,
    countedAs: { name: "sark_http_requests_total", help: "HTTP requests by method, route template and status" },
  });
  // One string key per request finds the series; label objects are built only for a new series.
  const series = new Map<string, HistogramSeries>();
  return {
    observe(method, route, status, seconds) {
      const key = `${method} ${status} ${route}`;
      let s = series.get(key);
      if (!s) {
        s = duration.series({ method, route, status: String(status) });
        series.set(key, s);
      }
      s.observe(seconds);
    },
  };
}
