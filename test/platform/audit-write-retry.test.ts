import { sql } from "kysely";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuditWriter } from "../../src/audit/writer.js";
import { systemClock } from "../../src/platform/clock.js";
import type { Database } from "../../src/platform/db/database.js";
import { createMetrics } from "../../src/platform/metrics.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { BACKEND_LABEL } from "../helpers/backends.js";

/**
 * A connection can die after the server committed a batch but before the reply arrived. The
 * writer then sees a failure and retries: it must neither write the events twice nor wedge on the
 * primary key forever, and the events recorded meanwhile must follow.
 */
describe(`audit writer retry after an ambiguous commit (${BACKEND_LABEL})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  }, 60_000);
  afterAll(async () => t?.close());

  it("retries without duplicating the committed batch and keeps the chain intact", async () => {
    let loseNextReply = true;
    const database: Database = {
      ...t.ctx.database,
      async rawTransaction(fn) {
        const result = await t.ctx.database.rawTransaction(fn);
        if (loseNextReply) {
          loseNextReply = false;
          throw new Error("Connection terminated unexpectedly");
        }
        return result;
      },
    };
    const writer = createAuditWriter({
      config: { batchSize: 100, flushIntervalMs: 20, bufferMax: 1000 },
      database,
      logger: pino({ level: "silent" }),
      metrics: createMetrics({ collectDefaults: false }),
      clock: systemClock,
    });
    const record = (n: number) =>
      writer.record({
        event_type: "test.retry",
        severity: "low",
        outcome: "success",
        action: "test:retry",
        request_id: `retry-${n}`,
      });

    for (let n = 0; n < 5; n++) await record(n);
    await expect(writer.flush()).rejects.toThrow("Connection terminated");
    for (let n = 5; n < 8; n++) await record(n);
    await writer.flush();

    const rows = await sql<{ request_id: string }>`
      select request_id from audit_events where event_type = 'test.retry' order by seq`.execute(t.ctx.database.db);
    expect(rows.rows.map((r) => r.request_id)).toEqual(Array.from({ length: 8 }, (_, n) => `retry-${n}`));
    expect((await t.ctx.auditAdmin.verify()).ok).toBe(true);
  });
});
