import type { AuditEventInput, AuditRecorder } from "../core/audit.js";
import type { Clock } from "../platform/clock.js";
import type { AuditConfig } from "../platform/config/audit.js";
import type { Database } from "../platform/db/database.js";
import type { ComponentHealth } from "../platform/feature.js";
import type { Logger } from "../platform/logger.js";
import type { Metrics } from "../platform/metrics.js";
import { appendBatch } from "./chain-append.js";
import { type EncodedEvent, encodeEvent } from "./encoding.js";
import { buildEvent } from "./event.js";
import { insertOutboxEvent } from "./outbox.js";
import { auditEventId } from "./uuid.js";

export interface AuditWriterDeps {
  config: Pick<AuditConfig, "batchSize" | "flushIntervalMs" | "bufferMax">;
  database: Database;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
}

export interface AuditWriter extends AuditRecorder {
  /** Writes everything buffered (and queued behind back-pressure); rejects if a write fails. */
  flush(): Promise<void>;
  start(): void;
  /** Stops the timer and flushes, retrying a few times before giving up loudly. */
  stop(): Promise<void>;
  health(): ComponentHealth;
  /** Called after each committed batch (the live stream wakes up on it). */
  onCommitted(listener: () => void): () => void;
}

const ignore = (): void => {};

/** Upper bound of the retry backoff after failed flushes. */
const MAX_BACKOFF_MS = 5_000;
const STOP_ATTEMPTS = 6;
/**
 * After a local outbox write, each timer tick reads the outbox for this long (the writing
 * transaction commits after `recordInTransaction` returns). Beyond that the outbox is swept every
 * OUTBOX_SWEEP_MS for rows other replicas or a crashed process left.
 */
const OUTBOX_HOT_MS = 2_000;
const OUTBOX_SWEEP_MS = 5_000;

/** The writer's Prometheus series; the buffer gauge is read at scrape time. */
function writerMetrics(metrics: Metrics, buffered: () => number) {
  metrics.gauge({
    name: "sark_audit_buffer_events",
    help: "Audit events buffered in memory, including producers waiting on back-pressure",
    collect: (gauge) => gauge.set(buffered()),
  });
  return {
    written: metrics.counter({
      name: "sark_audit_events_written_total",
      help: "Audit events committed to the audit store",
    }),
    writeFailures: metrics.counter({
      name: "sark_audit_write_failures_total",
      help: "Failed audit batch writes (the batch is kept and retried)",
    }),
  };
}

/**
 * What health shows about a failed write. `/health/detailed` is unauthenticated, so it gets the
 * SQLSTATE (enough to tell "connection refused" from "relation missing"), never driver text; the
 * full error goes to the log.
 */
function describeFailure(e: unknown): string {
  const code = e && typeof e === "object" && "code" in e ? String((e as { code: unknown }).code) : undefined;
  return code ? `audit batch write failed (${code})` : "audit batch write failed";
}

/** Flushes, retrying with backoff a few times (shutdown: the database may be restarting too). */
async function flushWithRetries(flush: () => Promise<void>, onGiveUp: (e: unknown) => void): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await flush();
      return;
    } catch (e) {
      if (attempt >= STOP_ATTEMPTS) {
        onGiveUp(e);
        throw e;
      }
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
  }
}

/**
 * Batched, bounded, lossless audit writer. `record` redacts and buffers; when the buffer holds
 * `bufferMax` events producers queue (FIFO) until a flush makes room — back-pressure, never a drop.
 * A failed flush keeps its batch at the head of the buffer and is retried with backoff; the error
 * shows in health and metrics until a flush succeeds.
 */
