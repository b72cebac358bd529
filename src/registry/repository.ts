import { type Kysely, type SelectQueryBuilder, sql } from "kysely";
import type { Sensitivity } from "../core/sensitivity.js";
import type { BaseTables } from "../platform/db/database.js";
import type { RegistryTables, ServerFilters } from "./types.js";

/** The registry's view of the database, or a transaction on it: every function accepts either. */
export type RegistryDb = Kysely<BaseTables & RegistryTables>;
export type ServerRow = RegistryTables["servers"];
export type ToolRow = RegistryTables["tools"];
export type HistoryRow = RegistryTables["tool_sensitivity_history"];

/** Row values for insert/update: jsonb columns travel as JSON text so both drivers cast them the same way. */
export type ServerValues = Omit<ServerRow, "args" | "metadata"> & { args: string; metadata: string };
export type ToolValues = Omit<ToolRow, "input_schema" | "annotations"> & { input_schema: string; annotations: string };

/** `%`, `_` and the escape character itself are literal in a search term. */
export function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function applyFilters<O>(
  q: SelectQueryBuilder<BaseTables & RegistryTables, "servers", O>,
  f: ServerFilters,
): SelectQueryBuilder<BaseTables & RegistryTables, "servers", O> {
  let out = q;
  if (f.status?.length) out = out.where("servers.status", "in", f.status);
  if (f.sensitivity?.length) out = out.where("servers.sensitivity_level", "in", f.sensitivity);
  if (f.team?.length) out = out.where("servers.team", "in", f.team);
  if (f.owner?.length) out = out.where("servers.owner_id", "in", f.owner);
  if (f.tag?.length) {
    const tags = f.tag;
    out = out.where(sql<boolean>`servers.tags && array[${sql.join(tags)}]::text[]`);
  }
  if (f.search) {
    const pattern = likePattern(f.search);
    out = out.where((eb) => eb.or([eb("servers.name", "ilike", pattern), eb("servers.description", "ilike", pattern)]));
  }
  return out;
}

/** One keyset page: rows after `afterId` in id (= creation) order, `limit` of them. */
export async function listServerRows(
  db: RegistryDb,
  filters: ServerFilters,
  afterId: string | undefined,
  limit: number,
): Promise<ServerRow[]> {
  let q = applyFilters(db.selectFrom("servers").selectAll("servers"), filters);
  if (afterId) q = q.where("servers.id", ">", afterId);
  return q.orderBy("servers.id").limit(limit).execute();
}

