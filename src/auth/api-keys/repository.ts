import { type Selectable, sql } from "kysely";
import type { ApiKeysTable } from "../tables.js";
import type { AuthDb } from "../users/repository.js";

export type ApiKeyRow = Selectable<ApiKeysTable>;

/** A key joined with its owner: everything authentication needs in one query. */
export interface ApiKeyWithOwner extends ApiKeyRow {
  username: string;
  email: string | null;
  roles: string[];
  teams: string[];
  user_active: boolean;
}

export async function insertApiKey(
  db: AuthDb,
  row: Pick<ApiKeyRow, "id" | "user_id" | "name" | "secret_hash" | "scopes" | "rate_limit_per_minute" | "expires_at">,
): Promise<ApiKeyRow> {
  return db.insertInto("api_keys").values(row).returningAll().executeTakeFirstOrThrow();
}

export function findApiKey(db: AuthDb, id: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom("api_keys").selectAll().where("id", "=", id).executeTakeFirst();
}

export function findApiKeyWithOwner(db: AuthDb, id: string): Promise<ApiKeyWithOwner | undefined> {
  return db
    .selectFrom("api_keys")
    .innerJoin("users", "users.id", "api_keys.user_id")
    .selectAll("api_keys")
    .select(["users.username", "users.email", "users.roles", "users.teams", "users.is_active as user_active"])
    .where("api_keys.id", "=", id)
    .executeTakeFirst();
}

/** Keyset page by id; `userId` undefined lists every user's keys (admins). */
export function listApiKeys(
  db: AuthDb,
  options: { userId?: string; includeRevoked: boolean; after?: string; limit: number },
): Promise<ApiKeyRow[]> {
  let q = db.selectFrom("api_keys").selectAll().orderBy("id").limit(options.limit);
  if (options.userId) q = q.where("user_id", "=", options.userId);
  if (!options.includeRevoked) q = q.where("revoked_at", "is", null);
  if (options.after) q = q.where("id", ">", options.after);
  return q.execute();
}

export function setApiKeySecret(db: AuthDb, id: string, secretHash: string, now: Date): Promise<ApiKeyRow | undefined> {
  return db
    .updateTable("api_keys")
    .set({ secret_hash: secretHash, rotated_at: now })
    .where("id", "=", id)
    .where("revoked_at", "is", null)
    .returningAll()
    .executeTakeFirst();
}

export async function revokeApiKey(db: AuthDb, id: string, now: Date): Promise<boolean> {
  const r = await db
    .updateTable("api_keys")
    .set({ revoked_at: now })
    .where("id", "=", id)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Adds buffered usage: one statement per key per flush, never one per request. */
export async function addApiKeyUsage(db: AuthDb, id: string, count: number, lastUsedAt: Date): Promise<void> {
  await db
    .updateTable("api_keys")
    .set({
      usage_count: sql`usage_count + ${count}`,
      last_used_at: sql`greatest(coalesce(last_used_at, ${lastUsedAt}), ${lastUsedAt})`,
    })
    .where("id", "=", id)
    .execute();
}
