import { sql } from "kysely";
import type { AuthDb } from "../users/repository.js";
import { ANY_ADDRESS } from "./rules.js";

/** One counter to bump: its address key and how long a quiet spell must last to forget it. */
export interface FailureCounter {
  addressKey: string;
  windowSeconds: number;
}

/** A block recorded on a row, read before a password is checked. */
export interface ThrottleState {
  address_key: string;
  blocked_until: Date | null;
}

/** The two rows a login attempt can be refused on: this username from this address, and from any. */
export function findThrottles(db: AuthDb, usernameKey: string, addressKey: string): Promise<ThrottleState[]> {
  return db
    .selectFrom("auth_login_throttles")
    .select(["address_key", "blocked_until"])
    .where("username_key", "=", usernameKey)
    .where("address_key", "in", [addressKey, ANY_ADDRESS])
    .execute();
}

/**
 * Counts one failure on each counter in one atomic upsert, and returns the new counts. Concurrent
 * failures serialise on the row, so none is lost. A counter whose `expires_at` has passed starts
 * again at 1; otherwise `expires_at` moves to a full window after this failure (and never earlier:
 * a block pushes it past the block's end, see `startBlock`).
 */
export async function countFailure(
  db: AuthDb,
  usernameKey: string,
  counters: readonly FailureCounter[],
  now: Date,
): Promise<Map<string, number>> {
  const rows = await db
    .insertInto("auth_login_throttles")
    .values(
      counters.map((c) => ({
        username_key: usernameKey,
        address_key: c.addressKey,
        failures: 1,
        last_failure_at: now,
        expires_at: new Date(now.getTime() + c.windowSeconds * 1000),
      })),
    )
    .onConflict((oc) =>
      oc.columns(["username_key", "address_key"]).doUpdateSet({
        failures: sql<number>`case when auth_login_throttles.expires_at <= excluded.last_failure_at
          then 1 else auth_login_throttles.failures + 1 end`,
        last_failure_at: sql<Date>`excluded.last_failure_at`,
        expires_at: sql<Date>`greatest(auth_login_throttles.expires_at, excluded.expires_at)`,
      }),
    )
    .returning(["address_key", "failures"])
    .execute();
  return new Map(rows.map((r) => [r.address_key, r.failures]));
}

/**
 * Blocks a row until `until`, keeping its counter for `windowSeconds` after the block ends (time
 * spent blocked is not a quiet spell). Only ever lengthens: of concurrent block starts the latest
 * end wins. PostgreSQL's greatest() ignores NULL, so an unblocked row takes `until`.
 */
export async function startBlock(
  db: AuthDb,
  usernameKey: string,
  addressKey: string,
  until: Date,
  windowSeconds: number,
): Promise<void> {
  await db
    .updateTable("auth_login_throttles")
    .set({
      blocked_until: sql<Date>`greatest(blocked_until, ${until})`,
      expires_at: sql<Date>`greatest(expires_at, ${new Date(until.getTime() + windowSeconds * 1000)})`,
    })
    .where("username_key", "=", usernameKey)
    .where("address_key", "=", addressKey)
    .execute();
}

/** Forgets one row (a successful login clears its username + address counter). */
export async function deleteThrottle(db: AuthDb, usernameKey: string, addressKey: string): Promise<void> {
  await db
    .deleteFrom("auth_login_throttles")
    .where("username_key", "=", usernameKey)
    .where("address_key", "=", addressKey)
    .execute();
}

/** Forgets every row of a username (an admin unlock): the lock, its counter and every address's. */
export async function deleteUsernameThrottles(db: AuthDb, usernameKey: string): Promise<number> {
  const r = await db.deleteFrom("auth_login_throttles").where("username_key", "=", usernameKey).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Username-wide locks still in force at `now`, by username key. */
export async function findAccountLocks(
  db: AuthDb,
  usernameKeys: readonly string[],
  now: Date,
): Promise<Map<string, Date>> {
  if (usernameKeys.length === 0) return new Map();
  const rows = await db
    .selectFrom("auth_login_throttles")
    .select(["username_key", "blocked_until"])
    .where("username_key", "in", [...usernameKeys])
    .where("address_key", "=", ANY_ADDRESS)
    .where("blocked_until", ">", now)
    .execute();
  return new Map(rows.flatMap((r) => (r.blocked_until ? [[r.username_key, r.blocked_until] as const] : [])));
}

/** Housekeeping: past `expires_at` a row's window and block have both passed; it counts for nothing. */
export async function deleteExpiredThrottles(db: AuthDb, now: Date): Promise<void> {
  await db.deleteFrom("auth_login_throttles").where("expires_at", "<", now).execute();
}
