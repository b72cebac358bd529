import { type Kysely, type RawBuilder, sql } from "kysely";
import type { BaseTables } from "../platform/db/database.js";
import { type AuditEventRow, fromRow, type StoredAuditEvent } from "./event.js";
import { textPieces } from "./text-pieces.js";

/** Query filters shared by list, export, stream and stats (all optional, AND-ed). */
export interface AuditFilters {
  from?: string;
  to?: string;
  eventTypes?: readonly string[];
  /** Matches the actor's user id or username. */
  user?: string;
  outcomes?: readonly string[];
  severities?: readonly string[];
  resourceType?: string;
  resourceId?: string;
  requestId?: string;
}

/** Keyset position in (timestamp, id) order. */
export interface AuditKey {
  timestamp: string;
  id: string;
}

/** Queries are raw SQL (the row shape lives in AuditEventRow), so any Kysely instance of the app will do. */
type AnyDb = Kysely<BaseTables>;

/** The WHERE clause for `filters`; every value is a bound parameter. */
export function whereFilters(f: AuditFilters): RawBuilder<boolean> {
  const parts: RawBuilder<unknown>[] = [sql`true`];
  if (f.from) parts.push(sql`timestamp >= ${f.from}::timestamptz`);
  if (f.to) parts.push(sql`timestamp < ${f.to}::timestamptz`);
  if (f.eventTypes?.length) parts.push(sql`event_type in (${sql.join(f.eventTypes)})`);
  if (f.outcomes?.length) parts.push(sql`outcome in (${sql.join(f.outcomes)})`);
  if (f.severities?.length) parts.push(sql`severity in (${sql.join(f.severities)})`);
  if (f.user) parts.push(sql`(actor ->> 'user_id' = ${f.user} or actor ->> 'username' = ${f.user})`);
  if (f.resourceType) parts.push(sql`resource ->> 'type' = ${f.resourceType}`);
  if (f.resourceId) parts.push(sql`resource ->> 'id' = ${f.resourceId}`);
  if (f.requestId) parts.push(sql`request_id = ${f.requestId}`);
  return sql<boolean>`${sql.join(parts, sql` and `)}`;
}

/** Newest first; `before` is the last key of the previous page. */
export async function listEvents(
  db: AnyDb,
  filters: AuditFilters,
  before: AuditKey | undefined,
  limit: number,
): Promise<StoredAuditEvent[]> {
  const keyset = before ? sql`(timestamp, id) < (${before.timestamp}::timestamptz, ${before.id}::uuid)` : sql`true`;
  const res = await sql<AuditEventRow>`
    select * from audit_events where ${whereFilters(filters)} and ${keyset}
    order by timestamp desc, id desc limit ${limit}`.execute(db);
  return res.rows.map(fromRow);
}

export async function getEvent(db: AnyDb, id: string): Promise<StoredAuditEvent | undefined> {
  const res = await sql<AuditEventRow>`select * from audit_events where id = ${id}::uuid limit 1`.execute(db);
  const row = res.rows[0];
  return row ? fromRow(row) : undefined;
}

/** Keyset position carried between export batches: the exact timestamptz text, not a rounded ISO string. */
interface ExportKeyRow {
  ts_key: string;
  id: string;
}

/**
 * Oldest first, in keyset batches of `columns`: memory stays at one batch however many rows match,
 * and the caller pulls the next batch only when the client has consumed the previous one. The
 * keyset uses the timestamp's full-precision text, so a row stored with microseconds is neither
 * repeated nor skipped at a batch boundary.
 *
 * Each batch's rows are moved out of the driver's result array before they are used. With
 * node-postgres (through Kysely), a finished query's result stays reachable for V8's minor GC
 * for a while after the await has returned: on a 1,000,000-event export, nearly every batch's
 * rows survived minor GCs and were promoted to the old generation, which only a full GC frees:
 * about half of the export's RSS growth (most of the rest: see textPieces). Once the array is
 * empty, whatever still holds the result holds no rows, and a batch's rows die young once the
 * export has written them.
 */
async function* keysetBatches<R extends ExportKeyRow>(
  db: AnyDb,
  filters: AuditFilters,
  columns: RawBuilder<unknown>,
  batchSize: number,
): AsyncGenerator<R[], void, undefined> {
  let after: ExportKeyRow | undefined;
  for (;;) {
    const keyset = after ? sql`(timestamp, id) > (${after.ts_key}::timestamptz, ${after.id}::uuid)` : sql`true`;
    const res = await sql<R>`
      select ${columns}, timestamp::text as ts_key from audit_events where ${whereFilters(filters)} and ${keyset}
      order by timestamp, id limit ${batchSize}`.execute(db);
    const rows = res.rows.splice(0);
    const last = rows[rows.length - 1];
    if (rows.length > 0) yield rows;
    if (!last || rows.length < batchSize) return;
    after = { ts_key: last.ts_key, id: last.id };
  }
}

