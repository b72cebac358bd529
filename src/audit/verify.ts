import { sql } from "kysely";
import type { Database } from "../platform/db/database.js";
import { type AuditEventRow, chainHash, fromRow, GENESIS_HASH } from "./event.js";

export interface VerifyOptions {
  from?: Date;
  to?: Date;
  /** Rows per read; the walk keeps only one batch in memory. */
  batchSize?: number;
}

export interface BrokenLink {
  id: string;
  seq: number;
  timestamp: string;
  /** `hash_mismatch`: the row's content changed; `link_mismatch`: a row before it is missing or altered. */
  problem: "hash_mismatch" | "link_mismatch";
  expected: string;
  actual: string;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  first_seq: number | null;
  last_seq: number | null;
  /** The chain's first checked event points at a row no longer stored (retention dropped it). */
  anchored_after_retention: boolean;
  broken: BrokenLink | null;
}

/**
 * Recomputes the hash chain in `seq` order. A time window is turned into the seq span of the
 * events inside it and then walked without gaps, so events committed by other replicas with
 * slightly different clocks inside the span are checked too. Reports the first broken link.
 */
export async function verifyChain(database: Database, options: VerifyOptions = {}): Promise<VerifyResult> {
  const db = database.db;
  const batchSize = options.batchSize ?? 1000;
  const span = await sql<{ lo: string | null; hi: string | null }>`
    select min(seq) as lo, max(seq) as hi from audit_events
    where (${options.from ?? null}::timestamptz is null or timestamp >= ${options.from ?? null}::timestamptz)
      and (${options.to ?? null}::timestamptz is null or timestamp < ${options.to ?? null}::timestamptz)`.execute(db);
  const lo = span.rows[0]?.lo;
  const hi = span.rows[0]?.hi;
  const result: VerifyResult = {
    ok: true,
    checked: 0,
    first_seq: lo == null ? null : Number(lo),
    last_seq: hi == null ? null : Number(hi),
    anchored_after_retention: false,
    broken: null,
  };
  if (lo == null || hi == null) return result;

  const before = await sql<{ hash: string }>`
    select hash from audit_events where seq < ${lo} order by seq desc limit 1`.execute(db);
  let expectedPrev: string | undefined = before.rows[0]?.hash;
  let cursor = BigInt(lo) - 1n;
  for (;;) {
    const page = await sql<AuditEventRow>`
      select * from audit_events where seq > ${cursor.toString()} and seq <= ${hi}
      order by seq limit ${batchSize}`.execute(db);
    for (const row of page.rows) {
      const event = fromRow(row);
      if (expectedPrev === undefined) {
        // First stored event: genesis, or the oldest survivor after retention dropped its past.
        result.anchored_after_retention = event.prev_hash !== GENESIS_HASH;
        expectedPrev = event.prev_hash;
      }
      const broken = checkLink(event, expectedPrev);
      result.checked += 1;
      if (broken) return { ...result, ok: false, broken };
      expectedPrev = event.hash;
      cursor = BigInt(row.seq);
    }
    if (page.rows.length < batchSize) return result;
  }
}

function checkLink(event: ReturnType<typeof fromRow>, expectedPrev: string): BrokenLink | null {
  const where = { id: event.id, seq: event.seq, timestamp: event.timestamp };
  if (event.prev_hash !== expectedPrev) {
    return { ...where, problem: "link_mismatch", expected: expectedPrev, actual: event.prev_hash };
  }
  const recomputed = chainHash(event.prev_hash, event);
  if (recomputed !== event.hash) {
    return { ...where, problem: "hash_mismatch", expected: recomputed, actual: event.hash };
  }
  return null;
}
