import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../helpers/eventually.js";
import { acceptedHecIds, type FakeReceiver, startReceiver } from "./fake-receivers.js";
import {
  auditIdsInOrder,
  createSharedStore,
  FAST_SIEM_ENV,
  type SarkInstance,
  type SharedStore,
  seedEvents,
  siemHealth,
  startSark,
} from "./harness.js";

describe("a bad SIEM token", () => {
  let store: SharedStore;
  let hec: FakeReceiver;
  let sark: SarkInstance | undefined;

  beforeAll(async () => {
    store = await createSharedStore();
    hec = await startReceiver((req) =>
      req.headers.authorization === "Splunk good-token"
        ? undefined
        : { status: 401, body: '{"text":"Token is required","code":2}' },
    );
  });
  afterAll(async () => {
    await sark?.close();
    await hec?.close();
    await store?.drop();
  });

  it("stops the destination, keeps the backlog, and delivers it all after a restart with a good token", async () => {
    const env = { SPLUNK_HEC_URL: hec.url, ...FAST_SIEM_ENV };
    sark = await startSark(store, { ...env, SPLUNK_HEC_TOKEN: "bad-token" });
    const first = sark;
    await seedEvents(first.ctx, 300);
    await eventually(async () => (await siemHealth(first.ctx)).destinations.splunk?.status === "failed", {
      timeoutMs: 20_000,
      what: "failed",
    });

    const failed = await siemHealth(first.ctx);
    expect(failed.status).toBe("degraded");
    const backlogBefore = failed.destinations.splunk?.backlog ?? 0;
    expect(backlogBefore).toBeGreaterThanOrEqual(300);
    const failures = await first.ctx.metrics.registry.getSingleMetric("sark_siem_send_failures_total")?.get();
    expect(failures?.values.find((v) => v.labels.reason === "unauthorized")?.value).toBeGreaterThanOrEqual(1);

    // Stopped, not retrying: the receiver is not hammered with a token it already refused.
    const attempts = hec.requests.length;
    await seedEvents(first.ctx, 200);
    const grown = await siemHealth(first.ctx);
    expect(grown.destinations.splunk?.backlog).toBeGreaterThanOrEqual(backlogBefore + 200);
    expect(grown.destinations.splunk?.status).toBe("failed");
    expect(hec.requests.length).toBe(attempts);
    expect(acceptedHecIds(hec)).toEqual([]);

    await first.ctx.auditAdmin.flush();
    const { rows } = await sql<{ n: number | string }>`
      select count(*) as n from audit_events where event_type = 'siem.destination_failed'`.execute(
      first.ctx.database.db,
    );
    expect(Number(rows[0]?.n)).toBe(1);

    await first.close();
    sark = await startSark(store, { ...env, SPLUNK_HEC_TOKEN: "good-token" });
    const second = sark;
    const expected = await auditIdsInOrder(second.ctx);
    expect(expected.length).toBeGreaterThanOrEqual(500);
    await eventually(
      () => {
        const got = new Set(acceptedHecIds(hec));
        return expected.every((id) => got.has(id));
      },
      { timeoutMs: 30_000, what: "backlog delivered after the token fix" },
    );
    await eventually(async () => (await siemHealth(second.ctx)).destinations.splunk?.backlog === 0, {
      timeoutMs: 10_000,
      what: "backlog 0",
    });
    expect((await siemHealth(second.ctx)).status).toBe("healthy");
  });
});

describe("a SIEM outage", () => {
  let store: SharedStore;
  let hec: FakeReceiver;
  let sark: SarkInstance | undefined;

  beforeAll(async () => {
    store = await createSharedStore();
    hec = await startReceiver(() => ({ status: 503, body: '{"text":"Server is busy","code":9}' }));
  });
  afterAll(async () => {
    await sark?.close();
    await hec?.close();
    await store?.drop();
  });

  it("degrades health only once the destination has been failing for more than 5 minutes", async () => {
    let offsetMs = 0;
    const clock = { now: () => Date.now() + offsetMs };
    sark = await startSark(store, { SPLUNK_HEC_URL: hec.url, SPLUNK_HEC_TOKEN: "t", ...FAST_SIEM_ENV }, { clock });
    const { ctx } = sark;
    await seedEvents(ctx, 10);
    await eventually(async () => (await siemHealth(ctx)).destinations.splunk?.status === "retrying", {
      timeoutMs: 20_000,
      what: "retrying",
    });
    expect((await siemHealth(ctx)).status).toBe("healthy");

    offsetMs = 6 * 60_000;
    const health = await siemHealth(ctx);
    expect(health.status).toBe("degraded");
    expect(health.destinations.splunk).toMatchObject({ status: "retrying" });
    expect(health.destinations.splunk?.backlog).toBeGreaterThanOrEqual(10);
    expect(health.destinations.splunk?.lag_seconds).toBeGreaterThanOrEqual(300);
  });
});
