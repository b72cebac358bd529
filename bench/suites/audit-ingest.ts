import { benchContext, sampleEvent } from "../lib/context.js";
import { createBenchDatabase } from "../lib/postgres.js";
import type { BenchRow } from "../lib/results.js";

const SUITE = "audit-ingest";

/**
 * AUDIT_BATCH_SIZE for sustained ingest. Each batch pays a transaction, the chain lock, the head
 * read and a commit, so larger batches go faster (PostgreSQL, same machine: 1,000 → ~46k events/s,
 * 2,000 → ~48k, 5,000 → ~51k); the default of 500 favours latency over peak ingest.
 */
const BATCH_SIZE = 5000;

/** Events one producer records per event-loop turn before it yields (see `ingest`). */
const EVENTS_PER_TURN = 100;

/**
 * Sustained ingest through the real writer (redaction, hash chain, batched serialised inserts):
 * the producer calls `record` as fast as back-pressure lets it; the clock stops when all is durable.
 * It yields to the event loop every EVENTS_PER_TURN events, as a server's request handlers do
 * between turns. A loop that never yields would also starve the writer's own database I/O (its
 * sends and commits wait for the loop), which measures the loop rather than the writer: on
 * PostgreSQL that loop reaches about 30,000 events/s.
 */
async function ingest(label: string, events: number, databaseUrl?: string): Promise<BenchRow> {
  const ctx = await benchContext({ AUDIT_BATCH_SIZE: String(BATCH_SIZE), AUDIT_FLUSH_INTERVAL_MS: "20" }, databaseUrl);
  try {
    for (let i = 0; i < 2000; i++) await ctx.audit.record(sampleEvent(i));
    await ctx.auditAdmin.flush();
    const start = performance.now();
    for (let i = 0; i < events; i++) {
      await ctx.audit.record(sampleEvent(i));
      if (i % EVENTS_PER_TURN === EVENTS_PER_TURN - 1) await new Promise((r) => setImmediate(r));
    }
    await ctx.auditAdmin.flush();
    const seconds = (performance.now() - start) / 1000;
    const perSecond = events / seconds;
    const target = databaseUrl ? 50_000 : 10_000;
    return {
      suite: SUITE,
      name: `writer ingest, ${events.toLocaleString("en-US")} events, AUDIT_BATCH_SIZE=${BATCH_SIZE} (${label})`,
      perSecond,
      target: `≥ ${target.toLocaleString("en-US")}/s`,
      met: perSecond >= target,
    };
  } finally {
    await ctx.stop();
  }
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const pg = await createBenchDatabase();
  if (pg) {
    try {
      rows.push(await ingest("PostgreSQL", 200_000, pg.url));
    } finally {
      await pg.drop();
    }
  } else {
    rows.push({ suite: SUITE, name: "writer ingest (PostgreSQL)", notes: "skipped: no PostgreSQL reachable" });
  }
  rows.push(await ingest("PGlite", 100_000));
  return rows;
}
