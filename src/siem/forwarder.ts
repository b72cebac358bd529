import type { AuditRecorder } from "../core/audit.js";
import type { Clock } from "../platform/clock.js";
import type { AdvisoryLocks, HeldLock } from "../platform/db/locks.js";
import type { Logger } from "../platform/logger.js";
import type { SiemMetrics } from "./metrics.js";
import type { QueuedEvent, SiemCursor, SiemRepository } from "./repository.js";
import { backoffMs, CIRCUIT_STATE, type CircuitState, createCircuitBreaker } from "./resilience.js";
import type { SendResult, SiemDestination } from "./types.js";

export interface ForwarderSettings {
  batchSize: number;
  flushIntervalMs: number;
  maxBackoffMs: number;
  circuitFailureThreshold: number;
  circuitResetMs: number;
  /** How often a standby replica tries to take over the destination. */
  lockRetryMs: number;
}

export interface ForwarderDeps {
  destination: SiemDestination;
  repository: SiemRepository;
  locks: AdvisoryLocks;
  metrics: SiemMetrics;
  logger: Logger;
  audit: AuditRecorder;
  clock: Clock;
  settings: ForwarderSettings;
}

/** `standby`: another replica holds the destination's lock. `failed`: permanent error, stopped. */
export type ForwarderStatus = "starting" | "standby" | "active" | "retrying" | "failed" | "stopped";

export interface ForwarderSnapshot {
  status: ForwarderStatus;
  leader: boolean;
  circuit: CircuitState;
  consecutiveFailures: number;
  lastError: string | null;
  lastErrorAt: number | null;
  lastSuccessAt: number | null;
  /** When the current run of failures began (null while healthy). */
  failingSince: number | null;
  eventsSent: number;
}

/**
 * Delivers the audit trail to one destination: take the leader lock, read after the cursor in
 * batches, send, and advance the cursor only after the destination accepted the batch. Failures
 * wait (backoff with jitter, Retry-After, circuit breaker) and resend the same events; nothing is
 * ever skipped. A permanent error (bad credential) stops this destination until restart.
 */
