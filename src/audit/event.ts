import { hash } from "node:crypto";
import type { AuditEventInput, AuditOutcome } from "../core/audit.js";
import { redact, redactString, sortedKeys } from "../core/redaction.js";
import type { Sensitivity } from "../core/sensitivity.js";
import { isoTime } from "../platform/clock.js";

/** `prev_hash` of the very first event of the chain. */
export const GENESIS_HASH = "0".repeat(64);

/** An event as stored and served (ARCHITECTURE.md "Audit event contract"), minus `seq`. */
export interface AuditEventBody {
  id: string;
  /** ISO 8601 with milliseconds, UTC: exactly what `timestamptz` gives back, so hashes re-verify. */
  timestamp: string;
  event_type: string;
  severity: Sensitivity;
  outcome: AuditOutcome;
  actor: Record<string, unknown>;
  action: string | null;
  resource: Record<string, unknown> | null;
  decision: Record<string, unknown> | null;
  request_id: string | null;
  details: Record<string, unknown>;
}

export interface ChainedAuditEvent extends AuditEventBody {
  prev_hash: string;
  hash: string;
}

/** A stored event with its commit-ordered sequence number. */
export interface StoredAuditEvent extends ChainedAuditEvent {
  seq: number;
}

const SEVERITIES = new Set<string>(["low", "medium", "high", "critical"]);
const OUTCOMES = new Set<string>(["success", "failure", "denied"]);

const text = (v: unknown): string | null => (typeof v === "string" ? redactString(v) : null);

function plainObject(v: unknown): Record<string, unknown> | null {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/**
 * Builds the stored form of an event: redacted, JSON-normalised, and shaped so that the database
 * check constraints can never reject it (a rejected event would block the batch behind it).
 * Actor fields are identifiers, not secrets, so they are cleaned but not key-redacted
 * (`api_key_id` names a key, it is not one).
 */
export function buildEvent(input: AuditEventInput, id: string, timestampMs: number): AuditEventBody {
  const actor = cleanActor((input.actor ?? {}) as Record<string, unknown>);
  const severity = input.severity && SEVERITIES.has(input.severity) ? input.severity : "low";
  const outcome = OUTCOMES.has(input.outcome) ? input.outcome : "failure";
  // Everything below is already JSON data (redact's output, cleaned strings, finite scalars), so
  // what jsonb stores and returns is exactly what gets hashed.
  return {
    id,
    timestamp: isoTime(timestampMs),
    event_type: text(input.event_type) || "unknown",
    severity,
    outcome,
    actor,
    action: text(input.action),
    resource: input.resource ? plainObject(redact(input.resource)) : null,
    decision: input.decision ? plainObject(redact(input.decision)) : null,
    request_id: text(input.request_id),
    details: plainObject(redact(input.details ?? {})) ?? {},
  };
}

/**
 * The actor's fields in sorted key order (so the body's canonical form stays on canonicalJson's
 * native fast path), strings cleaned, anything but JSON scalars dropped.
 */
function cleanActor(raw: Record<string, unknown>): Record<string, unknown> {
  const built: Record<string, unknown> = {};
  for (const k of sortedKeys(raw)) {
    const v = raw[k];
    if (typeof v === "string") built[k] = redactString(v);
    else if (v === null || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v))) built[k] = v;
  }
  return built;
}

/**
 * `sha256(prev_hash ‖ body)`, hex, for a body already in canonical form. One-shot `crypto.hash`
 * (Node ≥ 20.12) costs half of a `createHash` object per event; `prevHash` is hex, so hashing the
 * concatenation is byte-identical to two updates.
 */
export function hashCanonical(prevHash: string, body: string): string {
  return hash("sha256", prevHash + body, "hex");
}

/** The row shape drivers return for `select * from audit_events`. */
export interface AuditEventRow {
  id: string;
  seq: string | number | bigint;
  timestamp: Date | string;
  event_type: string;
  severity: string;
  outcome: string;
  actor: unknown;
  action: string | null;
  resource: unknown;
  decision: unknown;
  request_id: string | null;
  details: unknown;
  hash: string;
  prev_hash: string;
}

const parseJson = (v: unknown): unknown => (typeof v === "string" ? JSON.parse(v) : v);

/** Maps a database row to the API/contract form (jsonb may arrive parsed or as text). */
export function fromRow(row: AuditEventRow): StoredAuditEvent {
  return {
    id: row.id,
    seq: Number(row.seq),
    timestamp: new Date(row.timestamp).toISOString(),
    event_type: row.event_type,
    severity: row.severity as Sensitivity,
    outcome: row.outcome as AuditOutcome,
    actor: (parseJson(row.actor) ?? {}) as Record<string, unknown>,
    action: row.action,
    resource: (parseJson(row.resource) ?? null) as Record<string, unknown> | null,
    decision: (parseJson(row.decision) ?? null) as Record<string, unknown> | null,
    request_id: row.request_id,
    details: (parseJson(row.details) ?? {}) as Record<string, unknown>,
    hash: row.hash,
    prev_hash: row.prev_hash,
  };
}
