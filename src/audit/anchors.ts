import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * A run of consecutive chain rows removed by retention: the chain went from `from_hash` (the
 * run's first `prev_hash`) through rows `first_seq..last_seq` to `to_hash` (the last row's hash).
 */
export interface RetentionBridge {
  first_seq: number;
  last_seq: number;
  from_hash: string;
  to_hash: string;
}

/** A signed record of the chain head at one moment. */
export interface Checkpoint {
  seq: number;
  hash: string;
  /** ISO 8601, milliseconds, UTC: signed as written. */
  created_at: string;
}

// Distinct prefixes keep the two signatures apart: a checkpoint's HMAC can never pass as a
// retention marker's (which would let someone bridge a gap they cut themselves), and vice versa.
const BRIDGE_DOMAIN = "sark-audit-retention-v1";
const CHECKPOINT_DOMAIN = "sark-audit-checkpoint-v1";

function hmac(key: string, parts: ReadonlyArray<string | number>): string {
  return createHmac("sha256", key).update(parts.join("\n")).digest("hex");
}

/** HMAC-SHA256 (hex) of a retention marker. */
export function bridgeHmac(key: string, b: RetentionBridge): string {
  return hmac(key, [BRIDGE_DOMAIN, b.first_seq, b.last_seq, b.from_hash, b.to_hash]);
}

/** HMAC-SHA256 (hex) of a checkpoint. */
export function checkpointHmac(key: string, c: Checkpoint): string {
  return hmac(key, [CHECKPOINT_DOMAIN, c.seq, c.hash, c.created_at]);
}

/** Constant-time comparison of two hex MACs. */
export function macMatches(expected: string, actual: string): boolean {
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(actual, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Parses a run as `audit_maintain_partitions` reports it ("first_seq last_seq from_hash to_hash";
 * migration 0009). The function keeps its original return type so its grants survive, hence text.
 */
export function parseBridge(text: string): RetentionBridge | undefined {
  const [first, last, from, to, ...rest] = text.split(" ");
  if (rest.length > 0 || !first || !last || !from || !to) return undefined;
  const first_seq = Number(first);
  const last_seq = Number(last);
  if (!Number.isSafeInteger(first_seq) || !Number.isSafeInteger(last_seq)) return undefined;
  // from_hash may be the genesis hash or a hash of a row written before; both are hex.
  if (!HEX64.test(from) || !HEX64.test(to)) return undefined;
  return { first_seq, last_seq, from_hash: from, to_hash: to };
}
