import type { AuditRecorder } from "../core/audit.js";
import type { Authorizer } from "../core/authorizer.js";
import type { Clock } from "../platform/clock.js";
import type { AuditConfig } from "../platform/config/audit.js";
import type { Database } from "../platform/db/database.js";
import type { Feature } from "../platform/feature.js";
import type { Logger } from "../platform/logger.js";
import type { Metrics } from "../platform/metrics.js";
import type { Checkpoint } from "./anchors.js";
import { createCheckpointJob, writeCheckpoint } from "./checkpoint.js";
import { createMaintenanceJob, type MaintenanceResult, runAuditMaintenance } from "./maintenance.js";
import { createAuditQueries } from "./query-service.js";
import { auditRoutes } from "./routes.js";
import { createLiveStream } from "./stream.js";
import { type VerifyOptions, type VerifyResult, verifyChain } from "./verify.js";
import { createAuditWriter } from "./writer.js";

export interface AuditDeps {
  config: AuditConfig;
  database: Database;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  /** Signs checkpoints and retention markers: AUDIT_CHECKPOINT_KEY, or derived in development. */
  checkpointKey: string;
  /** How often the chain head is checkpointed (default CHECKPOINT_INTERVAL_MS). */
  checkpointIntervalMs?: number;
}

export interface AuditModule {
  recorder: AuditRecorder;
  /**
   * The running feature, its API guarded by `authorizer`. Passed in here rather than in the deps
   * because the policy feature, which provides it, records its decisions through `recorder`.
   */
  feature(authorizer: Authorizer): Feature;
  /** Writes everything buffered; called on shutdown and by tests. */
  flush(): Promise<void>;
  /** One partition-maintenance run at `now` (default: the clock), under the cluster lock. */
  runMaintenance(now?: number): Promise<MaintenanceResult>;
  /** Recomputes the hash chain and checks it against the signed anchors (see docs/AUDIT.md). */
  verify(options?: VerifyOptions): Promise<VerifyResult>;
  /** Signs the current chain head now (also done every `checkpointIntervalMs`). */
  checkpoint(): Promise<Checkpoint | undefined>;
}

/** Poll for events committed by other replicas on the live stream; local commits wake it at once. */
const STREAM_POLL_MS = 1000;
const STREAM_HEARTBEAT_MS = 15_000;
/** Rows written after the last checkpoint are the window in which tail truncation goes unnoticed. */
export const CHECKPOINT_INTERVAL_MS = 60_000;

export function createAudit(deps: AuditDeps): AuditModule {
  const { database, clock } = deps;
  const writer = createAuditWriter(deps);
  const maintenance = createMaintenanceJob(deps);
  const checkpointDeps = { ...deps, audit: writer, intervalMs: deps.checkpointIntervalMs ?? CHECKPOINT_INTERVAL_MS };
  const checkpoints = createCheckpointJob(checkpointDeps);
  const queries = createAuditQueries({ db: database.db, audit: writer, clock });
  const stream = createLiveStream({
    db: database.db,
    logger: deps.logger,
    onCommitted: (l) => writer.onCommitted(l),
    pollMs: STREAM_POLL_MS,
    heartbeatMs: STREAM_HEARTBEAT_MS,
  });
  return {
    recorder: writer,
    flush: () => writer.flush(),
    runMaintenance: (now) => runAuditMaintenance(deps, now),
    verify: (options) => verifyChain(database, deps.checkpointKey, options),
    checkpoint: () => writeCheckpoint(checkpointDeps),
    feature: (authorizer) => ({
      name: "audit",
      routes: auditRoutes({ queries, stream, authorizer }),
      async start() {
        writer.start();
        await maintenance.start();
        checkpoints.start();
      },
      async stop() {
        maintenance.stop();
        checkpoints.stop();
        stream.closeAll();
        await writer.stop();
      },
      health: async () => {
        const w = writer.health();
        const m = maintenance.status();
        const c = checkpoints.status();
        const status = m.maintenance_error || c.checkpoint_error ? "degraded" : w.status;
        return { ...w, ...m, ...c, stream_clients: stream.clients, status };
      },
    }),
  };
}
