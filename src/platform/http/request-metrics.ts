import type { CounterSeries, HistogramSeries, Metrics } from "../metrics.js";

/** RED metrics of the HTTP API, by method, route template and status. */
export interface RequestMetrics {
  observe(method: string, route: string, status: number, seconds: number): void;
}

/** `sark_http_requests_total` and `sark_http_request_duration_seconds`. */
export function createRequestMetrics(
  metrics: Pick<Metrics, "counter" | "histogram">,
  buckets: readonly number[],
): RequestMetrics {
  const labelNames = ["method", "route", "status"] as const;
  const requests = metrics.counter({
    name: "sark_http_requests_total",
    help: "HTTP requests by method, route template and status",
    labelNames,
  });
  const duration = metrics.histogram({
    name: "sark_http_request_duration_seconds",
    help: "HTTP request duration by method, route template and status",
    labelNames,
    buckets,
  });
  // One string key per request finds both series; label objects are built only for a new series.
  const series = new Map<string, { count: CounterSeries; time: HistogramSeries }>();
  return {
    observe(method, route, status, seconds) {
      const key = `${method} ${status} ${route}`;
      let s = series.get(key);
      if (!s) {
        const labels = { method, route, status: String(status) };
        s = { count: requests.series(labels), time: duration.series(labels) };
        series.set(key, s);
      }
      s.count.inc();
      s.time.observe(seconds);
    },
  };
}
