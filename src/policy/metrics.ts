import type { Counter, Gauge, Histogram, Metrics } from "../platform/metrics.js";

/** The policy feature's metrics, registered on the context's registry. */
export interface PolicyMetrics {
  /** Counted on every decision: callers keep the series of each label set. */
  readonly evaluations: Counter<"engine" | "result">;
  readonly evalDuration: Histogram<"engine">;
  readonly cache: Counter<"result">;
  readonly cacheEvictions: Counter;
  readonly revision: Gauge;
}

export function createPolicyMetrics(metrics: Metrics): PolicyMetrics {
  return {
    evaluations: metrics.counter({
      name: "sark_policy_evaluations_total",
      help: "Policy evaluations by engine and result (allow, deny, error)",
      labelNames: ["engine", "result"],
    }),
    evalDuration: metrics.histogram({
      name: "sark_policy_eval_duration_seconds",
      help: "Policy evaluation time (cache misses only)",
      labelNames: ["engine"],
      buckets: [0.00001, 0.00002, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.01, 0.05, 0.25, 1],
    }),
    cache: metrics.counter({
      name: "sark_policy_cache_total",
      help: "Decision cache lookups by result (hit, miss)",
      labelNames: ["result"],
    }),
    cacheEvictions: metrics.counter({
      name: "sark_policy_cache_evictions_total",
      help: "Decisions evicted from the in-process cache because it was full",
    }),
    revision: metrics.gauge({
      name: "sark_policy_revision",
      help: "Policy store revision this replica has loaded",
    }),
  };
}
