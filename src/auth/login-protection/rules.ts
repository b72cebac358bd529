import { createHash } from "node:crypto";
import type { LoginProtectionConfig } from "../../platform/config/rate-limit.js";
import { normalizeUsername } from "../users/repository.js";

/** The `address_key` of the row that counts a username's failures from every address. */
export const ANY_ADDRESS = "*";

const sha256 = (value: string) => createHash("sha256").update(value, "utf8").digest("hex");

/**
 * The key of a submitted username: a digest of its normalised form, whether or not the account
 * exists, so throttling treats real and made-up usernames alike and rows have a fixed size.
 */
export const usernameKey = (username: string): string => sha256(normalizeUsername(username));

/** The key of a client address (a digest: with a trusted proxy the address is whatever it forwards). */
export const addressKey = (ip: string): string => sha256(ip);

/**
 * Seconds a username is blocked from one address after its `failures`-th failure in the window:
 * none below `maxFailures`, then `backoffBase × 2^(failures − maxFailures)`, capped at `backoffMax`.
 */
export function addressBackoffSeconds(failures: number, config: LoginProtectionConfig): number {
  if (failures < config.maxFailures) return 0;
  // 2 ** large overflows to Infinity, which the cap absorbs.
  return Math.min(config.backoffBaseSeconds * 2 ** (failures - config.maxFailures), config.backoffMaxSeconds);
}

/**
 * Seconds a username is locked on every address after its `failures`-th failure: every
 * `lockoutThreshold`-th failure locks it. Only one request can see each count (the increment is
 * atomic), so each lock starts, and is audited, exactly once; and as the counter does not restart at
 * a lock, the failures after one lock bring the next.
 */
export function accountLockSeconds(failures: number, config: LoginProtectionConfig): number {
  return failures > 0 && failures % config.lockoutThreshold === 0 ? config.lockoutSeconds : 0;
}

/** Whole seconds until `until` (rounded up, at least 1): the `Retry-After` of a refused attempt. */
export function retryAfterSeconds(until: Date, nowMs: number): number {
  return Math.max(1, Math.ceil((until.getTime() - nowMs) / 1000));
}
