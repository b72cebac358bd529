import { type Env, EnvReader } from "./parsers.js";

export interface AuditConfig {
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly bufferMax: number;
  readonly retentionDays: number;
  readonly compressAfterDays: number;
  readonly partitionsAheadDays: number;
  readonly maintenanceIntervalMs: number;
  /**
   * HMAC key that signs audit checkpoints and retention markers (AUDIT_CHECKPOINT_KEY). Required in
   * production; in development SARK derives one from the JWT secret (src/context.ts).
   */
  readonly checkpointKey: string | undefined;
}

/** Reads the audit writer, partition maintenance and checkpoint key settings. */
export function readAuditConfig(env: Env, problems: string[]): AuditConfig {
  const r = new EnvReader(env, problems);
  return {
    batchSize: r.int("AUDIT_BATCH_SIZE", 500, 1, 10_000),
    flushIntervalMs: r.int("AUDIT_FLUSH_INTERVAL_MS", 200, 1, 60_000),
    bufferMax: r.int("AUDIT_BUFFER_MAX", 20_000, 1, 10_000_000),
    retentionDays: r.int("AUDIT_RETENTION_DAYS", 90, 1, 36_500),
    compressAfterDays: r.int("AUDIT_COMPRESS_AFTER_DAYS", 7, 1, 36_500),
    partitionsAheadDays: r.int("AUDIT_PARTITIONS_AHEAD_DAYS", 3, 3, 365),
    maintenanceIntervalMs: r.int("AUDIT_MAINTENANCE_INTERVAL_MS", 3_600_000, 1000, 86_400_000),
    checkpointKey: r.optional("AUDIT_CHECKPOINT_KEY"),
  };
}
