import { collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { createRequestMetrics, type RequestMetrics } from "./http/request-metrics.js";

/**
 * The process-wide metric registry, created per Context (never a module singleton) so tests can
 * build several apps in one process. Features register their own metrics on `registry`.
 */
export interface Metrics {
  readonly registry: Registry;
  /** `sark_http_requests_total` and `sark_http_request_duration_seconds` (request-metrics.ts). */
  readonly http: RequestMetrics;
  readonly dbQueryDuration: Histogram<"kind">;
  /** Reports `stats()` as `sark_db_pool_connections` whenever the registry is collected. */
  observeDbPool(stats: () => Record<string, number>): void;
}

export function createMetrics(options: { collectDefaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.collectDefaults !== false) collectDefaultMetrics({ register: registry });
  return {
    registry,
    http: createRequestMetrics(registry, [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]),
    dbQueryDuration: new Histogram({
      name: "sark_db_query_duration_seconds",
      help: "Database query duration",
      labelNames: ["kind"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    observeDbPool(stats) {
      // Set at collection, so every reader of the registry sees the pool as it is now.
      new Gauge({
        name: "sark_db_pool_connections",
        help: "Database pool connections by state (total, idle, waiting)",
        labelNames: ["state"],
        registers: [registry],
        collect() {
          for (const [state, n] of Object.entries(stats())) this.set({ state }, n);
        },
      });
    },
  };
}
