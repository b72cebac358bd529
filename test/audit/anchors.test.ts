import { sql } from "kysely";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bridgeHmac, checkpointHmac } from "../../src/audit/anchors.js";
import { createAudit } from "../../src/audit/index.js";
import { createMetrics } from "../../src/platform/metrics.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { BACKEND_LABEL } from "../helpers/backends.js";

const DAY = 86_400_000;
const KEY = "anchors-test-checkpoint-key-0123456789abcdef";
const WRONG_KEY = "not-the-checkpoint-key-0123456789abcdefgh";

/**
 * Issue 14, item 6 (tamper evidence): deleting the newest rows, or the oldest rows of a day still
 * inside retention, used to pass `sark audit verify`. Now the chain must start at genesis or at a
 * signed retention marker, and every signed checkpoint must find its row.
 */
describe(`audit anchors: checkpoints and retention markers (${BACKEND_LABEL})`, () => {
  let t: TestApp;
  let nowMs = Date.now();
  let audit: ReturnType<typeof createAudit>;

  beforeAll(async () => {
    t = await createTestApp({ AUDIT_CHECKPOINT_KEY: KEY });
    // A second module on the same database with a clock the test moves (for retention).
    audit = createAudit({
      config: { ...t.config.audit, retentionDays: 90, partitionsAheadDays: 3 },
      database: t.ctx.database,
      logger: pino({ level: "silent" }),
      metrics: createMetrics({ collectDefaults: false }),
      clock: { now: () => nowMs },
      checkpointKey: KEY,
    });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  const db = () => t.ctx.database.db;
  const record = async (eventType: string, n: number, at = Date.now()) => {
    nowMs = at;
    for (let i = 0; i < n; i++)
      await audit.recorder.record({ event_type: eventType, outcome: "success", details: { i } });
    await audit.flush();
  };
  const seqs = async () =>
    (await sql<{ seq: string }>`select seq from audit_events order by seq`.execute(db())).rows.map((r) =>
      Number(r.seq),
    );

  /** Deletes rows matching `where`, runs `check`, then puts the rows back exactly as they were. */
  async function withRowsDeleted(where: ReturnType<typeof sql>, check: () => Promise<void>): Promise<void> {
    await sql`create table tamper_saved as select * from audit_events where ${where}`.execute(db());
    try {
      const deleted = await sql`delete from audit_events where ${where}`.execute(db());
      expect(Number(deleted.numAffectedRows)).toBeGreaterThan(0);
      await check();
    } finally {
      await sql`insert into audit_events overriding system value select * from tamper_saved`.execute(db());
      await sql`drop table tamper_saved`.execute(db());
    }
    expect((await audit.verify()).ok).toBe(true);
  }

  it("checkpoints the head with a valid HMAC, as a row and as an audit event, and verifies", async () => {
    await record("anchor.seed", 5);
    const checkpoint = await audit.checkpoint();
    expect(checkpoint).toBeDefined();
    await audit.flush();
    const [event] = (
      await sql<{ details: { seq: number; hash: string; hmac: string } }>`
        select details from audit_events where event_type = 'audit.checkpoint' order by seq desc limit 1`.execute(db())
    ).rows;
    expect(event?.details).toMatchObject({ seq: checkpoint?.seq, hash: checkpoint?.hash });
    // Nothing new since: no second checkpoint (an idle system stays idle).
    expect(await audit.checkpoint()).toBeUndefined();
    const result = await audit.verify();
    expect(result).toMatchObject({ ok: true, broken: null });
    expect(result.checkpoints_verified).toBeGreaterThanOrEqual(1);
  });

  it("fails when the newest rows are deleted below the last checkpoint (tail truncation)", async () => {
    await record("anchor.tail", 4);
    const checkpoint = await audit.checkpoint();
    await audit.flush();
    const from = (checkpoint?.seq ?? 0) - 2;
    await withRowsDeleted(sql`seq >= ${from}`, async () => {
      const result = await audit.verify();
      expect(result.ok).toBe(false);
      expect(result.broken).toMatchObject({ problem: "checkpoint_missing", seq: checkpoint?.seq });
    });
  });

  it("fails when the oldest rows of a retained day are deleted", async () => {
    const [first, second, third] = await seqs();
    await withRowsDeleted(sql`seq <= ${second ?? 0}`, async () => {
      const result = await audit.verify();
      expect(result.ok).toBe(false);
      expect(result.broken).toMatchObject({ problem: "link_mismatch", seq: third });
      expect(result.anchored_after_retention).toBe(false);
      // A marker forged without the key does not make the gap legitimate...
      const gap = await sql<{ prev_hash: string }>`
        select prev_hash from audit_events where seq > ${second ?? 0} order by seq limit 1`.execute(db());
      const run = {
        first_seq: first ?? 0,
        last_seq: second ?? 0,
        from_hash: "0".repeat(64),
        to_hash: gap.rows[0]?.prev_hash ?? "",
      };
      await insertMarker(run, bridgeHmac(WRONG_KEY, run));
      const forged = await audit.verify();
      expect(forged.broken).toMatchObject({ problem: "invalid_signature" });
      // ...while the same marker signed with the key would: the signature is all that stands between.
      await sql`delete from audit_retention_markers`.execute(db());
      await insertMarker(run, bridgeHmac(KEY, run));
      expect(await audit.verify()).toMatchObject({ ok: true, anchored_after_retention: true });
      await sql`delete from audit_retention_markers`.execute(db());
    });
  });

  it("fails on a checkpoint forged without the key", async () => {
    const [head] = (
      await sql<{ seq: string; hash: string }>`select seq, hash from audit_events order by seq desc limit 1`.execute(
        db(),
      )
    ).rows;
    const forged = { seq: Number(head?.seq), hash: head?.hash ?? "", created_at: new Date().toISOString() };
    await sql`insert into audit_checkpoints (seq, hash, created_at, hmac)
      values (${forged.seq}, ${forged.hash}, ${forged.created_at}::timestamptz, ${checkpointHmac(WRONG_KEY, forged)})`.execute(
      db(),
    );
    try {
      expect((await audit.verify()).broken).toMatchObject({ problem: "invalid_signature", seq: forged.seq });
    } finally {
      await sql`delete from audit_checkpoints where seq = ${forged.seq} and created_at = ${forged.created_at}::timestamptz`.execute(
        db(),
      );
    }
    expect((await audit.verify()).ok).toBe(true);
  });

  it("passes after retention drops a whole expired partition, even one whose rows sit mid-chain", async () => {
    const now = Date.now();
    const old = now - 100 * DAY;
    await audit.runMaintenance(old);
    await record("retention.before", 2, now);
    await record("retention.old", 3, old);
    // A checkpoint inside the run that retention removes: the signed marker covers it.
    await audit.checkpoint();
    await record("retention.after", 2, now);
    const result = await audit.runMaintenance(now);
    expect(result.dropped).toHaveLength(5);
    expect(result.bridges).toHaveLength(1);
    await audit.flush();
    const left = await sql<{ n: number }>`
      select count(*)::int as n from audit_events where event_type = 'retention.old'`.execute(db());
    expect(left.rows[0]?.n).toBe(0);
    const markers = await sql<{ n: number }>`select count(*)::int as n from audit_retention_markers`.execute(db());
    expect(markers.rows[0]?.n).toBe(1);
    expect(await audit.verify()).toMatchObject({ ok: true, broken: null });
    // And a row deleted by hand next to the legitimate gap is still caught.
    const [retained] = (
      await sql<{ seq: string }>`
        select seq from audit_events where event_type = 'retention.after' order by seq limit 1`.execute(db())
    ).rows;
    await withRowsDeleted(sql`seq = ${Number(retained?.seq)}`, async () => {
      expect((await audit.verify()).broken).toMatchObject({ problem: "link_mismatch" });
    });
  });

  // The application role may execute the maintenance function; called directly, nothing signs
  // what it removes, and the checkpoints it leaves behind give it away.
  it("fails when the maintenance function is called directly to drop everything", async () => {
    const farFuture = new Date(Date.now() + 1000 * DAY).toISOString();
    await t.ctx.database.rawTransaction((tx) =>
      tx.query("select * from audit_maintain_partitions($1::timestamptz, 90, 3)", [farFuture]),
    );
    const left = await sql<{ n: number }>`select count(*)::int as n from audit_events`.execute(db());
    expect(left.rows[0]?.n).toBe(0);
    const result = await audit.verify();
    expect(result.ok).toBe(false);
    expect(result.broken).toMatchObject({ problem: "checkpoint_missing" });
  });

  async function insertMarker(
    run: { first_seq: number; last_seq: number; from_hash: string; to_hash: string },
    hmac: string,
  ): Promise<void> {
    await sql`insert into audit_retention_markers (first_seq, last_seq, from_hash, to_hash, created_at, hmac)
      values (${run.first_seq}, ${run.last_seq}, ${run.from_hash}, ${run.to_hash}, now(), ${hmac})`.execute(db());
  }
});
