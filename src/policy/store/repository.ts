import { type Kysely, sql, type Transaction } from "kysely";
import type { Database } from "../../platform/db/database.js";
import type { CompileStatus, PolicyTables, TestResult, TestStatus } from "./tables.js";

export type PolicyDb = Kysely<PolicyTables>;
type Executor = PolicyDb | Transaction<PolicyTables>;

export const policyDb = (database: Database): PolicyDb => database.db.withTables<PolicyTables>();

export interface PolicyRow {
  id: string;
  name: string;
  description: string;
  active_version: number | null;
  latest_version: number;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface VersionRow {
  policy_id: string;
  version: number;
  content: string;
  sha256: string;
  author_id: string | null;
  author: string;
  compile_status: CompileStatus;
  compile_errors: unknown[];
  test_status: TestStatus;
  test_results: TestResult[];
  created_at: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function policyQuery(db: Executor) {
  return db
    .selectFrom("policies as p")
    .select(["p.id", "p.name", "p.description", "p.active_version", "p.created_by", "p.created_at", "p.updated_at"])
    .select((eb) =>
      eb
        .selectFrom("policy_versions as v")
        .whereRef("v.policy_id", "=", "p.id")
        .select(sql<number>`coalesce(max(v.version), 0)::integer`.as("m"))
        .as("latest_version"),
    );
}

function toPolicy(r: Omit<PolicyRow, "latest_version"> & { latest_version: number | null }): PolicyRow {
  return { ...r, latest_version: Number(r.latest_version ?? 0) };
}

/** Policies in id (creation) order, after the cursor id. */
export async function listPolicies(db: Executor, after: string | undefined, limit: number): Promise<PolicyRow[]> {
  let q = policyQuery(db).orderBy("p.id").limit(limit);
  if (after) q = q.where("p.id", ">", after);
  return (await q.execute()).map(toPolicy);
}

/** By id, or by name (case-insensitive) when the reference is not a UUID. */
export async function findPolicy(db: Executor, ref: string, forUpdate = false): Promise<PolicyRow | undefined> {
  let q = UUID.test(ref)
    ? policyQuery(db).where("p.id", "=", ref)
    : policyQuery(db).where(sql`lower(p.name)`, "=", ref.toLowerCase());
  if (forUpdate) q = q.forUpdate("p");
  const row = await q.executeTakeFirst();
  return row ? toPolicy(row) : undefined;
}

export async function listVersions(db: Executor, policyId: string): Promise<VersionRow[]> {
  return db
    .selectFrom("policy_versions")
    .selectAll()
    .where("policy_id", "=", policyId)
    .orderBy("version", "desc")
    .execute();
}

export async function getVersion(db: Executor, policyId: string, version: number): Promise<VersionRow | undefined> {
  return db
    .selectFrom("policy_versions")
    .selectAll()
    .where("policy_id", "=", policyId)
    .where("version", "=", version)
    .executeTakeFirst();
}

export async function insertPolicy(
  tx: Executor,
  row: { id: string; name: string; description: string; created_by: string | null },
): Promise<void> {
  await tx
    .insertInto("policies")
    .values({ ...row, active_version: null })
    .execute();
}

/** A version as inserted: the database sets `created_at`. */
export type NewVersion = Omit<VersionRow, "created_at">;

export async function insertVersion(tx: Executor, v: NewVersion): Promise<void> {
  await tx
    .insertInto("policy_versions")
    .values({ ...v, compile_errors: JSON.stringify(v.compile_errors), test_results: JSON.stringify(v.test_results) })
    .execute();
  await tx.updateTable("policies").set({ updated_at: new Date() }).where("id", "=", v.policy_id).execute();
}

export async function setActiveVersion(tx: Executor, policyId: string, version: number): Promise<void> {
  await tx
    .updateTable("policies")
    .set({ active_version: version, updated_at: new Date() })
    .where("id", "=", policyId)
    .execute();
}

export async function deletePolicy(tx: Executor, policyId: string): Promise<void> {
  await tx.deleteFrom("policies").where("id", "=", policyId).execute();
}

/** One active module per policy with an active version. */
export async function activeModules(
  db: Executor,
): Promise<Array<{ policy_id: string; name: string; version: number; content: string }>> {
  return db
    .selectFrom("policies as p")
    .innerJoin("policy_versions as v", (j) =>
      j.onRef("v.policy_id", "=", "p.id").onRef("v.version", "=", "p.active_version"),
    )
    .select(["p.id as policy_id", "p.name", "v.version", "v.content"])
    .orderBy("p.name")
    .execute();
}

export async function getRevision(db: Executor): Promise<number> {
  const row = await db.selectFrom("policy_state").select("revision").where("id", "=", 1).executeTakeFirst();
  return Number(row?.revision ?? 0);
}

/** Serialises changes to the active set (activation, deletion) across replicas. */
export async function lockState(tx: Executor): Promise<void> {
  await tx.selectFrom("policy_state").select("id").where("id", "=", 1).forUpdate().execute();
}

/** Every change that alters decisions bumps the revision; replicas poll it to reload. */
export async function bumpRevision(tx: Executor): Promise<number> {
  const row = await tx
    .updateTable("policy_state")
    .set({ revision: sql`revision + 1`, updated_at: new Date() })
    .where("id", "=", 1)
    .returning("revision")
    .executeTakeFirst();
  return Number(row?.revision ?? 0);
}

export async function listData(db: Executor): Promise<Array<{ path: string; value: unknown; updated_at: Date }>> {
  return db.selectFrom("policy_data").select(["path", "value", "updated_at"]).orderBy("path").execute();
}

export async function putData(tx: Executor, path: string, value: unknown, userId: string | null): Promise<void> {
  const json = JSON.stringify(value);
  await tx
    .insertInto("policy_data")
    .values({ path, value: json, updated_by: userId, updated_at: new Date() })
    .onConflict((oc) => oc.column("path").doUpdateSet({ value: json, updated_by: userId, updated_at: new Date() }))
    .execute();
}

export async function deleteData(tx: Executor, path: string): Promise<boolean> {
  const res = await tx.deleteFrom("policy_data").where("path", "=", path).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

export type { Executor };
