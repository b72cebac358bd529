import { Counter, Gauge } from "prom-client";
import type { Metrics } from "../platform/metrics.js";
import {
  createPlainCounter,
  createPlainHistogram,
  type PlainCounter,
  type PlainHistogram,
} from "../platform/plain-metrics.js";

/** The policy feature's metrics, registered on the context's registry. */
export interface PolicyMetrics {
  /** Labels `engine`, `result` (counted on every decision, so plain numbers: plain-metrics.ts). */
  readonly evaluations: PlainCounter;
  /** Label `engine`. */
  readonly evalDuration: PlainHistogram;
  readonly cache: Counter<"result">;
  readonly cacheEvictions: Counter;
  readonly revision: Gauge;
}

export function createPolicyMetrics(metrics: Metrics): PolicyMetrics {
  const registers = [metrics.registry];
  return {
    evaluations: createPlainCounter(metrics.registry, {
      name: "sark_policy_evaluations_total",
      help: "Policy evaluations by engine and result (allow, deny, error)",
    }),
    evalDuration: createPlainHistogram(metrics.registry, {
      name: "sark_policy_eval_duration_seconds",
      help: "Policy evaluation time (cache misses only)",
      buckets: [0.00001, 0.00002, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.01, 0.05, 0.25, 1],
    }),
    cache: new Counter({
      name: "sark_policy_cache_total",
      help: "Decision cache lookups by result (hit, miss)",
      labelNames: ["result"],
      registers,
    }),
    cacheEvictions: new Counter({
      name: "sark_policy_cache_evictions_total",
      help: "Decisions evicted from the in-process cache because it was full",
      registers,
    }),
    revision: new Gauge({
      name: "sark_policy_revision",
      help: "Policy store revision this replica has loaded",
      registers,
    }),
  };
}