export function createForwarder(deps: ForwarderDeps) {
  const { destination, repository, locks, metrics, logger, clock, settings } = deps;
  const name = destination.name;
  const log = logger.child({ siem_destination: name });
  const circuit = createCircuitBreaker({
    threshold: settings.circuitFailureThreshold,
    resetMs: settings.circuitResetMs,
    now: () => clock.now(),
  });
  const abort = new AbortController();
  const snap: ForwarderSnapshot = {
    status: "starting",
    leader: false,
    circuit: "closed",
    consecutiveFailures: 0,
    lastError: null,
    lastErrorAt: null,
    lastSuccessAt: null,
    failingSince: null,
    eventsSent: 0,
  };
  let lock: HeldLock | undefined;
  let cursor: SiemCursor = { lastSeq: 0, lastEventId: null };
  // Shrinks when the receiver answers 413 (its request size limit), grows back after successes.
  let batchLimit = settings.batchSize;
  // The next batch, read while the current one is in flight (keyed by the cursor it reads after).
  let prefetched: { afterSeq: number; limit: number; rows: Promise<QueuedEvent[]> } | undefined;
  let stopping = false;
  let wake: (() => void) | undefined;
  let loop: Promise<void> | undefined;

  function sleep(ms: number): Promise<void> {
    if (stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      wake = done;
    });
  }

  function syncCircuit(): void {
    snap.circuit = circuit.state();
    snap.consecutiveFailures = circuit.consecutiveFailures();
    metrics.circuit.set({ destination: name }, CIRCUIT_STATE[snap.circuit]);
  }

  async function acquireLeadership(): Promise<void> {
    if (lock) {
      log.warn("lost the SIEM leader lock; another replica may take over");
      // Its session is gone; releasing returns the dead connection's resources where possible.
      await lock.release().catch(() => {});
      lock = undefined;
    }
    snap.leader = false;
    const held = await locks.tryAcquire(`siem:${name}`);
    if (!held) {
      snap.status = "standby";
      await sleep(settings.lockRetryMs);
      return;
    }
    lock = held;
    // Another replica may have advanced the cursor while this one was standing by.
    cursor = await repository.getCursor(name);
    snap.leader = true;
    snap.status = snap.failingSince === null ? "active" : "retrying";
    log.info({ last_seq: cursor.lastSeq }, "SIEM forwarding started (leader)");
  }

  /**
   * Reads after the cursor, reusing the prefetched batch when it starts at the same place. After a
   * full batch the next one is prefetched, so the database read overlaps the HTTP round trip.
   */
  async function readBatch(): Promise<QueuedEvent[]> {
    const ahead = prefetched;
    prefetched = undefined;
    const batch =
      ahead && ahead.afterSeq === cursor.lastSeq && ahead.limit === batchLimit
        ? await ahead.rows
        : await repository.readAfter(cursor.lastSeq, batchLimit);
    const last = batch[batch.length - 1];
    if (last && batch.length >= batchLimit) {
      const rows = repository.readAfter(last.seq, batchLimit);
      rows.catch(() => {}); // a failed prefetch is simply read again
      prefetched = { afterSeq: last.seq, limit: batchLimit, rows };
    }
    return batch;
  }

  /** One read-send-advance round; returns how long to wait before the next one. */
  async function forwardBatch(held: HeldLock): Promise<number> {
    const circuitWait = circuit.waitMs();
    if (circuitWait > 0) return circuitWait;
    const batch = await readBatch();
    if (batch.length === 0) return settings.flushIntervalMs;
    if (!held.isHeld() || stopping) return 0;
    const result = await destination.send(
      batch.map((q) => q.event),
      abort.signal,
    );
    if (result.kind !== "ok") return stopping ? 0 : onFailure(result, batch.length);
    const last = batch[batch.length - 1];
    if (last) {
      const next = { lastSeq: last.seq, lastEventId: last.event.id };
      await repository.advance(name, next);
      cursor = next;
    }
    onSuccess(batch.length);
    const full = batch.length >= batchLimit;
    if (batchLimit < settings.batchSize) batchLimit = Math.min(settings.batchSize, batchLimit * 2);
    // A full batch means more is waiting: go again at once; otherwise poll at the flush interval.
    return full ? 0 : settings.flushIntervalMs;
  }

  function onSuccess(count: number): void {
    if (snap.failingSince !== null) {
      log.info({ failures: circuit.consecutiveFailures() }, "SIEM destination recovered");
    }
    circuit.recordSuccess();
    syncCircuit();
    metrics.eventsSent.inc({ destination: name }, count);
    snap.eventsSent += count;
    snap.lastSuccessAt = clock.now();
    snap.failingSince = null;
    snap.status = "active";
  }

  function onFailure(result: Exclude<SendResult, { kind: "ok" }>, sent: number): number {
    const now = clock.now();
    metrics.sendFailures.inc({ destination: name, reason: result.reason });
    snap.lastError = result.message;
    snap.lastErrorAt = now;
    snap.failingSince ??= now;
    if (result.kind === "permanent") {
      void markFailed(result.message);
      return 0;
    }
    if (result.reason === "too_large" && sent > 1) {
      // The receiver's size limit, not an outage: resend the same events in smaller requests now.
      batchLimit = Math.ceil(sent / 2);
      log.warn({ batch_size: batchLimit }, "SIEM receiver refused the request size (413); halving the batch");
      return 0;
    }
    circuit.recordFailure();
    syncCircuit();
    snap.status = "retrying";
    const delay = result.retryAfterMs ?? backoffMs(circuit.consecutiveFailures(), settings.maxBackoffMs);
    log.warn(
      { reason: result.reason, status: result.status, failures: circuit.consecutiveFailures(), retry_in_ms: delay },
      `SIEM send failed, will retry: ${result.message}`,
    );
    return Math.max(delay, circuit.waitMs());
  }

  async function markFailed(message: string): Promise<void> {
    snap.status = "failed";
    metrics.failed.set({ destination: name }, 1);
    log.error(
      { last_seq: cursor.lastSeq },
      `SIEM destination '${name}' STOPPED: the receiver refused the credentials (${message}). ` +
        "Events are kept and will be delivered after the token is fixed and SARK restarted.",
    );
    await deps.audit
      .record({
        event_type: "siem.destination_failed",
        severity: "high",
        outcome: "failure",
        action: "siem:forward",
        resource: { type: "siem_destination", id: name, name: destination.type },
        details: { error: message, last_seq: cursor.lastSeq, last_event_id: cursor.lastEventId },
      })
      .catch((e: unknown) => log.error({ err: e }, "could not audit the SIEM destination failure"));
  }

  async function run(): Promise<void> {
    while (!stopping && snap.status !== "failed") {
      try {
        if (!lock?.isHeld()) {
          await acquireLeadership();
          continue;
        }
        await sleep(await forwardBatch(lock));
      } catch (e) {
        // Database trouble (reading events, saving the cursor): retry the same events later.
        snap.lastError = "database error while forwarding";
        snap.lastErrorAt = clock.now();
        log.error({ err: e }, "SIEM forwarding round failed; retrying");
        await sleep(backoffMs(2, settings.maxBackoffMs));
      }
    }
    snap.leader = false;
    await lock?.release();
    lock = undefined;
  }

  return {
    name,
    destination,
    start(): void {
      metrics.failed.set({ destination: name }, 0);
      loop ??= run();
    },
    async stop(): Promise<void> {
      stopping = true;
      abort.abort();
      wake?.();
      await loop;
      if (snap.status !== "failed") snap.status = "stopped";
      destination.close();
    },
    snapshot(): ForwarderSnapshot {
      syncCircuit();
      return { ...snap };
    },
  };
}

export type Forwarder = ReturnType<typeof createForwarder>;
