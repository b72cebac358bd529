import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { BACKEND_LABEL, TEST_DATABASE_URL } from "../helpers/backends.js";

/** State-change events travel through the outbox in the change's own transaction. */
describe(`audit outbox (${BACKEND_LABEL})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  const db = () => t.ctx.database.db;
  const countOf = async (eventType: string) =>
    (
      await sql<{ n: number }>`select count(*)::int as n from audit_events where event_type = ${eventType}`.execute(
        db(),
      )
    ).rows[0]?.n;
  const outboxRows = async () =>
    (await sql<{ n: number }>`select count(*)::int as n from audit_outbox`.execute(db())).rows[0]?.n;

  it("commits the event with its transaction and moves it into the chain once", async () => {
    await db()
      .transaction()
      .execute((tx) => t.ctx.audit.recordInTransaction(tx, { event_type: "outbox.committed", outcome: "success" }));
    await t.ctx.auditAdmin.flush();
    expect(await countOf("outbox.committed")).toBe(1);
    expect(await outboxRows()).toBe(0);
    await t.ctx.auditAdmin.flush();
    expect(await countOf("outbox.committed")).toBe(1);
    expect((await t.ctx.auditAdmin.verify()).ok).toBe(true);
  });

  it("rolls the event back with a transaction that fails", async () => {
    const failure = new Error("the change failed");
    const outcome = await db()
      .transaction()
      .execute(async (tx) => {
        await t.ctx.audit.recordInTransaction(tx, { event_type: "outbox.rolled_back", outcome: "success" });
        throw failure;
      })
      .catch((e: unknown) => e);
    expect(outcome).toBe(failure);
    await t.ctx.auditAdmin.flush();
    expect(await countOf("outbox.rolled_back")).toBe(0);
    expect(await outboxRows()).toBe(0);
  });

  // A replica that wrote to the outbox and died before its writer ran: another replica drains it.
  it.skipIf(!TEST_DATABASE_URL)("another replica drains what a stopped replica left", async () => {
    const replica = await t.replica();
    try {
      await replica.database.db
        .transaction()
        .execute((tx) => replica.audit.recordInTransaction(tx, { event_type: "outbox.orphan", outcome: "success" }));
    } finally {
      // Gone without stopping (stopping would flush, and so drain, its own outbox rows).
      await replica.cache.close();
      await replica.database.close();
    }
    await t.ctx.auditAdmin.flush();
    expect(await countOf("outbox.orphan")).toBe(1);
    expect(await outboxRows()).toBe(0);
    expect((await t.ctx.auditAdmin.verify()).ok).toBe(true);
  });
});