export async function countServerRows(db: RegistryDb, filters: ServerFilters): Promise<number> {
  const q = applyFilters(
    db.selectFrom("servers").select((eb) => eb.fn.countAll<string>().as("n")),
    filters,
  );
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findServerRow(db: RegistryDb, id: string): Promise<ServerRow | undefined> {
  return db.selectFrom("servers").selectAll().where("id", "=", id).executeTakeFirst();
}

/** By name, case-insensitively, as the unique index on lower(name) compares them. */
export async function findServerRowByName(db: RegistryDb, name: string): Promise<ServerRow | undefined> {
  return db
    .selectFrom("servers")
    .selectAll()
    .where((eb) => eb(eb.fn("lower", ["name"]), "=", name.toLowerCase()))
    .executeTakeFirst();
}

/**
 * A server and its tools (by name) in one round trip: the read path of `GET /servers/{id}`.
 * Tool timestamps arrive as text through json_agg; the mapping accepts both forms.
 */
export async function findServerWithTools(
  db: RegistryDb,
  id: string,
): Promise<{ row: ServerRow; tools: ToolRow[] } | undefined> {
  const found = await db
    .selectFrom("servers")
    .selectAll("servers")
    .select(
      sql<
        ToolRow[]
      >`coalesce((select json_agg(t order by t.name) from tools t where t.server_id = servers.id), '[]'::json)`.as(
        "tool_rows",
      ),
    )
    .where("id", "=", id)
    .executeTakeFirst();
  if (!found) return undefined;
  const { tool_rows: tools, ...row } = found;
  return { row, tools };
}

export async function insertServerRow(db: RegistryDb, values: ServerValues): Promise<ServerRow> {
  return db.insertInto("servers").values(values).returningAll().executeTakeFirstOrThrow();
}

export async function insertToolRows(db: RegistryDb, values: ToolValues[]): Promise<ToolRow[]> {
  if (values.length === 0) return [];
  const rows = await db.insertInto("tools").values(values).returningAll().execute();
  return rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export async function updateServerRow(
  db: RegistryDb,
  id: string,
  changes: Partial<ServerValues>,
  expectedUpdatedAt: Date,
): Promise<ServerRow | undefined> {
  return db
    .updateTable("servers")
    .set(changes)
    .where("id", "=", id)
    .where("updated_at", "=", expectedUpdatedAt)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteServerRow(db: RegistryDb, id: string): Promise<ServerRow | undefined> {
  return db.deleteFrom("servers").where("id", "=", id).returningAll().executeTakeFirst();
}

export async function toolRowsOf(db: RegistryDb, serverId: string): Promise<ToolRow[]> {
  return db.selectFrom("tools").selectAll().where("server_id", "=", serverId).orderBy("name").execute();
}

/** Tools of many servers at once (list pages and export batches), grouped by server id. */
export async function toolRowsOfMany(db: RegistryDb, serverIds: string[]): Promise<Map<string, ToolRow[]>> {
  const out = new Map<string, ToolRow[]>();
  if (serverIds.length === 0) return out;
  const rows = await db
    .selectFrom("tools")
    .selectAll()
    .where("server_id", "in", serverIds)
    .orderBy("server_id")
    .orderBy("name")
    .execute();
  for (const row of rows) out.set(row.server_id, [...(out.get(row.server_id) ?? []), row]);
  return out;
}

export async function toolCounts(db: RegistryDb, serverIds: string[]): Promise<Map<string, number>> {
  if (serverIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("tools")
    .select(["server_id", (eb) => eb.fn.countAll<string>().as("n")])
    .where("server_id", "in", serverIds)
    .groupBy("server_id")
    .execute();
  return new Map(rows.map((r) => [r.server_id, Number(r.n)]));
}

export async function findToolRow(db: RegistryDb, serverId: string, name: string): Promise<ToolRow | undefined> {
  return db
    .selectFrom("tools")
    .selectAll()
    .where("server_id", "=", serverId)
    .where("name", "=", name)
    .executeTakeFirst();
}

export async function setToolSensitivity(
  db: RegistryDb,
  toolId: string,
  level: Sensitivity,
  at: Date,
): Promise<ToolRow> {
  return db
    .updateTable("tools")
    .set({ sensitivity_level: level, sensitivity_source: "override", updated_at: at })
    .where("id", "=", toolId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertHistoryRow(db: RegistryDb, row: HistoryRow): Promise<void> {
  await db.insertInto("tool_sensitivity_history").values(row).execute();
}

/** Newest first, with the changer's username when the user still exists. */
export async function historyRows(db: RegistryDb, toolId: string) {
  return db
    .selectFrom("tool_sensitivity_history as h")
    .leftJoin("users as u", "u.id", "h.changed_by")
    .select([
      "h.id",
      "h.previous_level",
      "h.new_level",
      "h.reason",
      "h.changed_by",
      "h.changed_at",
      "u.username as changed_by_username",
    ])
    .where("h.tool_id", "=", toolId)
    .orderBy("h.changed_at", "desc")
    .orderBy("h.id", "desc")
    .execute();
}

/** PostgreSQL error class of a failed statement (same `code` on pg and PGlite). */
export function pgErrorCode(e: unknown): string | undefined {
  if (e && typeof e === "object" && "code" in e && typeof e.code === "string") return e.code;
  return undefined;
}

export const UNIQUE_VIOLATION = "23505";
export const FOREIGN_KEY_VIOLATION = "23503";
