import { sql } from "kysely";
import type { Database } from "../platform/db/database.js";
import { bridgeHmac, type Checkpoint, checkpointHmac, macMatches, type RetentionBridge } from "./anchors.js";
import { chainHash } from "./encoding.js";
import { type AuditEventRow, fromRow, GENESIS_HASH } from "./event.js";

export interface VerifyOptions {
  from?: Date;
  to?: Date;
  /** Rows per read; the walk keeps only one batch in memory. */
  batchSize?: number;
}

export type ChainProblem =
  /** The row's content changed: its stored hash no longer matches. */
  | "hash_mismatch"
  /** The row's prev_hash is not its predecessor's hash, and no signed retention marker bridges the gap. */
  | "link_mismatch"
  /** A checkpointed row is stored with another hash. */
  | "checkpoint_mismatch"
  /** A checkpointed row is gone (rows deleted from the end or the middle of the chain). */
  | "checkpoint_missing"
  /** A checkpoint or retention marker whose HMAC is wrong (forged or altered without the key). */
  | "invalid_signature";

export interface BrokenLink {
  /** The event's id; null for a checkpoint or marker that has no stored event. */
  id: string | null;
  seq: number;
  timestamp: string | null;
  problem: ChainProblem;
  expected: string;
  actual: string;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  first_seq: number | null;
  last_seq: number | null;
  /** The chain's first checked event follows rows that retention removed (signed markers bridge them). */
  anchored_after_retention: boolean;
  /** Checkpoints whose row was found with the checkpointed hash. */
  checkpoints_verified: number;
  broken: BrokenLink | null;
}

interface Anchors {
  /** Signed retention runs by their `from_hash`. */
  bridges: Map<string, RetentionBridge>;
  /** Signed checkpoints by seq, outside removed runs. */
  checkpoints: Map<number, string>;
}

/**
 * Recomputes the hash chain in `seq` order and checks it against the signed anchors
 * (docs/AUDIT.md, "Anchors"): the chain must start at the genesis hash or at a signed retention
 * marker, a gap is allowed only where a marker bridges it, and every signed checkpoint must find
 * its row with its hash. A time window is turned into the seq span of the events inside it and then
 * walked without gaps. Reports the first problem.
 */
export async function verifyChain(database: Database, key: string, options: VerifyOptions = {}): Promise<VerifyResult> {
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
    checkpoints_verified: 0,
    broken: null,
  };
  const anchors = await loadAnchors(database, key);
  if ("problem" in anchors) return { ...result, ok: false, broken: anchors };

  if (lo != null && hi != null) {
    const broken = await walk(database, anchors, result, BigInt(lo), BigInt(hi), batchSize);
    if (broken) return { ...result, ok: false, broken };
  }
  // Checkpoints the walk did not meet: their rows are gone. A window checks the checkpoints inside
  // its span (and, when it is open-ended, everything after it: that is where truncation shows).
  const windowLo = options.from && lo != null ? Number(lo) : Number.NEGATIVE_INFINITY;
  const windowHi = options.to && hi != null ? Number(hi) : Number.POSITIVE_INFINITY;
  const missing = [...anchors.checkpoints.keys()]
    .filter((seq) => seq >= windowLo && seq <= windowHi)
    .sort((a, b) => a - b)[0];
  if (missing !== undefined && (options.from === undefined || lo != null)) {
    const expected = anchors.checkpoints.get(missing) ?? "";
    return {
      ...result,
      ok: false,
      broken: { id: null, seq: missing, timestamp: null, problem: "checkpoint_missing", expected, actual: "no event" },
    };
  }
  return result;
}

