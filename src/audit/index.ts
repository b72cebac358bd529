import type { Clock } from "../platform/clock.js";
import type { AuditConfig } from "../platform/config.js";
import type { Database } from "../platform/db/database.js";
import type { Feature } from "../platform/feature.js";
import type { Logger } from "../platform/logger.js";
import type { Metrics } from "../platform/metrics.js";
import type { AuditRecorder } from "./types.js";
import { createAuditWriter } from "./writer.js";

export interface AuditDeps {
  config: AuditConfig;
  database: Database;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
}

export interface AuditModule {
  recorder: AuditRecorder;
  feature: Feature;
  /** Writes everything buffered; called on shutdown and by tests. */
  flush(): Promise<void>;
}

export function createAudit(deps: AuditDeps): AuditModule {
  const writer = createAuditWriter(deps);
  return {
    recorder: writer,
    flush: () => writer.flush(),
    feature: {
      name: "audit",
      start: async () => writer.start(),
      stop: () => writer.stop(),
      health: async () => writer.health(),
    },
  };
}
