import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GENESIS_HASH } from "../../src/audit/event.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { BACKEND_LABEL } from "../helpers/backends.js";

const AWS_KEY = ["AKIA", "IOSFODNN7EXAMPLE"].join("");

describe(`audit store: hash chain and redaction (${BACKEND_LABEL})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const rows = async () =>
    (
      await sql<{ id: string; seq: string; hash: string; prev_hash: string; details: unknown }>`
        select id, seq, hash, prev_hash, details from audit_events order by seq`.execute(t.ctx.database.db)
    ).rows;

  it("stores events with a hash chain in seq order that verifies", async () => {
    for (let i = 0; i < 5; i++) {
      await t.ctx.audit.record({ event_type: "chain.test", outcome: "success", details: { i } });
    }
    await t.ctx.auditAdmin.flush();
    const all = await rows();
    expect(all.length).toBeGreaterThanOrEqual(5);
    expect(all[0]?.prev_hash).toBe(GENESIS_HASH);
    for (let i = 1; i < all.length; i++) expect(all[i]?.prev_hash).toBe(all[i - 1]?.hash);
    const result = await t.ctx.auditAdmin.verify();
    expect(result).toMatchObject({ ok: true, checked: all.length, broken: null, anchored_after_retention: false });
  });

  it("redacts secrets in details before storage", async () => {
    await t.ctx.audit.record({
      event_type: "chain.redaction",
      outcome: "failure",
      details: { body: { username: "bob", password: "hunter2-secret" }, headers: { "x-api-key": "sark_live_k" } },
      action: `connect postgres://u:pw-in-url-123@db/x with ${AWS_KEY}`,
    });
    await t.ctx.auditAdmin.flush();
    const res = await sql<{ text: string }>`
      select (a.*)::text as text from audit_events a where event_type = 'chain.redaction'`.execute(t.ctx.database.db);
    expect(res.rows).toHaveLength(1);
    const stored = res.rows[0]?.text ?? "";
    for (const secret of ["hunter2-secret", "sark_live_k", "pw-in-url-123", AWS_KEY])
      expect(stored).not.toContain(secret);
    expect(stored).toContain("[REDACTED]");
  });

  it("re-verifies what jsonb and timestamptz give back for awkward values", async () => {
    const awkward = {
      unicode: "Grüße, 日本語, emoji 😀, RTL \u202e, line sep \u2028",
      control: "tab\t newline\n bell\u0007 nul\u0000 cr\r",
      // COPY's text format gives backslashes, `\N` and `\.` meaning; as data they must survive.
      backslashes: ["C:\\Users\\x", "\\N", "\\.", "ends with \\", "\\t not a tab"],
      lone: "half \ud800 surrogate",
      numbers: [0, -0, 1.5, 0.1 + 0.2, 1e21, 1e-7, -123456789.125, Number.MAX_SAFE_INTEGER, 2 ** 63],
      nested: { z: 1, a: { "": "empty key", "dotted.key": true, "with space": null }, arr: [[], {}, [null]] },
      keys: JSON.parse('{"__proto__": 1, "constructor": 2, "10": "numeric key", "9": "order"}') as unknown,
      when: new Date(Date.UTC(2026, 10, 26, 5, 0, 0, 7)),
    };
    await t.ctx.audit.record({
      event_type: "chain.awkward\u0000\\N",
      action: "tab\there\\and\nthere",
      outcome: "success",
      actor: { user_id: "u\u0000x", username: "naïve", ip: "::1" },
      resource: { type: "server", id: "s-1", name: "名前" },
      decision: { allow: true, reason: "ok", eval_us: 12.5, cached: false },
      request_id: "r-awkward",
      details: awkward,
    });
    await t.ctx.auditAdmin.flush();
    const result = await t.ctx.auditAdmin.verify();
    expect(result).toMatchObject({ ok: true, broken: null });
    const stored = await sql<{ action: string; details: { backslashes: string[] } }>`
      select action, details from audit_events where request_id = 'r-awkward'`.execute(t.ctx.database.db);
    expect(stored.rows[0]?.action).toBe("tab\there\\and\nthere");
    expect(stored.rows[0]?.details.backslashes).toEqual(awkward.backslashes);
  });

  it("verifies a time window, including its link to the event before it", async () => {
    const all = await rows();
    const res = await sql<{ timestamp: Date }>`select timestamp from audit_events order by seq`.execute(
      t.ctx.database.db,
    );
    const from = res.rows[2]?.timestamp ?? new Date();
    const result = await t.ctx.auditAdmin.verify({ from, to: new Date(Date.now() + 60_000) });
    expect(result.ok).toBe(true);
    expect(result.checked).toBeGreaterThan(0);
    expect(result.checked).toBeLessThanOrEqual(all.length);
  });

  it("detects a row edited directly in the database", async () => {
    const target = (await rows())[2];
    expect(target).toBeDefined();
    await sql`update audit_events set details = '{"i": 999}'::jsonb where id = ${target?.id}::uuid`.execute(
      t.ctx.database.db,
    );
    const result = await t.ctx.auditAdmin.verify();
    expect(result.ok).toBe(false);
    expect(result.broken).toMatchObject({ id: target?.id, problem: "hash_mismatch" });
    expect(result.checked).toBe(3);
  });

  it("detects a deleted row as a broken link at the row after it", async () => {
    const all = await rows();
    const victim = all[1];
    const next = all[2];
    await sql`delete from audit_events where id = ${victim?.id}::uuid`.execute(t.ctx.database.db);
    const result = await t.ctx.auditAdmin.verify();
    expect(result.broken).toMatchObject({ id: next?.id, problem: "link_mismatch", actual: victim?.hash });
  });
});
