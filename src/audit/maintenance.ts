import type { Clock } from "../platform/clock.js";
import type { AuditConfig } from "../platform/config/audit.js";
import type { Database, RawTransaction } from "../platform/db/database.js";
import type { Logger } from "../platform/logger.js";
import { bridgeHmac, parseBridge, type RetentionBridge } from "./anchors.js";
import { buildEvent } from "./event.js";
import { insertOutboxEventRaw } from "./outbox.js";
import { auditEventId } from "./uuid.js";

export interface MaintenanceDeps {
  config: Pick<AuditConfig, "retentionDays" | "partitionsAheadDays" | "compressAfterDays" | "maintenanceIntervalMs">;
  database: Database;
  logger: Logger;
  clock: Clock;
  /** Signs the retention markers (AUDIT_CHECKPOINT_KEY). */
  checkpointKey: string;
}

export interface MaintenanceResult {
  /** False when another replica held the maintenance lock: nothing was done here. */
  ran: boolean;
  storage: "partitioned" | "timescaledb";
  created: string[];
  dropped: string[];
  /** Rows deleted from the DEFAULT partition because they are older than the retention. */
  purgedDefault: boolean;
  /** The runs of chain rows removed, each recorded as a signed retention marker. */
  bridges: RetentionBridge[];
}

const LOCK_NAME = "audit-maintenance";

/**
 * Runs partition maintenance once, under the cluster-wide lock: creates daily partitions up to
 * `partitionsAheadDays` ahead of `now`, drops those wholly older than `retentionDays`. On a
 * TimescaleDB hypertable it re-applies the compression and retention policies from config instead.
 */
export async function runAuditMaintenance(deps: MaintenanceDeps, now = deps.clock.now()): Promise<MaintenanceResult> {
  const lock = await deps.database.locks.tryAcquire(LOCK_NAME);
  if (!lock) return { ran: false, storage: "partitioned", created: [], dropped: [], purgedDefault: false, bridges: [] };
  try {
    return await maintainUnderLock(deps, now);
  } finally {
    await lock.release();
  }
}

/**
 * What retention removed, made provable, in the transaction that removed it: each run of removed
 * chain rows becomes a signed marker (so verify can bridge exactly that gap and no other), and the
 * removal itself is recorded as an `audit.retention_applied` event through the outbox, so the drop
 * and its event commit together.
 */
async function recordRemoval(
  tx: RawTransaction,
  deps: MaintenanceDeps,
  result: Omit<MaintenanceResult, "ran" | "storage" | "created">,
): Promise<void> {
  const createdAt = new Date(deps.clock.now()).toISOString();
  for (const b of result.bridges) {
    await tx.query(
      `insert into audit_retention_markers (first_seq, last_seq, from_hash, to_hash, created_at, hmac)
       values ($1, $2, $3, $4, $5::timestamptz, $6)`,
      [b.first_seq, b.last_seq, b.from_hash, b.to_hash, createdAt, bridgeHmac(deps.checkpointKey, b)],
    );
  }
  const event = {
    event_type: "audit.retention_applied",
    severity: "medium" as const,
    outcome: "success" as const,
    actor: { username: "system" },
    action: "audit:maintain",
    resource: { type: "audit_events" },
    details: {
      dropped_partitions: result.dropped,
      purged_default: result.purgedDefault,
      retention_days: deps.config.retentionDays,
      removed_runs: result.bridges.map((b) => ({ first_seq: b.first_seq, last_seq: b.last_seq, to_hash: b.to_hash })),
    },
  };
  await insertOutboxEventRaw(tx, buildEvent(event, auditEventId(), deps.clock.now()));
}

async function maintainUnderLock(deps: MaintenanceDeps, now: number): Promise<MaintenanceResult> {
  const { database, config } = deps;
  if (await isHypertable(database)) {
    await syncTimescalePolicies(database, config);
    return { ran: true, storage: "timescaledb", created: [], dropped: [], purgedDefault: false, bridges: [] };
  }
  return database.rawTransaction(async (tx) => {
    const rows = await tx.query<{ action: string; partition_name: string }>(
      "select action, partition_name from audit_maintain_partitions($1::timestamptz, $2, $3)",
      [new Date(now).toISOString(), config.retentionDays, config.partitionsAheadDays],
    );
    const pick = (action: string) => rows.filter((r) => r.action === action).map((r) => r.partition_name);
    const bridges = pick("bridge").map((text) => {
      const run = parseBridge(text);
      // Unparseable means hashes that are not SHA-256 hex: the chain was edited. Roll the whole
      // run back rather than remove rows that could then never be proven.
      if (!run) throw new Error(`audit retention found a malformed chain run (${text}); nothing was removed`);
      return run;
    });
    const removal = { dropped: pick("dropped"), purgedDefault: pick("purged_default").length > 0, bridges };
    if (removal.dropped.length > 0 || removal.purgedDefault) await recordRemoval(tx, deps, removal);
    return { ran: true, storage: "partitioned" as const, created: pick("created"), ...removal };
  });
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
