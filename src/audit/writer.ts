import { createHash } from "node:crypto";
import { v7 as uuidv7 } from "uuid";
import type { ComponentHealth } from "../platform/feature.js";
import type { AuditDeps } from "./index.js";
import type { AuditEventInput } from "./types.js";

interface AuditRow {
  id: string;
  timestamp: Date;
  event_type: string;
  severity: string;
  outcome: string;
  actor: string;
  action: string | null;
  resource: string | null;
  decision: string | null;
  request_id: string | null;
  details: string;
  hash: string;
  prev_hash: string;
}

/**
 * Batched audit writer (interim: the audit feature owns hash-chain canonicalisation, redaction and
 * partitioning). `record` buffers and waits when the buffer is full instead of dropping.
 */
export function createAuditWriter(deps: AuditDeps) {
  const { config, database, logger, clock } = deps;
  const db = database.db.withTables<{ audit_events: AuditRow }>();
  let buffer: AuditRow[] = [];
  let prevHash = "0".repeat(64);
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;
  let lastError: string | undefined;
  const waiters: Array<() => void> = [];

  function toRow(e: AuditEventInput): AuditRow {
    const row = {
      id: uuidv7(),
      timestamp: new Date(clock.now()),
      event_type: e.event_type,
      severity: e.severity ?? "low",
      outcome: e.outcome,
      actor: JSON.stringify(e.actor ?? {}),
      action: e.action ?? null,
      resource: e.resource ? JSON.stringify(e.resource) : null,
      decision: e.decision ? JSON.stringify(e.decision) : null,
      request_id: e.request_id ?? null,
      details: JSON.stringify(e.details ?? {}),
      prev_hash: prevHash,
      hash: "",
    };
    row.hash = createHash("sha256").update(prevHash).update(JSON.stringify(row)).digest("hex");
    prevHash = row.hash;
    return row;
  }

  async function writeBatch(): Promise<void> {
    while (buffer.length > 0) {
      const batch = buffer.slice(0, config.batchSize);
      try {
        await db.insertInto("audit_events").values(batch).execute();
        buffer = buffer.slice(batch.length);
        lastError = undefined;
        while (waiters.length > 0 && buffer.length < config.bufferMax) waiters.shift()?.();
      } catch (e) {
        lastError = e instanceof Error ? e.message : String(e);
        logger.error({ err: e }, "audit flush failed; will retry");
        throw e;
      }
    }
  }

  function flush(): Promise<void> {
    if (!flushing) {
      flushing = writeBatch().finally(() => {
        flushing = undefined;
      });
    }
    return flushing;
  }

  return {
    async record(event: AuditEventInput): Promise<void> {
      while (buffer.length >= config.bufferMax) {
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
      buffer.push(toRow(event));
      if (buffer.length >= config.batchSize) void flush().catch(() => {});
    },
    flush,
    start() {
      timer = setInterval(() => void flush().catch(() => {}), config.flushIntervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await flush();
    },
    health(): ComponentHealth {
      return {
        status: lastError ? "degraded" : "healthy",
        buffered: buffer.length,
        ...(lastError ? { error: lastError } : {}),
      };
    },
  };
}
