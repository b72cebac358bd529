import type { Metrics } from "../platform/metrics.js";

/** The SIEM metrics (docs/SIEM.md), registered on the Context's registry. */
export function createSiemMetrics(metrics: Metrics) {
  const labelNames = ["destination"] as const;
  return {
    eventsSent: metrics.counter({
      name: "sark_siem_events_sent_total",
      help: "Audit events delivered to a SIEM destination (at-least-once: retried batches count again)",
      labelNames,
    }),
    sendFailures: metrics.counter({
      name: "sark_siem_send_failures_total",
      help: "Failed SIEM send attempts by destination and reason",
      labelNames: ["destination", "reason"],
    }),
    backlog: metrics.gauge({
      name: "sark_siem_backlog_events",
      help: "Audit events not yet delivered to the destination (max(seq) - cursor estimate)",
      labelNames,
    }),
    lag: metrics.gauge({
      name: "sark_siem_lag_seconds",
      help: "Age of the oldest undelivered audit event (0 when caught up)",
      labelNames,
    }),
    circuit: metrics.gauge({
      name: "sark_siem_circuit_state",
      help: "Circuit breaker state per destination: 0 closed, 1 open, 2 half-open",
      labelNames,
    }),
    failed: metrics.gauge({
      name: "sark_siem_destination_failed",
      help: "1 when the destination stopped on a permanent error (bad credential) until restart, else 0",
      labelNames,
    }),
  };
}

export type SiemMetrics = ReturnType<typeof createSiemMetrics>;
