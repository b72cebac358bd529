import { sql } from "kysely";
import type { Database } from "../platform/db/database.js";
import type { SiemEvent } from "./types.js";

/** A destination's position in the audit trail: the last delivered `seq` (0 = from the start). */
export interface SiemCursor {
  lastSeq: number;
  lastEventId: string | null;
}

export interface QueuedEvent {
  seq: number;
  event: SiemEvent;
}

interface AuditRowOut {
  seq: string | number;
  id: string;
  timestamp: Date | string;
  event_type: string;
  severity: string;
  outcome: string;
  actor: SiemEvent["actor"] | null;
  action: string | null;
  resource: SiemEvent["resource"];
  decision: SiemEvent["decision"];
  request_id: string | null;
  details: Record<string, unknown> | null;
  hash: string;
  prev_hash: string;
}

const iso = (t: Date | string): string => (t instanceof Date ? t : new Date(t)).toISOString();

// The database formats the timestamp exactly like Date#toISOString (UTC, milliseconds, "Z"), which
// spares the driver's per-row date parsing and the re-formatting here.
const ISO_TIMESTAMP = sql.raw(`to_char(timestamp at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

function toQueued(r: AuditRowOut): QueuedEvent {
  return {
    seq: Number(r.seq),
    event: {
      id: r.id,
      timestamp: typeof r.timestamp === "string" ? r.timestamp : iso(r.timestamp),
      event_type: r.event_type,
      severity: r.severity,
      outcome: r.outcome,
      actor: r.actor ?? {},
      action: r.action,
      resource: r.resource,
      decision: r.decision,
      request_id: r.request_id,
      details: r.details ?? {},
      hash: r.hash,
      prev_hash: r.prev_hash,
    },
  };
}

/**
 * The audit table is the queue: `seq` follows commit order (the writer serialises inserts), so
 * reading `seq > cursor` in order never skips an event that commits late. No per-event writes.
 */
export function createSiemRepository(database: Database) {
  const db = database.db;
  async function getCursors(): Promise<Map<string, SiemCursor>> {
    const { rows } = await sql<{ destination: string; last_seq: string | number; last_event_id: string | null }>`
      select destination, last_seq, last_event_id from siem_cursors`.execute(db);
    return new Map(rows.map((r) => [r.destination, { lastSeq: Number(r.last_seq), lastEventId: r.last_event_id }]));
  }
  return {
    getCursors,

    async readAfter(afterSeq: number, limit: number): Promise<QueuedEvent[]> {
      const { rows } = await sql<AuditRowOut>`
        select seq, id, ${ISO_TIMESTAMP} as timestamp, event_type, severity, outcome, actor, action, resource,
               decision, request_id, details, hash, prev_hash
        from audit_events where seq > ${afterSeq} order by seq limit ${limit}`.execute(db);
      return rows.map(toQueued);
    },

    async getCursor(destination: string): Promise<SiemCursor> {
      return (await getCursors()).get(destination) ?? { lastSeq: 0, lastEventId: null };
    },

    /** Moves the cursor forward only: a deposed leader finishing a send can never move it back. */
    async advance(destination: string, cursor: SiemCursor): Promise<void> {
      await sql`
        insert into siem_cursors (destination, last_seq, last_event_id, updated_at)
        values (${destination}, ${cursor.lastSeq}, ${cursor.lastEventId}, now())
        on conflict (destination) do update
          set last_seq = excluded.last_seq, last_event_id = excluded.last_event_id, updated_at = excluded.updated_at
          where siem_cursors.last_seq < excluded.last_seq`.execute(db);
    },

    /** Highest committed seq (0 when empty): backlog = maxSeq - cursor, an index-only estimate. */
    async maxSeq(): Promise<number> {
      const { rows } = await sql<{ max: string | number | null }>`select max(seq) as max from audit_events`.execute(db);
      return Number(rows[0]?.max ?? 0);
    },

    /** Timestamp of the oldest event after the cursor, or undefined when caught up. */
    async oldestAfter(afterSeq: number): Promise<Date | undefined> {
      const { rows } = await sql<{ timestamp: Date | string }>`
        select timestamp from audit_events where seq > ${afterSeq} order by seq limit 1`.execute(db);
      const t = rows[0]?.timestamp;
      return t === undefined ? undefined : new Date(t);
    },
  };
}

export type SiemRepository = ReturnType<typeof createSiemRepository>;