/**
 * Matching events, oldest first, in batches (CSV export). Half the NDJSON batch: a CSV row costs
 * several times the allocation of an NDJSON line (parsed jsonb, the event object, its cells), and
 * at 1,000 rows a batch lived through enough minor GCs to be promoted whole (a 1,000,000-event CSV
 * export grew RSS by ~130 MB; at 500 rows, by ~37 MB).
 */
export async function* exportEvents(
  db: AnyDb,
  filters: AuditFilters,
  batchSize = 500,
): AsyncGenerator<StoredAuditEvent[], void, undefined> {
  for await (const rows of keysetBatches<AuditEventRow & ExportKeyRow>(db, filters, sql`*`, batchSize)) {
    yield rows.map(fromRow);
  }
}

// The stored/API form of an event (fromRow's fields, in its key order), built by the database: an
// NDJSON export then makes one string per event in Node instead of parsing jsonb and timestamps
// into objects and stringifying them again.
const EVENT_JSON = sql.raw(`json_build_object(
  'id', id, 'seq', seq, 'timestamp', to_char(timestamp at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  'event_type', event_type, 'severity', severity, 'outcome', outcome, 'actor', coalesce(actor, '{}'::jsonb),
  'action', action, 'resource', resource, 'decision', decision, 'request_id', request_id,
  'details', coalesce(details, '{}'::jsonb), 'hash', hash, 'prev_hash', prev_hash)::text as line, id`);

/** Matching events, oldest first, as NDJSON text in pieces of whole lines (see textPieces). */
export async function* exportNdjson(
  db: AnyDb,
  filters: AuditFilters,
  batchSize = 1000,
): AsyncGenerator<string, void, undefined> {
  for await (const rows of keysetBatches<ExportKeyRow & { line: string }>(db, filters, EVENT_JSON, batchSize)) {
    yield* textPieces(rows.map((r) => `${r.line}\n`));
  }
}

/** Highest committed seq: everything at or below it is visible (seq order is commit order). */
export async function maxSeq(db: AnyDb): Promise<number> {
  const res = await sql<{ max: string | null }>`select max(seq) as max from audit_events`.execute(db);
  return Number(res.rows[0]?.max ?? 0);
}

/** Matching events with `after < seq <= upTo`, in commit order (live stream). */
export async function eventsAfterSeq(
  db: AnyDb,
  filters: AuditFilters,
  after: number,
  upTo: number,
  limit: number,
): Promise<StoredAuditEvent[]> {
  const res = await sql<AuditEventRow>`
    select * from audit_events where seq > ${after} and seq <= ${upTo} and ${whereFilters(filters)}
    order by seq limit ${limit}`.execute(db);
  return res.rows.map(fromRow);
}

export interface AuditStats {
  total: number;
  by_event_type: Array<{ event_type: string; count: number }>;
  by_outcome: Array<{ outcome: string; count: number }>;
  by_hour: Array<{ hour: string; count: number }>;
}

export async function stats(db: AnyDb, filters: AuditFilters): Promise<AuditStats> {
  const where = whereFilters(filters);
  const [types, outcomes, hours] = await Promise.all([
    sql<{ event_type: string; count: string }>`
      select event_type, count(*) as count from audit_events where ${where}
      group by event_type order by count(*) desc, event_type`.execute(db),
    sql<{ outcome: string; count: string }>`
      select outcome, count(*) as count from audit_events where ${where}
      group by outcome order by outcome`.execute(db),
    sql<{ hour: Date | string; count: string }>`
      select date_trunc('hour', timestamp at time zone 'UTC') at time zone 'UTC' as hour, count(*) as count
      from audit_events where ${where} group by 1 order by 1`.execute(db),
  ]);
  const by_event_type = types.rows.map((r) => ({ event_type: r.event_type, count: Number(r.count) }));
  return {
    total: by_event_type.reduce((n, r) => n + r.count, 0),
    by_event_type,
    by_outcome: outcomes.rows.map((r) => ({ outcome: r.outcome, count: Number(r.count) })),
    by_hour: hours.rows.map((r) => ({ hour: new Date(r.hour).toISOString(), count: Number(r.count) })),
  };
}
