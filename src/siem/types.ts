import type { AuditActor, AuditDecision, AuditOutcome } from "../core/audit.js";

/**
 * One audit event as it leaves SARK: the audit contract (ARCHITECTURE.md) with `timestamp` as an
 * RFC 3339 string. `id` is the de-duplication key downstream, since delivery is at-least-once.
 */
export interface SiemEvent {
  id: string;
  timestamp: string;
  event_type: string;
  severity: string;
  outcome: AuditOutcome | string;
  actor: AuditActor;
  action: string | null;
  resource: { type: string; id?: string | null; name?: string | null } | null;
  decision: AuditDecision | null;
  request_id: string | null;
  details: Record<string, unknown>;
  hash: string;
  prev_hash: string;
}

/** Why a send failed; the `reason` label of `sark_siem_send_failures_total`. */
export type FailureReason =
  | "network"
  | "timeout"
  | "server_error"
  | "throttled"
  | "too_large"
  | "rejected"
  | "unauthorized";

/**
 * What a destination reports for one batch. `permanent` means retrying cannot help (bad token):
 * the forwarder stops that destination instead of skipping events.
 */
export type SendResult =
  | { kind: "ok"; status: number }
  | { kind: "retryable"; reason: FailureReason; message: string; status?: number; retryAfterMs?: number }
  | { kind: "permanent"; reason: FailureReason; message: string; status: number };

export type DestinationType = "splunk_hec" | "datadog" | "webhook";

/** A SIEM the forwarder delivers to. Implementations speak the service's documented wire format. */
export interface SiemDestination {
  /** Stable name: cursor key, metric label, status entry. */
  readonly name: string;
  readonly type: DestinationType;
  /** Sends the events in order (possibly as several requests); never throws. */
  send(events: readonly SiemEvent[], signal?: AbortSignal): Promise<SendResult>;
  /** Closes kept-alive connections. */
  close(): void;
}
