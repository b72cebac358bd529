import { randomFillSync } from "node:crypto";

/**
 * UUIDv7 (RFC 9562) for audit event ids, the same layout and monotonic sequence as the `uuid`
 * package's `v7()` (48-bit milliseconds, then a 31-bit counter seeded randomly each millisecond,
 * then random bits), but drawing randomness from a pooled buffer: one `randomFillSync` per
 * 512 ids instead of one per id, which was ~3 µs of every audited event.
 */

const POOL_IDS = 512;
const pool = new Uint8Array(16 * POOL_IDS);
let poolIndex = POOL_IDS;

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push((i + 0x100).toString(16).slice(1));

let lastMs = Number.NEGATIVE_INFINITY;
let seq = 0;

/** A time-ordered UUIDv7; ids from one process are strictly increasing. */
export function auditEventId(now = Date.now()): string {
  if (poolIndex >= POOL_IDS) {
    randomFillSync(pool);
    poolIndex = 0;
  }
  const o = 16 * poolIndex++;
  if (now > lastMs) {
    seq =
      (((pool[o + 6] as number) & 0x7f) << 24) |
      ((pool[o + 7] as number) << 16) |
      ((pool[o + 8] as number) << 8) |
      (pool[o + 9] as number);
    lastMs = now;
  } else {
    // Same (or an earlier, clock stepped back) millisecond: count on; on overflow borrow the next ms.
    seq = (seq + 1) | 0;
    if (seq === 0) lastMs++;
  }
  const ms = lastMs;
  return (
    (HEX[Math.floor(ms / 0x10000000000) & 0xff] as string) +
    HEX[Math.floor(ms / 0x100000000) & 0xff] +
    HEX[Math.floor(ms / 0x1000000) & 0xff] +
    HEX[Math.floor(ms / 0x10000) & 0xff] +
    "-" +
    HEX[Math.floor(ms / 0x100) & 0xff] +
    HEX[ms & 0xff] +
    "-" +
    HEX[0x70 | ((seq >>> 28) & 0x0f)] +
    HEX[(seq >>> 20) & 0xff] +
    "-" +
    HEX[0x80 | ((seq >>> 14) & 0x3f)] +
    HEX[(seq >>> 6) & 0xff] +
    "-" +
    HEX[((seq << 2) & 0xff) | ((pool[o + 10] as number) & 0x03)] +
    HEX[pool[o + 11] as number] +
    HEX[pool[o + 12] as number] +
    HEX[pool[o + 13] as number] +
    HEX[pool[o + 14] as number] +
    HEX[pool[o + 15] as number]
  );
}
