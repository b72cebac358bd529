import { Counter, Gauge } from "prom-client";
import type { Clock } from "../platform/clock.js";
import type { AuditConfig } from "../platform/config.js";
import type { Database, RawTransaction } from "../platform/db/database.js";
import type { ComponentHealth } from "../platform/feature.js";
import type { Logger } from "../platform/logger.js";
import type { Metrics } from "../platform/metrics.js";
import { COPY_COLUMNS, copyBodyColumns } from "./copy-format.js";
import { buildEvent, canonicalBody, eventJsonFields, GENESIS_HASH, hashCanonical } from "./event.js";
import { insertOutboxEvent, removeOutbox, takeOutbox } from "./outbox.js";
import type { AuditEventInput, AuditRecorder } from "./types.js";
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

/**
 * `s` as one flat string. A template literal builds a tree of string pieces (a "cons string" per
 * `+`), and a buffered event holds two of them until its batch is written: each young-generation
 * GC then copied some 40 small objects per event instead of two, which more than doubled the
 * scavenge pauses under load. Converting a string to a number makes V8 flatten it in place (the
 * trick pino's `flatstr` used); if a future V8 stops doing that, only this saving is lost.
 */
function flattened(s: string): string {
  Number(s);
  return s;
}

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

// One chain for the whole table: every batch takes this transaction-scoped lock, reads the head
// and appends. Namespaced by schema like platform/db/locks.ts so isolated schemas never contend.
const LOCK_SQL = "select pg_advisory_xact_lock(hashtext(current_schema() || ':audit-chain'))";
const HEAD_SQL = "select hash from audit_events order by seq desc limit 1";
// One statement per batch: the rows travel as a single jsonb array and `n` keeps their order, so
// `seq` (identity, assigned in insertion order) follows the chain order.
const INSERT_SQL = `insert into audit_events
  (id, timestamp, event_type, severity, outcome, actor, action, resource, decision, request_id, details, hash, prev_hash)
select id, timestamp, event_type, severity, outcome, actor, action, resource, decision, request_id, details, hash, prev_hash
from jsonb_to_recordset($1::jsonb) as r(n integer, id uuid, timestamp timestamptz, event_type text, severity text,
  outcome text, actor jsonb, action text, resource jsonb, decision jsonb, request_id text, details jsonb,
  hash text, prev_hash text)
order by n`;

const COMMITTED_SQL = "select id::text as id from audit_events where id = any($1::uuid[])";

// PostgreSQL's bulk path: rows in COPY text format, inserted (and given `seq`) in stream order.
const COPY_SQL = `copy audit_events (${COPY_COLUMNS}) from stdin`;

/** An event as buffered: what is hashed, and (on PostgreSQL) its COPY row without the hashes. */
interface BufferedEvent {
  /** The event id: a retry looks up which events a lost COMMIT reply had already stored. */
  id: string;
  /** Canonical JSON of the event body (`canonicalBody`): exactly what the chain hashes. */
  body: string;
  /** `copyBodyColumns` of the same event, when the database takes COPY. */
  copy: string | undefined;
}

/**
 * Appends a batch to the hash chain inside one serialised transaction. Everything about an event
 * was serialised when it was recorded; inside the lock only the sha256 chain runs and the rows are
 * assembled. On PostgreSQL the rows go in with COPY (about 1.75× cheaper for the server than the
 * INSERT below, measured on this table with its indexes). On PGlite each insert row is the canonical
 * body with `hash`, `n` and `prev_hash` prepended (its keys are the column names). Either way the
 * stored values are exactly the hashed ones.
 *
 * With `outboxLimit` > 0 it first moves up to that many outbox rows into the chain (and deletes
 * them, in this transaction) and returns how many; the hot path (decisions) passes 0 and pays
 * nothing for the outbox.
 */
export async function appendBatch(
  tx: RawTransaction,
  batch: readonly BufferedEvent[],
  outboxLimit = 0,
  retry = false,
): Promise<number> {
  await tx.query(LOCK_SQL);
  const events = retry ? await notYetCommitted(tx, batch) : batch;
  const head = await tx.query<{ hash: string }>(HEAD_SQL);
  let prev = head[0]?.hash ?? GENESIS_HASH;
  let fromOutbox = 0;
  if (outboxLimit > 0) {
    const taken = await takeOutbox(tx, outboxLimit);
    if (taken.length > 0) {
      prev = await insertBodies(tx, prev, taken);
      await removeOutbox(tx, taken);
    }
    fromOutbox = taken.length;
  }
  if (events.length === 0) return fromOutbox;
  if (tx.copyIn && events.every((e) => e.copy !== undefined)) {
    let rows = "";
    for (const e of events) {
      const hash = hashCanonical(prev, e.body);
      // Hashes are hex: nothing to escape.
      rows += `${e.copy}\t${hash}\t${prev}\n`;
      prev = hash;
    }
    await tx.copyIn(COPY_SQL, rows);
  } else {
    await insertBodies(tx, prev, events);
  }
  return fromOutbox;
}

/** The one-statement INSERT of canonical bodies after `prev`; returns the new head hash. */
async function insertBodies(
  tx: RawTransaction,
  prev: string,
  events: ReadonlyArray<{ body: string }>,
): Promise<string> {
  let rows = "[";
  for (let n = 0; n < events.length; n++) {
    const body = (events[n] as { body: string }).body;
    const hash = hashCanonical(prev, body);
    // Hashes are hex, so they need no escaping; `body` is a JSON object starting with "{".
    rows += `${n > 0 ? "," : ""}{"hash":"${hash}","n":${n},"prev_hash":"${prev}",${body.slice(1)}`;
    prev = hash;
  }
  await tx.query(INSERT_SQL, [`${rows}]`]);
  return prev;
}

/**
 * A retry after a lost connection may follow a COMMIT that reached the server but whose reply did
 * not. Re-inserting those events would fail on the primary key on every retry and wedge the writer,
 * so the ones already stored are left out (they are a prefix: a batch commits whole or not at all).
 */
async function notYetCommitted(tx: RawTransaction, batch: readonly BufferedEvent[]): Promise<readonly BufferedEvent[]> {
  const stored = await tx.query<{ id: string }>(COMMITTED_SQL, [batch.map((e) => e.id)]);
  if (stored.length === 0) return batch;
  const done = new Set(stored.map((r) => r.id));
  return batch.filter((e) => !done.has(e.id));
}

/** The writer's Prometheus series; the buffer gauge is read at scrape time. */
function writerMetrics(metrics: Metrics, buffered: () => number) {
  new Gauge({
    name: "sark_audit_buffer_events",
    help: "Audit events buffered in memory, including producers waiting on back-pressure",
    registers: [metrics.registry],
    collect() {
      this.set(buffered());
    },
  });
  return {
    written: new Counter({
      name: "sark_audit_events_written_total",
      help: "Audit events committed to the audit store",
      registers: [metrics.registry],
    }),
    writeFailures: new Counter({
      name: "sark_audit_write_failures_total",
      help: "Failed audit batch writes (the batch is kept and retried)",
      registers: [metrics.registry],
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
  // Events are redacted and serialised once, at record time (see appendBatch).
  const buffer: BufferedEvent[] = [];
  const waiting: Array<{ event: BufferedEvent; resolve: () => void }> = [];
  const useCopy = database.kind === "postgres";
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
      const built = buildEvent(input, auditEventId(), clock.now());
      const fields = eventJsonFields(built);
      const event: BufferedEvent = {
        id: built.id,
        body: flattened(canonicalBody(built, fields)),
        copy: useCopy ? flattened(copyBodyColumns(built, fields)) : undefined,
      };
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
