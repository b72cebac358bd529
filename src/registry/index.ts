import type { ServerLookup } from "../core/lookups.js";
import type { Feature } from "../platform/feature.js";
import { createRegistryService, type RegistryDeps, type RegistryService } from "./registry-services.js";
import { registryRoutes } from "./routes.js";
import { createServerLookup } from "./server-lookup.js";

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
