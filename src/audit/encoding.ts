import { copyFields } from "../platform/db/copy-text.js";
import { canonicalJson, canonicalMembers } from "./canonical-json.js";
import type { AuditEventBody } from "./event.js";

/**
 * How an event becomes bytes: its stored column values are encoded once, and both the hashed
 * canonical body and the stored row are written from those same strings, so what is stored is
 * what was hashed by construction (docs/AUDIT.md, "Hash chain").
 */

/** The stored columns of an event body, in row order; the chain appends `hash` and `prev_hash`. */
export const AUDIT_COLUMNS = [
  "id",
  "timestamp",
  "event_type",
  "severity",
  "outcome",
  "actor",
  "action",
  "resource",
  "decision",
  "request_id",
  "details",
  "hash",
  "prev_hash",
] as const;

type BodyColumn = keyof AuditEventBody;

/** The body's members in canonical (sorted) order. */
const BODY_KEYS: readonly BodyColumn[] = AUDIT_COLUMNS.filter(
  (c): c is BodyColumn => c !== "hash" && c !== "prev_hash",
);
const SORTED_BODY_KEYS = [...BODY_KEYS].sort();
const JSON_COLUMNS = new Set<string>(["actor", "resource", "decision", "details"]);

/** Each column's stored text: JSON columns as their canonical JSON, text columns as the text. */
function storedValues(e: AuditEventBody): Record<BodyColumn, string | null> {
  return {
    id: e.id,
    timestamp: e.timestamp,
    event_type: e.event_type,
    severity: e.severity,
    outcome: e.outcome,
    actor: canonicalJson(e.actor),
    action: e.action,
    resource: e.resource === null ? null : canonicalJson(e.resource),
    decision: e.decision === null ? null : canonicalJson(e.decision),
    request_id: e.request_id,
    details: canonicalJson(e.details),
  };
}

/** The canonical JSON of the body, written around the stored strings (JSON columns verbatim). */
function bodyOf(stored: Record<BodyColumn, string | null>): string {
  return canonicalMembers(SORTED_BODY_KEYS, (key) => {
    const v = stored[key as BodyColumn];
    return JSON_COLUMNS.has(key) ? (v ?? "null") : canonicalJson(v);
  });
}

/**
 * `s` as one flat string. Concatenation builds a tree of string pieces (a "cons string" per `+`),
 * and a buffered event holds its two strings until its batch is written: each young-generation GC
 * then copied dozens of small objects per event instead of two, which more than doubled the
 * scavenge pauses under load (docs/PERFORMANCE.md). Converting a string to a number makes V8
 * flatten it in place (pino's `flatstr` trick); if a future V8 stops doing that, only the saving
 * is lost.
 */
function flat(s: string): string {
  Number(s);
  return s;
}

/** An event encoded once: the bytes the chain hashes and the row that stores them. */
export interface EncodedEvent {
  /** The event id: a retry looks up which events a lost COMMIT reply had already stored. */
  id: string;
  /** Canonical JSON of the event body: exactly what the chain hashes. */
  body: string;
  /** The row's fields in COPY text format (`copyFields`), in AUDIT_COLUMNS order up to `details`. */
  row: string;
}

/** Encodes an event for the chain; done once, when the event is recorded (outside the chain lock). */
export function encodeEvent(e: AuditEventBody): EncodedEvent {
  const stored = storedValues(e);
  return {
    id: e.id,
    body: flat(bodyOf(stored)),
    row: flat(copyFields(BODY_KEYS.map((key) => stored[key]))),
  };
}

/** The canonical JSON of an event body: what `chainHash` hashes. */
export function canonicalBody(e: AuditEventBody): string {
  return bodyOf(storedValues(e));
}
