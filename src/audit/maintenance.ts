import type { Clock } from "../platform/clock.js";
import type { AuditConfig } from "../platform/config.js";
import type { Database } from "../platform/db/database.js";
import type { Logger } from "../platform/logger.js";
import type { AuditRecorder } from "./types.js";

export interface MaintenanceDeps {
  config: Pick<AuditConfig, "retentionDays" | "partitionsAheadDays" | "compressAfterDays" | "maintenanceIntervalMs">;
  database: Database;
  logger: Logger;
  clock: Clock;
  /** Records that retention removed audit data (itself a security-relevant act). */
  audit?: AuditRecorder;
}

export interface MaintenanceResult {
  /** False when another replica held the maintenance lock: nothing was done here. */
  ran: boolean;
  storage: "partitioned" | "timescaledb";
  created: string[];
  dropped: string[];
  /** Rows deleted from the DEFAULT partition because they are older than the retention. */
  purgedDefault: boolean;
}

const LOCK_NAME = "audit-maintenance";

/**
 * Runs partition maintenance once, under the cluster-wide lock: creates daily partitions up to
 * `partitionsAheadDays` ahead of `now`, drops those wholly older than `retentionDays`. On a
 * TimescaleDB hypertable it re-applies the compression and retention policies from config instead.
 */
export async function runAuditMaintenance(deps: MaintenanceDeps, now = deps.clock.now()): Promise<MaintenanceResult> {
  const lock = await deps.database.locks.tryAcquire(LOCK_NAME);
  if (!lock) return { ran: false, storage: "partitioned", created: [], dropped: [], purgedDefault: false };
  let result: MaintenanceResult;
  try {
    result = await maintainUnderLock(deps, now);
  } finally {
    await lock.release();
  }
  if (deps.audit && (result.dropped.length > 0 || result.purgedDefault)) {
    await deps.audit.record({
      event_type: "audit.retention_applied",
      severity: "medium",
      outcome: "success",
      actor: { username: "system" },
      action: "audit:maintain",
      resource: { type: "audit_events" },
      details: {
        dropped_partitions: result.dropped,
        purged_default: result.purgedDefault,
        retention_days: deps.config.retentionDays,
      },
    });
  }
  return result;
}

async function maintainUnderLock(deps: MaintenanceDeps, now: number): Promise<MaintenanceResult> {
  const { database, config } = deps;
  if (await isHypertable(database)) {
    await syncTimescalePolicies(database, config);
    return { ran: true, storage: "timescaledb", created: [], dropped: [], purgedDefault: false };
  }
  const rows = await database.rawTransaction((tx) =>
    tx.query<{ action: string; partition_name: string }>(
      "select action, partition_name from audit_maintain_partitions($1::timestamptz, $2, $3)",
      [new Date(now).toISOString(), config.retentionDays, config.partitionsAheadDays],
    ),
  );
  const pick = (action: string) => rows.filter((r) => r.action === action).map((r) => r.partition_name);
  return {
    ran: true,
    storage: "partitioned",
    created: pick("created"),
    dropped: pick("dropped"),
    purgedDefault: pick("purged_default").length > 0,
  };
}

async function isHypertable(database: Database): Promise<boolean> {
  const rows = await database.rawTransaction((tx) =>
    tx.query<{ partitioned: boolean }>(
      "select exists (select 1 from pg_partitioned_table where partrelid = 'audit_events'::regclass) as partitioned",
    ),
  );
  return rows[0]?.partitioned === false;
}

/** Replaces the policies when their interval differs from config (policies are jobs: avoid churn). */
async function syncTimescalePolicies(database: Database, config: MaintenanceDeps["config"]): Promise<void> {
  await database.rawTransaction(async (tx) => {
    const jobs = await tx.query<{ proc_name: string; config: Record<string, unknown> }>(
      `select proc_name, config from timescaledb_information.jobs
       where hypertable_name = 'audit_events' and hypertable_schema = current_schema()`,
    );
    const current = (proc: string, key: string) => String(jobs.find((j) => j.proc_name === proc)?.config?.[key] ?? "");
    if (current("policy_compression", "compress_after") !== `${config.compressAfterDays} days`) {
      await tx.query("select remove_compression_policy('audit_events', if_exists => true)");
      await tx.query("select add_compression_policy('audit_events', make_interval(days => $1))", [
        config.compressAfterDays,
      ]);
    }
    if (current("policy_retention", "drop_after") !== `${config.retentionDays} days`) {
      await tx.query("select remove_retention_policy('audit_events', if_exists => true)");
      await tx.query("select add_retention_policy('audit_events', make_interval(days => $1))", [config.retentionDays]);
    }
  });
}

/** Runs maintenance at start and then every `maintenanceIntervalMs`; failures are logged and retried. */
export function createMaintenanceJob(deps: MaintenanceDeps) {
  let timer: NodeJS.Timeout | undefined;
  let lastRunAt: number | undefined;
  let lastError: string | undefined;

  async function runLogged(): Promise<void> {
    try {
      const result = await runAuditMaintenance(deps);
      lastError = undefined;
      if (result.ran) lastRunAt = deps.clock.now();
      if (result.created.length > 0 || result.dropped.length > 0) {
        deps.logger.info({ created: result.created, dropped: result.dropped }, "audit partitions maintained");
      }
    } catch (e) {
      lastError = e instanceof Error ? e.message : String(e);
      deps.logger.error({ err: e }, "audit partition maintenance failed; retrying at the next interval");
    }
  }

  return {
    async start(): Promise<void> {
      await runLogged();
      timer = setInterval(() => void runLogged(), deps.config.maintenanceIntervalMs);
      timer.unref();
    },
    stop(): void {
      if (timer) clearInterval(timer);
    },
    status: () => ({
      last_maintenance_at: lastRunAt === undefined ? null : new Date(lastRunAt).toISOString(),
      maintenance_error: lastError ?? null,
    }),
  };
}
