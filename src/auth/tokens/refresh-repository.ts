import type { Selectable } from "kysely";
import type { RefreshTokensTable } from "../tables.js";
import type { AuthDb } from "../users/repository.js";

export type RefreshRow = Selectable<RefreshTokensTable>;

export async function insertRefreshToken(
  db: AuthDb,
  row: Pick<
    RefreshRow,
    "id" | "user_id" | "family_id" | "token_hash" | "expires_at" | "auth_method" | "mfa" | "groups"
  >,
): Promise<void> {
  await db.insertInto("refresh_tokens").values(row).execute();
}

export function findRefreshToken(db: AuthDb, tokenHash: string): Promise<RefreshRow | undefined> {
  return db.selectFrom("refresh_tokens").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
}

/**
 * Marks a live token as rotated. Atomic (conditional update), so of two concurrent refreshes
 * with the same token exactly one wins; the other is treated as reuse.
 */
export async function claimForRotation(db: AuthDb, id: string, now: Date): Promise<boolean> {
  const r = await db
    .updateTable("refresh_tokens")
    .set({ rotated_at: now })
    .where("id", "=", id)
    .where("rotated_at", "is", null)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function revokeFamily(db: AuthDb, familyId: string, now: Date): Promise<number> {
  const r = await db
    .updateTable("refresh_tokens")
    .set({ revoked_at: now })
    .where("family_id", "=", familyId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function revokeUserRefreshTokens(db: AuthDb, userId: string, now: Date): Promise<void> {
  await db
    .updateTable("refresh_tokens")
    .set({ revoked_at: now })
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .execute();
}

/** Housekeeping: rows past expiry serve no purpose (reuse of an expired token is just expired). */
export async function deleteExpiredRefreshTokens(db: AuthDb, now: Date): Promise<void> {
  await db.deleteFrom("refresh_tokens").where("expires_at", "<", now).execute();
}