export function createAuditWriter(deps: AuditWriterDeps): AuditWriter {
  const { config, database, logger, clock } = deps;
  // Events are redacted and encoded once, at record time (see appendBatch).
  const buffer: EncodedEvent[] = [];
  const waiting: Array<{ event: EncodedEvent; resolve: () => void }> = [];
  const listeners = new Set<() => void>();
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let failures = 0;
  let lastError: string | undefined;
  let lastErrorAt: number | undefined;
  let lastFlushAt: number | undefined;
  // Read the outbox in the next drain: at start (rows a crash left), after local outbox writes,
  // on flush, and every OUTBOX_SWEEP_MS (rows other replicas left).
  let outboxWanted = true;
  let outboxHotUntil = 0;
  let lastSweepAt = Date.now();

  const { written, writeFailures } = writerMetrics(deps.metrics, () => buffer.length + waiting.length);

  /** Moves queued producers into freed buffer space, oldest first. */
  function admitWaiting(): void {
    while (waiting.length > 0 && buffer.length < config.bufferMax) {
      const next = waiting.shift();
      if (!next) break;
      buffer.push(next.event);
      next.resolve();
    }
  }

  async function drain(): Promise<void> {
    while (buffer.length > 0 || outboxWanted) {
      const batch = buffer.slice(0, config.batchSize);
      const outboxLimit = outboxWanted ? config.batchSize : 0;
      outboxWanted = false;
      let fromOutbox = 0;
      try {
        fromOutbox = await database.rawTransaction((tx) => appendBatch(tx, batch, outboxLimit, failures > 0));
      } catch (e) {
        if (outboxLimit > 0) outboxWanted = true;
        failures += 1;
        lastError = describeFailure(e);
        lastErrorAt = clock.now();
        writeFailures.inc();
        logger.error({ err: e, buffered: buffer.length }, "audit flush failed; the batch is kept and retried");
        throw e;
      }
      // A full outbox batch: more rows may be waiting.
      if (outboxLimit > 0 && fromOutbox >= outboxLimit) outboxWanted = true;
      buffer.splice(0, batch.length);
      written.inc(batch.length + fromOutbox);
      failures = 0;
      lastError = undefined;
      lastFlushAt = clock.now();
      admitWaiting();
      if (batch.length + fromOutbox > 0) for (const l of listeners) l();
    }
  }

  function drainOnce(): Promise<void> {
    inFlight ??= drain().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  async function flush(): Promise<void> {
    outboxWanted = true;
    while (buffer.length > 0 || waiting.length > 0 || inFlight || outboxWanted) {
      await drainOnce();
    }
  }

  function schedule(): void {
    if (!running) return;
    const delay =
      failures === 0 ? config.flushIntervalMs : Math.min(config.flushIntervalMs * 2 ** failures, MAX_BACKOFF_MS);
    timer = setTimeout(() => {
      const now = Date.now();
      if (now < outboxHotUntil || now - lastSweepAt >= OUTBOX_SWEEP_MS) {
        outboxWanted = true;
        lastSweepAt = now;
      }
      const work = buffer.length > 0 || outboxWanted ? drainOnce() : Promise.resolve();
      void work.catch(ignore).finally(schedule);
    }, delay);
    timer.unref();
  }

  return {
    async record(input: AuditEventInput): Promise<void> {
      const event = encodeEvent(buildEvent(input, auditEventId(), clock.now()));
      if (waiting.length > 0 || buffer.length >= config.bufferMax) {
        await new Promise<void>((resolve) => waiting.push({ event, resolve }));
      } else {
        buffer.push(event);
      }
      // A full batch goes out now, unless writes are failing (the backoff timer paces retries then)
      // or a drain is running: it loops until the buffer is empty, so it takes this event too.
      // Attaching to the running drain instead would keep every event recorded meanwhile reachable
      // from that drain's promise, and under steady load a drain never ends: memory grew by every
      // event until the load stopped.
      if (buffer.length >= config.batchSize && failures === 0 && !inFlight) void drainOnce().catch(ignore);
    },
    async recordInTransaction(tx, input) {
      await insertOutboxEvent(tx, buildEvent(input, auditEventId(), clock.now()));
      outboxHotUntil = Date.now() + OUTBOX_HOT_MS;
    },
    flush,
    start() {
      if (running) return;
      running = true;
      // Outbox rows a crashed process (or a stopped replica) left go into the chain now.
      void drainOnce().catch(ignore);
      schedule();
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      await flushWithRetries(flush, (e) => {
        const lost = buffer.length + waiting.length;
        logger.error({ err: e, lost }, "audit events could not be written before shutdown");
      });
    },
    health(): ComponentHealth {
      const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
      return {
        status: lastError ? "degraded" : "healthy",
        buffered: buffer.length,
        waiting_producers: waiting.length,
        buffer_max: config.bufferMax,
        consecutive_failures: failures,
        last_error: lastError ?? null,
        last_error_at: iso(lastErrorAt),
        last_flush_at: iso(lastFlushAt),
      };
    },
    onCommitted(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