async function walk(
  database: Database,
  anchors: Anchors,
  result: VerifyResult,
  lo: bigint,
  hi: bigint,
  batchSize: number,
): Promise<BrokenLink | null> {
  const db = database.db;
  const before = await sql<{ hash: string }>`
    select hash from audit_events where seq < ${lo.toString()} order by seq desc limit 1`.execute(db);
  // No stored predecessor: the chain must start at genesis or after signed retention runs.
  let expectedPrev = before.rows[0]?.hash ?? GENESIS_HASH;
  let cursor = lo - 1n;
  for (;;) {
    // Each row is read as one JSON value: PGlite's driver decodes text columns with a TextDecoder
    // that drops a leading U+FEFF, so an `action` or `request_id` starting with one read back
    // changed and failed its hash. A JSON text starts with "{", and its strings keep every character.
    const page = await sql<{ row: AuditEventRow }>`
      select row_to_json(a) as row from audit_events a where seq > ${cursor.toString()} and seq <= ${hi.toString()}
      order by seq limit ${batchSize}`.execute(db);
    for (const { row } of page.rows) {
      const event = fromRow(row);
      const where = { id: event.id, seq: event.seq, timestamp: event.timestamp };
      result.checked += 1;
      if (event.prev_hash !== expectedPrev) {
        if (!bridged(anchors.bridges, expectedPrev, event.prev_hash)) {
          return { ...where, problem: "link_mismatch", expected: expectedPrev, actual: event.prev_hash };
        }
        if (result.checked === 1) result.anchored_after_retention = true;
      }
      const recomputed = chainHash(event.prev_hash, event);
      if (recomputed !== event.hash) {
        return { ...where, problem: "hash_mismatch", expected: recomputed, actual: event.hash };
      }
      const checkpointed = anchors.checkpoints.get(event.seq);
      if (checkpointed !== undefined) {
        if (checkpointed !== event.hash) {
          return { ...where, problem: "checkpoint_mismatch", expected: checkpointed, actual: event.hash };
        }
        anchors.checkpoints.delete(event.seq);
        result.checkpoints_verified += 1;
      }
      expectedPrev = event.hash;
      cursor = BigInt(row.seq);
    }
    if (page.rows.length < batchSize) return null;
  }
}

/** Whether signed retention runs lead from `from` to `to` (consecutive runs chain up). */
function bridged(bridges: Map<string, RetentionBridge>, from: string, to: string): boolean {
  let at = from;
  for (let hops = 0; hops <= bridges.size; hops++) {
    const run = bridges.get(at);
    if (!run) return false;
    if (run.to_hash === to) return true;
    at = run.to_hash;
  }
  return false;
}

const iso = (v: Date | string): string => new Date(v).toISOString();

/** Loads markers and checkpoints, checking every HMAC; the first bad one is the answer. */
async function loadAnchors(database: Database, key: string): Promise<Anchors | BrokenLink> {
  const db = database.db;
  const markers = await sql<{
    first_seq: string;
    last_seq: string;
    from_hash: string;
    to_hash: string;
    created_at: Date | string;
    hmac: string;
  }>`select first_seq, last_seq, from_hash, to_hash, created_at, hmac from audit_retention_markers order by id`.execute(
    db,
  );
  const bridges = new Map<string, RetentionBridge>();
  const removed: Array<[number, number]> = [];
  for (const m of markers.rows) {
    const run = {
      first_seq: Number(m.first_seq),
      last_seq: Number(m.last_seq),
      from_hash: m.from_hash,
      to_hash: m.to_hash,
    };
    if (!macMatches(bridgeHmac(key, run), m.hmac)) {
      return forged(run.last_seq, iso(m.created_at), "retention marker");
    }
    bridges.set(run.from_hash, run);
    removed.push([run.first_seq, run.last_seq]);
  }
  const rows = await sql<{ seq: string; hash: string; created_at: Date | string; hmac: string }>`
    select seq, hash, created_at, hmac from audit_checkpoints order by seq`.execute(db);
  const checkpoints = new Map<number, string>();
  for (const c of rows.rows) {
    const checkpoint: Checkpoint = { seq: Number(c.seq), hash: c.hash, created_at: iso(c.created_at) };
    if (!macMatches(checkpointHmac(key, checkpoint), c.hmac)) {
      return forged(checkpoint.seq, checkpoint.created_at, "checkpoint");
    }
    // Retention deletes checkpoints inside the runs it removes; one left there proves nothing.
    if (removed.some(([first, last]) => checkpoint.seq >= first && checkpoint.seq <= last)) continue;
    checkpoints.set(checkpoint.seq, checkpoint.hash);
  }
  return { bridges, checkpoints };
}

function forged(seq: number, timestamp: string, what: string): BrokenLink {
  return {
    id: null,
    seq,
    timestamp,
    problem: "invalid_signature",
    expected: `a valid HMAC on the ${what}`,
    actual: "invalid",
  };
}
