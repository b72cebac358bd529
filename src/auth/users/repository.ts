import type { Kysely, Selectable, Transaction, Updateable } from "kysely";
import type { AuthTables, UsersTable } from "../tables.js";

export type AuthDb = Kysely<AuthTables> | Transaction<AuthTables>;
export type UserRow = Selectable<UsersTable>;

/**
 * Usernames are case-insensitive: the form the unique index on lower(username) compares. Anything
 * keyed on a username (login throttling) uses this, so `Admin` and `admin` are one account.
 */
export const normalizeUsername = (username: string): string => username.toLowerCase();

/** Case-insensitive lookup, matching the unique index on lower(username). */
export function findUserByUsername(db: AuthDb, username: string): Promise<UserRow | undefined> {
  return db
    .selectFrom("users")
    .selectAll()
    .where((eb) => eb(eb.fn("lower", ["username"]), "=", normalizeUsername(username)))
    .executeTakeFirst();
}

export function findUserById(db: AuthDb, id: string): Promise<UserRow | undefined> {
  return db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function countUsers(db: AuthDb): Promise<number> {
  const row = await db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The user row, locked until the transaction ends (concurrent changes to one user serialise). */
export function findUserForUpdate(db: AuthDb, id: string): Promise<UserRow | undefined> {
  return db.selectFrom("users").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

/**
 * Ids of the active admins, locked until the transaction ends: two concurrent demotions of
 * different admins serialise here, and the second sees the first's result.
 */
export async function lockActiveAdmins(db: AuthDb): Promise<string[]> {
  const rows = await db
    .selectFrom("users")
    .select("id")
    .where("is_active", "=", true)
    .where((eb) => eb(eb.val("admin"), "=", eb.fn.any("roles")))
    .orderBy("id")
    .forUpdate()
    .execute();
  return rows.map((r) => r.id);
}

export async function insertUser(
  db: AuthDb,
  user: Pick<UserRow, "id" | "username" | "email" | "full_name" | "password_hash" | "roles" | "teams" | "is_active">,
): Promise<UserRow> {
  return db.insertInto("users").values(user).returningAll().executeTakeFirstOrThrow();
}

export function updateUser(db: AuthDb, id: string, patch: Updateable<UsersTable>): Promise<UserRow | undefined> {
  return db.updateTable("users").set(patch).where("id", "=", id).returningAll().executeTakeFirst();
}

export async function deleteUser(db: AuthDb, id: string): Promise<boolean> {
  const r = await db.deleteFrom("users").where("id", "=", id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Keyset page ordered by id (UUIDv7, so creation order). */
export function listUsers(
  db: AuthDb,
  options: { after?: string; limit: number; role?: string; active?: boolean },
): Promise<UserRow[]> {
  let q = db.selectFrom("users").selectAll().orderBy("id").limit(options.limit);
  if (options.after) q = q.where("id", ">", options.after);
  if (options.role) {
    const role = options.role;
    q = q.where((eb) => eb(eb.val(role), "=", eb.fn.any("roles")));
  }
  if (options.active !== undefined) q = q.where("is_active", "=", options.active);
  return q.execute();
}
