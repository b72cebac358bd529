import { Readable } from "node:stream";
import { ACTIONS } from "../core/actions.js";
import type { Caller } from "../core/caller.js";
import { csvRow } from "./csv.js";
import { type FilterQuery, parseFilters } from "./listing.js";
import { toServer } from "./mapping.js";
import { listServerRows, type ServerRow, toolCounts, toolRowsOfMany } from "./repository.js";
import type { RegistryCore } from "./service.js";
import type { Server, ServerFilters } from "./types.js";

export type ExportFormat = "csv" | "json";

/** Rows read per query: memory stays bounded by one batch however large the registry is. */
export const EXPORT_BATCH = 200;

export const CSV_COLUMNS = [
  "id",
  "name",
  "description",
  "transport",
  "endpoint",
  "command",
  "args",
  "env",
  "sensitivity_level",
  "status",
  "owner_id",
  "team",
  "tags",
  "metadata",
  "tool_count",
  "created_at",
  "updated_at",
] as const;

function csvValues(s: Server): Array<string | number | null> {
  return [
    s.id,
    s.name,
    s.description,
    s.transport,
    s.endpoint,
    s.command,
    JSON.stringify(s.args),
    JSON.stringify(s.env),
    s.sensitivity_level,
    s.status,
    s.owner_id,
    s.team,
    JSON.stringify(s.tags),
    JSON.stringify(s.metadata),
    s.tool_count,
    s.created_at,
    s.updated_at,
  ];
}

/**
 * Streams every matching server in keyset batches. CSV has one row per server (arrays and objects
 * as JSON text in their cell); JSON is one array of full servers with their tools.
 */
export function createServerExport(core: RegistryCore, batchSize = EXPORT_BATCH) {
  async function* batches(filters: ServerFilters): AsyncGenerator<ServerRow[]> {
    let after: string | undefined;
    for (;;) {
      const rows = await listServerRows(core.db, filters, after, batchSize);
      if (rows.length > 0) yield rows;
      const last = rows.at(-1);
      if (rows.length < batchSize || !last) return;
      after = last.id;
    }
  }

  async function* csv(filters: ServerFilters): AsyncGenerator<string> {
    yield csvRow(CSV_COLUMNS);
    for await (const rows of batches(filters)) {
      const counts = await toolCounts(
        core.db,
        rows.map((r) => r.id),
      );
      yield rows.map((r) => csvRow(csvValues(toServer(r, counts.get(r.id) ?? 0)))).join("");
    }
  }

  async function* json(filters: ServerFilters): AsyncGenerator<string> {
    let first = true;
    yield "[";
    for await (const rows of batches(filters)) {
      const tools = await toolRowsOfMany(
        core.db,
        rows.map((r) => r.id),
      );
      const items = rows.map((r) => JSON.stringify(toServer(r, 0, tools.get(r.id) ?? [])));
      yield `${first ? "\n" : ",\n"}${items.join(",\n")}`;
      first = false;
    }
    yield "\n]\n";
  }

  /** Checks access and filters up front (so errors get a proper status), then returns the stream. */
  async function open(caller: Caller, format: ExportFormat, query: FilterQuery): Promise<Readable> {
    await core.authorize(caller, ACTIONS.serverRead);
    const filters = parseFilters(query, caller.principal);
    return Readable.from(format === "csv" ? csv(filters) : json(filters));
  }

  return { open };
}
