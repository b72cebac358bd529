import { benchContext, sampleEvent } from "../lib/context.js";
import { createBenchDatabase } from "../lib/postgres.js";
import type { BenchRow } from "../lib/results.js";

const SUITE = "audit-ingest";

/**
 * Sustained ingest through the real writer (redaction, hash chain, batched serialised inserts):
 * producers call `record` as fast as back-pressure lets them; the clock stops when all is durable.
 */
async function ingest(label: string, events: number, databaseUrl?: string): Promise<BenchRow> {
  const ctx = await benchContext({ AUDIT_BATCH_SIZE: "1000", AUDIT_FLUSH_INTERVAL_MS: "20" }, databaseUrl);
  try {
    for (let i = 0; i < 2000; i++) await ctx.audit.record(sampleEvent(i));
    await ctx.flushAudit();
    const start = performance.now();
    for (let i = 0; i < events; i++) await ctx.audit.record(sampleEvent(i));
    await ctx.flushAudit();
    const seconds = (performance.now() - start) / 1000;
    const perSecond = events / seconds;
    const target = databaseUrl ? 50_000 : 10_000;
    return {
      suite: SUITE,
      name: `writer ingest, ${events.toLocaleString("en-US")} events (${label})`,
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
