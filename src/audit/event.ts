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
 * The last actor cleaned: the raw fields it came from, the result, and (once asked for) its JSON.
 * Consecutive events nearly always share their actor (a request records two or more events, and a
 * client sends many requests), so the last result is reused when the raw fields are the same.
 * Built events are never mutated, so events may share one actor object.
 */
let lastActor: { keys: string[]; values: unknown[]; built: Record<string, unknown>; json: string | undefined } = {
  keys: [],
  values: [],
  built: {},
  json: "{}",
};

function cleanActor(raw: Record<string, unknown>): Record<string, unknown> {
  // Keys in sorted order, so the canonical hash form is a plain JSON.stringify (see canonicalJson).
  const keys = sortedKeys(raw);
  if (keys.length === lastActor.keys.length) {
    let same = true;
    for (let i = 0; same && i < keys.length; i++) {
      const k = keys[i] as string;
      same = k === lastActor.keys[i] && raw[k] === lastActor.values[i];
    }
    if (same) return lastActor.built;
  }
  const built: Record<string, unknown> = {};
  for (const k of keys) {
    const v = raw[k];
    if (typeof v === "string") built[k] = redactString(v);
    else if (v === null || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v))) built[k] = v;
  }
  lastActor = { keys, values: keys.map((k) => raw[k]), built, json: undefined };
  return built;
}

function actorJson(actor: Record<string, unknown>): string {
  if (actor !== lastActor.built) return canonicalJson(actor);
  lastActor.json ??= canonicalJson(actor);
  return lastActor.json;
}

/** JSON with object keys sorted at every level: a stable byte form to hash. */
export function canonicalJson(value: unknown): string {
  // Redaction emits keys in sorted order, so most trees are already canonical and V8's native
  // JSON.stringify writes exactly the sorted form; only other trees take the key-by-key path.
  return isCanonicalTree(value, 0) ? JSON.stringify(value) : sortedJson(value);
}

function sortedJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i > 0 ? "," : "") + canonicalJson(value[i]);
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  let out = "{";
  for (const key of Object.keys(obj).sort()) {
    const v = obj[key];
    if (v === undefined) continue;
    out += `${out.length > 1 ? "," : ""}${JSON.stringify(key)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

/** Deep enough for any redacted event (REDACTION_LIMITS.maxDepth); deeper trees take the slow path. */
const MAX_FAST_DEPTH = 32;

/**
 * Whether `JSON.stringify(value)` is byte-identical to the sorted-key form: plain objects and
 * arrays whose every object lists its keys in sorted order (`Object.keys` order is JSON.stringify's
 * order, integer-like keys included), with only strings, finite numbers, booleans and null as
 * leaves (no undefined, toJSON, Dates, NaN or bigint, which the two encodings treat differently).
 */
function isCanonicalTree(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value);
    case "object":
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (depth >= MAX_FAST_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isCanonicalTree(value[i], depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (i > 0 && !((keys[i - 1] as string) < key)) return false;
    if (!isCanonicalTree(obj[key], depth + 1)) return false;
  }
  return true;
}

/** An event's object-valued fields as canonical JSON; `null` where the field is null. */
export interface EventJsonFields {
  actor: string;
  resource: string | null;
  decision: string | null;
  details: string;
}

/**
 * Serialises each object-valued field once per event: the canonical body (hashed) and the COPY row
 * (stored) are both assembled from these strings, so they cannot disagree and neither pays for a
 * second serialisation.
 */
export function eventJsonFields(e: AuditEventBody): EventJsonFields {
  return {
    actor: actorJson(e.actor),
    resource: e.resource === null ? null : canonicalJson(e.resource),
    decision: e.decision === null ? null : canonicalJson(e.decision),
    details: canonicalJson(e.details),
  };
}

const jsonString = (v: string | null): string => (v === null ? "null" : JSON.stringify(v));

/**
 * The canonical JSON of an event body (what `chainHash` hashes): top-level keys written in their
 * sorted order by hand around the fields' own canonical JSON. Byte-identical to `canonicalJson` of
 * the body (a unit test holds the two together).
 */
export function canonicalBody(e: AuditEventBody, fields: EventJsonFields = eventJsonFields(e)): string {
  return (
    `{"action":${jsonString(e.action)},"actor":${fields.actor},"decision":${fields.decision ?? "null"},` +
    `"details":${fields.details},"event_type":${JSON.stringify(e.event_type)},"id":${JSON.stringify(e.id)},` +
    `"outcome":${JSON.stringify(e.outcome)},"request_id":${jsonString(e.request_id)},` +
    `"resource":${fields.resource ?? "null"},"severity":${JSON.stringify(e.severity)},` +
    `"timestamp":${JSON.stringify(e.timestamp)}}`
  );
}

/**
 * `sha256(prev_hash ‖ body)`, hex, for a body already in canonical form. One-shot `crypto.hash`
 * (Node ≥ 20.12) costs half of a `createHash` object per event; `prevHash` is hex, so hashing the
 * concatenation is byte-identical to two updates.
 */
export function hashCanonical(prevHash: string, body: string): string {
  return hash("sha256", prevHash + body, "hex");
}

/** `sha256(prev_hash ‖ canonical JSON of the event body)`, hex. */
export function chainHash(prevHash: string, e: AuditEventBody): string {
  return hashCanonical(prevHash, canonicalBody(e));
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
