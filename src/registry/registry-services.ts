import type { AuditRecorder } from "../core/audit.js";
import type { Authorizer } from "../core/authorizer.js";
import type { Clock } from "../platform/clock.js";
import type { Database } from "../platform/db/database.js";
import type { Logger } from "../platform/logger.js";
import { createBulkRegistration } from "./bulk.js";
import { createServerExport } from "./export.js";
import { createServerListing } from "./listing.js";
import { createServerCache } from "./server-cache.js";
import { createRegistryCore, createServerCrud } from "./service.js";
import { createToolService } from "./tools.js";

export interface RegistryDeps {
  database: Database;
  audit: AuditRecorder;
  authorizer: Authorizer;
  clock: Clock;
  logger: Logger;
  /** REGISTRY_CACHE_REFRESH_MS: see server-cache.ts. */
  cacheRefreshMs: number;
}

/** Builds the registry's services from its deps. */
export function createRegistryService(deps: RegistryDeps) {
  const core = createRegistryCore(deps);
  const cache = createServerCache({ db: core.db, refreshMs: deps.cacheRefreshMs, logger: deps.logger });
  const crud = createServerCrud(core, deps.audit, cache);
  return {
    cache,
    crud,
    listing: createServerListing(core),
    tools: createToolService(core, deps.audit, crud.load),
    bulk: createBulkRegistration(core, deps.audit),
    exporter: createServerExport(core),
  };
}

export type RegistryService = ReturnType<typeof createRegistryService>;
