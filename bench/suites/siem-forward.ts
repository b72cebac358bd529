import { benchContext, sampleEvent } from "../lib/context.js";
import { startHecReceiver } from "../lib/hec-receiver.js";
import { createBenchDatabase } from "../lib/postgres.js";
import type { BenchRow } from "../lib/results.js";

const SUITE = "siem-forward";
const BACKLOG = 100_000;
const STEADY_RATE = 1000;
const STEADY_SECONDS = 20;

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/**
 * Issue targets: forwarding to a local HEC receiver ≥ 20,000 events/s (a 100k backlog drained
 * from the audit table), and at a steady 1,000 events/s the delivery lag (audit timestamp → HEC
 * receipt, so it includes the audit flush) stays ≤ 5 s at p99.
 */
export async function run(): Promise<BenchRow[]> {
  const pg = await createBenchDatabase();
  const backend = pg ? "PostgreSQL" : "PGlite";
  const receiver = await startHecReceiver();
  const rows: BenchRow[] = [];
  try {
    const seeder = await benchContext({ AUDIT_BATCH_SIZE: "1000" }, pg?.url);
    for (let i = 0; i < BACKLOG; i++) await seeder.audit.record(sampleEvent(i));
    await seeder.auditAdmin.flush();
    if (!pg) {
      // PGlite is in-process: the forwarder must run in the same context.
      rows.push({
        suite: SUITE,
        name: "HEC forwarding",
        notes: "skipped: needs PostgreSQL to hand the backlog to a new process",
      });
      await seeder.stop();
      return rows;
    }
    await seeder.stop();

    const start = performance.now();
    const forwarder = await benchContext(
      { SPLUNK_HEC_URL: receiver.url, SPLUNK_HEC_TOKEN: "bench-token", SIEM_FLUSH_INTERVAL_MS: "100" },
      pg.url,
    );
    try {
      const drained = await waitFor(() => receiver.count() >= BACKLOG, 300_000);
      const seconds = (performance.now() - start) / 1000;
      const perSecond = receiver.count() / seconds;
      rows.push({
        suite: SUITE,
        name: `HEC forwarding of a ${BACKLOG.toLocaleString("en-US")}-event backlog (${backend})`,
        perSecond,
        target: "≥ 20,000/s",
        met: drained && perSecond >= 20_000,
        notes: drained ? "includes forwarder start-up" : `only ${receiver.count()} delivered in 300 s`,
      });
      receiver.takeLags();

      const before = receiver.count();
      let sent = 0;
      const producer = setInterval(() => {
        for (let i = 0; i < STEADY_RATE / 100; i++) void forwarder.audit.record(sampleEvent(sent++));
      }, 10);
      await new Promise((r) => setTimeout(r, STEADY_SECONDS * 1000));
      clearInterval(producer);
      await waitFor(() => receiver.count() - before >= sent, 30_000);
      const lags = receiver.takeLags().sort((a, b) => a - b);
      const p = (q: number) => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))] ?? Number.NaN;
      rows.push({
        suite: SUITE,
        name: `delivery lag at a steady ${STEADY_RATE.toLocaleString("en-US")} events/s for ${STEADY_SECONDS} s (${backend})`,
        perSecond: sent / STEADY_SECONDS,
        p50Ms: p(0.5),
        p99Ms: p(0.99),
        target: "p99 ≤ 5 s",
        met: p(0.99) <= 5000 && receiver.count() - before >= sent,
        notes: `${receiver.count() - before} of ${sent} delivered`,
      });
    } finally {
      await forwarder.stop();
    }
  } finally {
    await receiver.close();
    await pg?.drop();
  }
  return rows;
}
