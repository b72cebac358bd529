import { sql, type Transaction } from "kysely";
import type { RawTransaction } from "../platform/db/database.js";
import { canonicalBody } from "./encoding.js";
import type { AuditEventBody } from "./event.js";

/**
 * The audit outbox (migration 0009): state changes put their event here inside their own
 * transaction; the writer moves rows into the hash chain under its chain lock and deletes them in
 * that same transaction (docs/AUDIT.md, "Outbox").
 */

/** Writes a built event into the outbox inside the caller's transaction. */
export async function insertOutboxEvent<DB>(tx: Transaction<DB>, event: AuditEventBody): Promise<void> {
  await sql`insert into audit_outbox (id, body) values (${event.id}::uuid, ${canonicalBody(event)})`.execute(tx);
}

export interface OutboxRow {
  n: string;
  /** The canonical body (`canonicalBody`), exactly as it will be hashed and stored. */
  body: string;
}

/**
 * The oldest outbox rows visible now. Rows of transactions still open are not visible and stay
 * for a later drain; under the chain lock no other writer can take the same rows.
 */
export function takeOutbox(tx: RawTransaction, limit: number): Promise<OutboxRow[]> {
  return tx.query<OutboxRow>("select n::text as n, body from audit_outbox order by n limit $1", [limit]);
}

/**
 * Deletes exactly the rows taken (never a range: a row that commits meanwhile with a smaller `n`
 * has not been appended yet). `n` values are digits, so the array literal needs no quoting.
 */
export async function removeOutbox(tx: RawTransaction, rows: readonly OutboxRow[]): Promise<void> {
  await tx.query("delete from audit_outbox where n = any($1::bigint[])", [`{${rows.map((r) => r.n).join(",")}}`]);
}

/** `insertOutboxEvent` for a driver-level transaction (partition maintenance runs in one). */
export async function insertOutboxEventRaw(tx: RawTransaction, event: AuditEventBody): Promise<void> {
  await tx.query("insert into audit_outbox (id, body) values ($1::uuid, $2)", [event.id, canonicalBody(event)]);
}
