import { sql } from "kysely";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuditWriter } from "../../src/audit/writer.js";
import { createMetrics } from "../../src/platform/metrics.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { BACKEND_LABEL } from "../helpers/backends.js";
import { eventually } from "../helpers/eventually.js";

describe(`audit writer: batching, back-pressure, retries, concurrency (${BACKEND_LABEL})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const writer = (config: { batchSize: number; flushIntervalMs: number; bufferMax: number }) => {
    const metrics = createMetrics({ collectDefaults: false });
    const w = createAuditWriter({
      config,
      database: t.ctx.database,
      logger: pino({ level: "silent" }),
      metrics,
      clock: { now: () => Date.now() },
    });
    return { w, metrics };
  };
  const count = async (eventType: string) =>
    Number(
      (
        await sql<{ n: string }>`select count(*) as n from audit_events where event_type = ${eventType}`.execute(
          t.ctx.database.db,
        )
      ).rows[0]?.n,
    );
  const metric = async (metrics: ReturnType<typeof createMetrics>, name: string) =>
    (await metrics.registry.getSingleMetric(name)?.get())?.values[0]?.value ?? 0;

  it("producers wait while the database fails, nothing is dropped, and the backlog is written after recovery", async () => {
    const { w, metrics } = writer({ batchSize: 2, flushIntervalMs: 5, bufferMax: 3 });
    await sql`alter table audit_events rename to audit_events_offline`.execute(t.ctx.database.db);
    let renamed = true;
    try {
      w.start();
      let resolved = 0;
      const producers = Array.from({ length: 10 }, (_, i) =>
        w.record({ event_type: "backpressure.test", outcome: "success", details: { i } }).then(() => {
          resolved += 1;
        }),
      );
      await eventually(() => expect(w.health().consecutive_failures).toBeGreaterThanOrEqual(2));
      expect(resolved).toBe(3);
      const health = w.health();
      expect(health).toMatchObject({ status: "degraded", buffered: 3, waiting_producers: 7 });
      // SQLSTATE 42P01: undefined table; never the driver text (the health endpoint is public).
      expect(health.last_error).toBe("audit batch write failed (42P01)");
      expect(await metric(metrics, "sark_audit_write_failures_total")).toBeGreaterThanOrEqual(2);
      expect(await metric(metrics, "sark_audit_buffer_events")).toBe(10);

      await sql`alter table audit_events_offline rename to audit_events`.execute(t.ctx.database.db);
      renamed = false;
      await Promise.all(producers);
      await w.flush();
      expect(await count("backpressure.test")).toBe(10);
      expect(w.health()).toMatchObject({ status: "healthy", buffered: 0, last_error: null });
      expect(await metric(metrics, "sark_audit_events_written_total")).toBe(10);
      const stored = await sql<{ i: number }>`
        select (details ->> 'i')::int as i from audit_events where event_type = 'backpressure.test' order by seq`.execute(
        t.ctx.database.db,
      );
      expect(stored.rows.map((r) => r.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    } finally {
      if (renamed) await sql`alter table audit_events_offline rename to audit_events`.execute(t.ctx.database.db);
      await w.stop();
    }
  });

  it("writes full batches without waiting for the timer, and stop() flushes the rest", async () => {
    const { w } = writer({ batchSize: 4, flushIntervalMs: 60_000, bufferMax: 100 });
    w.start();
    for (let i = 0; i < 9; i++) await w.record({ event_type: "batch.test", outcome: "success" });
    // The timer is a minute away: only the batch-size trigger can write these.
    await eventually(async () => expect(await count("batch.test")).toBeGreaterThanOrEqual(8));
    await w.stop();
    expect(await count("batch.test")).toBe(9);
  });

  it("concurrent writers (replicas) append to one valid chain with seq in commit order", async () => {
    const a = writer({ batchSize: 5, flushIntervalMs: 1, bufferMax: 1000 }).w;
    const b = writer({ batchSize: 3, flushIntervalMs: 1, bufferMax: 1000 }).w;
    a.start();
    b.start();
    await Promise.all([
      ...Array.from({ length: 40 }, (_, i) =>
        a.record({ event_type: "replica.a", outcome: "success", details: { i } }),
      ),
      ...Array.from({ length: 40 }, (_, i) =>
        b.record({ event_type: "replica.b", outcome: "success", details: { i } }),
      ),
    ]);
    await Promise.all([a.stop(), b.stop()]);
    expect(await count("replica.a")).toBe(40);
    expect(await count("replica.b")).toBe(40);
    expect(await t.ctx.auditAdmin.verify({ batchSize: 7 })).toMatchObject({ ok: true, broken: null });
  });
});
