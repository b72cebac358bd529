import type { GcraResult } from "./gcra.js";

/**
 * Where limit state lives: process memory (one replica, or a replica while Redis is away) or Redis
 * (shared by every replica). Both apply gcra.ts. Keys come from `CACHE_KEYS.rateLimit` and hold
 * ids or addresses, never a credential.
 */
export interface LimitStore {
  readonly kind: "memory" | "redis";
  /** Takes up to `count` (default 1) requests from `key`'s allowance of `limit` per `periodUs`, at `nowUs`. */
  consume(key: string, limit: number, periodUs: number, nowUs: number, count?: number): Promise<GcraResult>;
  /**
   * True for the first rejection of `key` within `windowMs` of `nowMs` (one audit event per
   * identity per window, not one per rejected request).
   */
  firstRejection(key: string, nowMs: number, windowMs: number): Promise<boolean>;
}
