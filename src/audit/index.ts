import type { Clock } from "../platform/clock.js";
import type { AuditConfig } from "../platform/config.js";
import type { Database } from "../platform/db/database.js";
import type { Feature } from "../platform/feature.js";
import type { Logger } from "../platform/logger.js";
import type { Metrics } from "../platform/metrics.js";
import type { Authorizer } from "../policy/authorizer.js";
import { createMaintenanceJob, type MaintenanceResult, runAuditMaintenance } from "./maintenance.js";
import { createAuditQueries } from "./query-service.js";
import { auditRoutes } from "./routes.js";
import { createLiveStream } from "./stream.js";
import type { AuditRecorder } from "./types.js";
import { type VerifyOptions, type VerifyResult, verifyChain } from "./verify.js";
import { createAuditWriter } from "./writer.js";

export interface AuditDeps {
  config: AuditConfig;
  database: Database;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  /**
   * The authorizer for the audit API. A getter because the policy feature records its decisions
   * through this module's recorder, so it is built after it (resolved when a request arrives).
   */
  authorizer?: () => Authorizer;
}

export interface AuditModule {
  recorder: AuditRecorder;
  feature: Feature;
  /** Writes everything buffered; called on shutdown and by tests. */
  flush(): Promise<void>;
  /** One partition-maintenance run at `now` (default: the clock), under the cluster lock. */
  runMaintenance(now?: number): Promise<MaintenanceResult>;
  /** Recomputes the hash chain (see docs/AUDIT.md). */
  verify(options?: VerifyOptions): Promise<VerifyResult>;
}

/** Poll for events committed by other replicas on the live stream; local commits wake it at once. */
const STREAM_POLL_MS = 1000;
const STREAM_HEARTBEAT_MS = 15_000;

export function createAudit(deps: AuditDeps): AuditModule {
  const { database, clock } = deps;
  const writer = createAuditWriter(deps);
  const maintenanceDeps = { ...deps, audit: writer };
  const maintenance = createMaintenanceJob(maintenanceDeps);
  const queries = createAuditQueries({ db: database.db, audit: writer, clock });
  const stream = createLiveStream({
    db: database.db,
    logger: deps.logger,
    onCommitted: (l) => writer.onCommitted(l),
    pollMs: STREAM_POLL_MS,
    heartbeatMs: STREAM_HEARTBEAT_MS,
  });
  const { authorizer } = deps;
  return {
    recorder: writer,
    flush: () => writer.flush(),
    runMaintenance: (now) => runAuditMaintenance(maintenanceDeps, now),
    verify: (options) => verifyChain(database, options),
    feature: {
      name: "audit",
      ...(authorizer ? { routes: auditRoutes({ queries, stream, authorizer }) } : {}),
      async start() {
        writer.start();
        await maintenance.start();
      },
      async stop() {
        maintenance.stop();
        stream.closeAll();
        await writer.stop();
      },
      health: async () => {
        const w = writer.health();
        const m = maintenance.status();
        return { ...w, ...m, stream_clients: stream.clients, status: m.maintenance_error ? "degraded" : w.status };
      },
    },
  };
}
