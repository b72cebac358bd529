import { copyFields } from "../platform/db/copy-text.js";
import { canonicalJson } from "./canonical-json.js";
import { type AuditEventBody, hashCanonical } from "./event.js";

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

/** The body's columns in row order (AUDIT_COLUMNS without the two hashes). */
const BODY_COLUMNS: readonly BodyColumn[] = AUDIT_COLUMNS.filter(
  (c): c is BodyColumn => c !== "hash" && c !== "prev_hash",
);
const JSON_COLUMNS = new Set<string>(["actor", "resource", "decision", "details"]);

/**
 * The body's members in canonical (sorted) order, each with its encoded key and separator
 * computed once (the same `"key":` canonicalJson writes), and where its stored text sits.
 */
const MEMBERS = [...BODY_COLUMNS].sort().map((key, i) => ({
  prefix: `${i === 0 ? "{" : ","}${JSON.stringify(key)}:`,
  column: BODY_COLUMNS.indexOf(key),
  json: JSON_COLUMNS.has(key),
}));

/** Each column's stored text in row order: JSON columns as their canonical JSON, text columns as the text. */
function storedValues(e: AuditEventBody): Array<string | null> {
  return [
    e.id,
    e.timestamp,
    e.event_type,
    e.severity,
    e.outcome,
    canonicalJson(e.actor),
    e.action,
    e.resource === null ? null : canonicalJson(e.resource),
    e.decision === null ? null : canonicalJson(e.decision),
    e.request_id,
    canonicalJson(e.details),
  ];
}

/**
 * The canonical JSON of the body (canonicalJson of the body object, which a unit test holds),
 * written around the stored strings: JSON columns verbatim, text columns as JSON strings.
 */
function bodyOf(stored: ReadonlyArray<string | null>): string {
  let out = "";
  for (const m of MEMBERS) {
    const v = stored[m.column] ?? null;
    out += m.prefix + (v === null ? "null" : m.json ? v : JSON.stringify(v));
  }
  return `${out}}`;
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
    row: flat(copyFields(stored)),
  };
}

/** The canonical JSON of an event body: what `chainHash` hashes. */
export function canonicalBody(e: AuditEventBody): string {
  return bodyOf(storedValues(e));
}

/** `sha256(prev_hash ‖ canonical JSON of the event body)`, hex. */
export function chainHash(prevHash: string, e: AuditEventBody): string {
  return hashCanonical(prevHash, canonicalBody(e));
}
