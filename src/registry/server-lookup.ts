import type { ServerLookup } from "../core/lookups.js";
import type { Database } from "../platform/db/database.js";
import { policyServer, policyTool } from "./mapping.js";
import { findServerRow, findServerRowByName, findToolRow } from "./repository.js";
import type { RegistryTables } from "./types.js";

/**
 * Registered servers and tools as `input.server` / `input.tool` documents, read from the database
 * rather than the replica's server cache: the evaluate API answers "what would policy decide now",
 * and an admin who just raised a tool's sensitivity through another replica must
 * not get a decision for the old level, which the cache may serve for up to one
 * REGISTRY_CACHE_REFRESH_MS. Evaluating by reference is rare next to inline documents, so the
 * round trip costs little.
 */
export function createServerLookup(database: Database): ServerLookup {
  const db = database.db.withTables<RegistryTables>();
  return {
    async findServer(id) {
      const row = await findServerRow(db, id);
      return row ? policyServer(row) : null;
    },
    async findServerByName(name) {
      const row = await findServerRowByName(db, name);
      return row ? policyServer(row) : null;
    },
    async findTool(serverId, toolName) {
      const row = await findToolRow(db, serverId, toolName);
      return row ? policyTool(row) : null;
    },
  };
}
