import type { RawTransaction } from "../platform/db/database.js";
import { AUDIT_COLUMNS, type EncodedEvent, encodeEvent } from "./encoding.js";
import { type AuditEventBody, GENESIS_HASH, hashCanonical } from "./event.js";
import { removeOutbox, takeOutbox } from "./outbox.js";

/*
 * Appending to the hash chain: one serialised transaction per batch (the writer decides when and
 * retries; this file decides how rows get in).
 */

// One chain for the whole table: every batch takes this transaction-scoped lock, reads the head
// and appends. Namespaced by schema like platform/db/locks.ts so isolated schemas never contend.
const LOCK_SQL = "select pg_advisory_xact_lock(hashtext(current_schema() || ':audit-chain'))";
const HEAD_SQL = "select hash from audit_events order by seq desc limit 1";
const COMMITTED_SQL = "select id::text as id from audit_events where id = any($1::uuid[])";

/**
 * Appends a batch to the hash chain inside one serialised transaction. Every event was encoded
 * when it was recorded; inside the lock only the sha256 chain runs and each row gets its two hashes
 * (hex: nothing to escape). The rows go in with one bulk insert, in chain order, so `seq`
 * (identity, assigned in insertion order) follows the chain, and what is stored is exactly what
 * was hashed.
 *
 * With `outboxLimit` > 0 it first moves up to that many outbox rows into the chain (and deletes
 * them, in this transaction) and returns how many; the hot path (decisions) passes 0 and pays
 * nothing for the outbox.
 */
export async function appendBatch(
  tx: RawTransaction,
  batch: readonly EncodedEvent[],
  outboxLimit = 0,
  retry = false,
): Promise<number> {
  await tx.query(LOCK_SQL);
  const events = retry ? await notYetCommitted(tx, batch) : batch;
  const head = await tx.query<{ hash: string }>(HEAD_SQL);
  let prev = head[0]?.hash ?? GENESIS_HASH;
  let fromOutbox = 0;
  if (outboxLimit > 0) {
    const taken = await takeOutbox(tx, outboxLimit);
    if (taken.length > 0) {
      // The outbox holds the canonical body; decoding and encoding it again gives back those very
      // bytes (canonical JSON is a fixed point of parse-then-encode) and the row that stores them.
      prev = await insertChained(
        tx,
        prev,
        taken.map((r) => encodeEvent(JSON.parse(r.body) as AuditEventBody)),
      );
      await removeOutbox(tx, taken);
    }
    fromOutbox = taken.length;
  }
  if (events.length > 0) await insertChained(tx, prev, events);
  return fromOutbox;
}

/** Chains `events` after `prev` and inserts them in order; returns the new head hash. */
async function insertChained(tx: RawTransaction, prev: string, events: readonly EncodedEvent[]): Promise<string> {
  let rows = "";
  for (const e of events) {
    const hash = hashCanonical(prev, e.body);
    rows += `${e.row}\t${hash}\t${prev}\n`;
    prev = hash;
  }
  await tx.copyRows("audit_events", AUDIT_COLUMNS, rows);
  return prev;
}

/**
 * A retry after a lost connection may follow a COMMIT that reached the server but whose reply did
 * not. Re-inserting those events would fail on the primary key on every retry and wedge the writer,
 * so the ones already stored are left out (they are a prefix: a batch commits whole or not at all).
 */
async function notYetCommitted(tx: RawTransaction, batch: readonly EncodedEvent[]): Promise<readonly EncodedEvent[]> {
  const stored = await tx.query<{ id: string }>(COMMITTED_SQL, [batch.map((e) => e.id)]);
  if (stored.length === 0) return batch;
  const done = new Set(stored.map((r) => r.id));
  return batch.filter((e) => !done.has(e.id));
}
