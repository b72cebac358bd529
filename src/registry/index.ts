import type { AuditRecorder } from "../audit/types.js";
import type { Clock } from "../platform/clock.js";
import type { Database } from "../platform/db/database.js";
import type { Feature } from "../platform/feature.js";
import type { Authorizer } from "../policy/authorizer.js";

export interface RegistryDeps {
  database: Database;
  audit: AuditRecorder;
  authorizer: Authorizer;
  clock: Clock;
}

export function createRegistry(_deps: RegistryDeps): { feature: Feature } {
  return { feature: { name: "registry" } };
}
