import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { Database, RawTransaction } from "../platform/db/database.js";
import { createMetrics } from "../platform/metrics.js";
import { createAuditWriter } from "./writer.js";

// A real collection is the only way to see what is still reachable; V8 hands out `gc` to a new
// context once the flag is set.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * A database whose audit transactions commit one batch at a time, as the test allows: the drain
 * that writes them stays in flight for as long as the test wants.
 */
function gatedDatabase() {
  let allowed = 0;
  let committed = 0;
  let wake: (() => void) | undefined;
  const tx: RawTransaction = { exec: async () => {}, query: async () => [] as never, copyRows: async () => {} };
  const database = {
    kind: "pglite",
    async rawTransaction<T>(fn: (t: RawTransaction) => Promise<T>): Promise<T> {
      while (committed >= allowed) await new Promise<void>((r) => (wake = r));
      const result = await fn(tx);
      committed += 1;
      return result;
    },
  } as unknown as Database;
  return {
    database,
    committed: () => committed,
    allow(batches: number) {
      allowed += batches;
      wake?.();
    },
  };
}

describe("audit writer under steady load", () => {
  it("releases written events while one drain keeps running (a drain under load never ends)", async () => {
    const db = gatedDatabase();
    const batchSize = 10;
    const w = createAuditWriter({
      config: { batchSize, flushIntervalMs: 60_000, bufferMax: 100_000 },
      database: db.database,
      logger: pino({ level: "silent" }),
      metrics: createMetrics({ collectDefaults: false }),
      clock: { now: () => Date.now() },
    });
    // About 160 kB of JSON per event, so what stays reachable shows plainly in the heap.
    const details = () => Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`field_${i}`, "x".repeat(8000)]));
    const before = heapAfterGc();

    // The first full batch starts the drain, which waits on the database while 490 more events
    // arrive; then every batch but the last commits, and the drain is still running.
    const events = 500;
    for (let i = 0; i < events; i++)
      await w.record({ event_type: "load.test", outcome: "success", details: details() });
    db.allow(events / batchSize - 1);
    while (db.committed() < events / batchSize - 1) await new Promise((r) => setImmediate(r));
    expect(w.health()).toMatchObject({ buffered: batchSize });

    // 490 written events held would be about 80 MB; the 10 still buffered are about 2 MB.
    const retainedMb = (heapAfterGc() - before) / 1e6;
    expect(retainedMb).toBeLessThan(20);

    // The last batch, and the outbox read that flush asks for (state changes' events).
    db.allow(2);
    await w.flush();
    expect(w.health()).toMatchObject({ buffered: 0 });
  });
});
