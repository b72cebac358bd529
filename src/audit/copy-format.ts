import { type AuditEventBody, type EventJsonFields, eventJsonFields } from "./event.js";

/**
 * The columns a COPY row carries, in this order; the writer appends `hash` and `prev_hash`, which
 * only exist once the batch is chained.
 */
export const COPY_COLUMNS =
  "id, timestamp, event_type, severity, outcome, actor, action, resource, decision, request_id, details, hash, prev_hash";

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/**
 * A text field in COPY's text format: `\N` is NULL, and backslash, tab, newline and carriage return
 * are escaped.
 */
export function copyText(value: string | null): string {
  if (value === null) return "\\N";
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
}

/**
 * A JSON text field in COPY's text format. JSON text never holds a raw tab, newline or carriage
 * return, but its own escapes start with a backslash, which COPY would otherwise consume.
 */
export function copyJson(json: string | null): string {
  if (json === null) return "\\N";
  return json.includes("\\") ? json.replaceAll("\\", "\\\\") : json;
}

/**
 * The event's body columns as the start of a COPY text row (tab-separated, no line end). Built when
 * the event is recorded, so the serialised chain step only appends the two hashes. The JSON columns
 * are the very strings the hashed canonical body is made of (`eventJsonFields`); jsonb normalises
 * key order, and verification re-canonicalises what jsonb gives back, exactly as for the INSERT path.
 */
export function copyBodyColumns(e: AuditEventBody, fields: EventJsonFields = eventJsonFields(e)): string {
  return (
    `${copyText(e.id)}\t${copyText(e.timestamp)}\t${copyText(e.event_type)}\t${copyText(e.severity)}\t` +
    `${copyText(e.outcome)}\t${copyJson(fields.actor)}\t${copyText(e.action)}\t${copyJson(fields.resource)}\t` +
    `${copyJson(fields.decision)}\t${copyText(e.request_id)}\t${copyJson(fields.details)}`
  );
}
