import { type Selectable, sql } from "kysely";
import type { RevocationsTable } from "../tables.js";
import type { AuthDb } from "../users/repository.js";

export type RevocationKind = "token" | "user" | "api_key";
export type RevocationRow = Pick<Selectable<RevocationsTable>, "kind" | "subject" | "revoked_at" | "expires_at">;

/**
 * Records a revocation. A second write for the same subject keeps the later instant and the later
 * expiry (markers only move forward), and refreshes `recorded_at` so polling replicas see it again.
 */
export async function upsertRevocation(db: AuthDb, row: RevocationRow): Promise<void> {
  await db
    .insertInto("auth_revocations")
    .values({ ...row, recorded_at: sql`now()` })
    .onConflict((oc) =>
      oc.columns(["kind", "subject"]).doUpdateSet({
        revoked_at: sql`greatest(auth_revocations.revoked_at, excluded.revoked_at)`,
        expires_at: sql`greatest(auth_revocations.expires_at, excluded.expires_at)`,
        recorded_at: sql`now()`,
      }),
    )
    .execute();
}

/** Every revocation still in force at `now`: what a replica loads when it starts. */
export function listLiveRevocations(db: AuthDb, now: Date): Promise<RevocationRow[]> {
  return db
    .selectFrom("auth_revocations")
    .select(["kind", "subject", "revoked_at", "expires_at"])
    .where("expires_at", ">", now)
    .execute();
}

/**
 * Rows written in the last `seconds` of database time. Measured on the database's clock, so clock
 * skew between replicas cannot hide a row; callers overlap the windows, re-reading is harmless.
 */
export function listRevocationsRecordedWithin(db: AuthDb, seconds: number): Promise<RevocationRow[]> {
  return db
    .selectFrom("auth_revocations")
    .select(["kind", "subject", "revoked_at", "expires_at"])
    .where("recorded_at", ">", sql<Date>`now() - make_interval(secs => ${seconds})`)
    .execute();
}

/** The rows for one token and its user, read directly when the shared cache cannot answer. */
export function findTokenRevocations(db: AuthDb, jti: string, userId: string): Promise<RevocationRow[]> {
  return db
    .selectFrom("auth_revocations")
    .select(["kind", "subject", "revoked_at", "expires_at"])
    .where((eb) =>
      eb.or([
        eb.and([eb("kind", "=", "token"), eb("subject", "=", jti)]),
        eb.and([eb("kind", "=", "user"), eb("subject", "=", userId)]),
      ]),
    )
    .execute();
}

/** One marker, read directly when the shared cache cannot answer. */
export function findRevocation(db: AuthDb, kind: RevocationKind, subject: string): Promise<RevocationRow | undefined> {
  return db
    .selectFrom("auth_revocations")
    .select(["kind", "subject", "revoked_at", "expires_at"])
    .where("kind", "=", kind)
    .where("subject", "=", subject)
    .executeTakeFirst();
}

/** Housekeeping: a row past its expiry can no longer void anything. */
export async function deleteExpiredRevocations(db: AuthDb, now: Date): Promise<void> {
  await db.deleteFrom("auth_revocations").where("expires_at", "<", now).execute();
}
