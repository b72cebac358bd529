import type { AuditRecorder } from "../core/audit.js";
import type { Authorizer } from "../core/authorizer.js";
import type { ServerLookup } from "../core/lookups.js";
import type { Clock } from "../platform/clock.js";
import type { Database } from "../platform/db/database.js";
import type { Feature } from "../platform/feature.js";
import type { Logger } from "../platform/logger.js";
import { createBulkRegistration } from "./bulk.js";
import { createServerExport } from "./export.js";
import { createServerListing } from "./listing.js";
import { registryRoutes } from "./routes.js";
import { createServerCache } from "./server-cache.js";
import { createServerLookup } from "./server-lookup.js";
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

/**
 * The MCP server registry feature: `/api/v1/servers` and `/api/v1/tools` (docs/REGISTRY.md), its
 * services, and the server/tool lookup other features (the policy evaluate API) read it through.
 */
export function createRegistry(deps: RegistryDeps): {
  feature: Feature;
  service: RegistryService;
  serverLookup: ServerLookup;
} {
  const service = createRegistryService(deps);
  const today = () => new Date(deps.clock.now()).toISOString().slice(0, 10);
  return {
    service,
    serverLookup: createServerLookup(deps.database),
    feature: {
      name: "registry",
      routes: registryRoutes(service, today),
      start: () => service.cache.start(),
      stop: () => service.cache.stop(),
    },
  };
}
