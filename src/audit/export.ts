import { Readable } from "node:stream";
import type { StoredAuditEvent } from "./event.js";
import { textPieces } from "./text-pieces.js";

export type ExportFormat = "ndjson" | "csv";

const CSV_COLUMNS = [
  "id",
  "seq",
  "timestamp",
  "event_type",
  "severity",
  "outcome",
  "actor_user_id",
  "actor_username",
  "actor_auth_method",
  "actor_api_key_id",
  "actor_ip",
  "action",
  "resource_type",
  "resource_id",
  "resource_name",
  "decision_allow",
  "decision_reason",
  "decision_policy",
  "request_id",
  "details",
  "prev_hash",
  "hash",
] as const;

/**
 * One CSV cell (RFC 4180 quoting). Cells a spreadsheet would run as a formula get a leading quote:
 * audit data is attacker-influenced (usernames, tool names) and exports are opened in Excel.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let s = typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const field = (obj: Record<string, unknown> | null, key: string): unknown => (obj ? obj[key] : null);

export function csvRow(e: StoredAuditEvent): string {
  const values: unknown[] = [
    e.id,
    e.seq,
    e.timestamp,
    e.event_type,
    e.severity,
    e.outcome,
    field(e.actor, "user_id"),
    field(e.actor, "username"),
    field(e.actor, "auth_method"),
    field(e.actor, "api_key_id"),
    field(e.actor, "ip"),
    e.action,
    field(e.resource, "type"),
    field(e.resource, "id"),
    field(e.resource, "name"),
    field(e.decision, "allow"),
    field(e.decision, "reason"),
    field(e.decision, "policy"),
    e.request_id,
    e.details,
    e.prev_hash,
    e.hash,
  ];
  return `${values.map(csvCell).join(",")}\r\n`;
}

/**
 * Turns keyset batches into a text stream of pieces (see textPieces). The response pipes it with
 * back-pressure: the stream holds at most one piece (`highWaterMark: 1`) and asks for the next
 * only once the socket has drained, and the next batch is read only after the previous one's
 * pieces have gone to the socket, so memory stays at about one batch for any export size. NDJSON
 * arrives as text already (the database builds each event's JSON); CSV rows are built here.
 * `encoding` keeps the pieces strings all the way to the socket, which encodes them into its
 * write buffer: without it the stream would first copy every piece into a Buffer.
 */
export function exportStream(
  source:
    | { format: "ndjson"; chunks: AsyncIterable<string> }
    | { format: "csv"; batches: AsyncIterable<StoredAuditEvent[]> },
): Readable {
  async function* pieces(): AsyncGenerator<string> {
    if (source.format === "ndjson") {
      yield* source.chunks;
      return;
    }
    yield `${CSV_COLUMNS.join(",")}\r\n`;
    for await (const batch of source.batches) yield* textPieces(batch.map(csvRow));
  }
  return Readable.from(pieces(), { objectMode: false, encoding: "utf8", highWaterMark: 1 });
}
