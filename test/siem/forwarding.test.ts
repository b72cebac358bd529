import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getEvent } from "../../src/audit/repository.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { eventually } from "../helpers/eventually.js";
import { acceptedHecIds, type FakeReceiver, hecEvents, startReceiver } from "./fake-receivers.js";
import { auditIdsInOrder, FAST_SIEM_ENV, seedEvents, siemHealth } from "./harness.js";

async function metricValue(t: TestApp, name: string, labels: Record<string, string>): Promise<number> {
  const metric = await t.ctx.metrics.registry.getSingleMetric(name)?.get();
  const match = metric?.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return match?.value ?? 0;
}

describe("Splunk HEC forwarding through an outage", () => {
  let hec: FakeReceiver;
  let t: TestApp;
  let recovered = false;

  beforeAll(async () => {
    hec = await startReceiver((_req, i) => {
      if (recovered) return undefined;
      // Half the outage answers carry Retry-After (honoured), half do not (backoff with jitter).
      return i % 2 === 0
        ? { status: 503, headers: { "retry-after": "0" }, body: '{"text":"Server is busy","code":9}' }
        : { status: 503, body: '{"text":"Server is busy","code":9}' };
    });
    t = await createTestApp({ SPLUNK_HEC_URL: hec.url, SPLUNK_HEC_TOKEN: "hec-good", ...FAST_SIEM_ENV });
  });
  afterAll(async () => {
    await t?.close();
    await hec?.close();
  });

  it("delivers all 10,000 events, in order within each batch, once the receiver recovers", async () => {
    await seedEvents(t.ctx, 10_000);
    await eventually(() => hec.requests.length >= 12, { timeoutMs: 20_000, what: "failed attempts during the outage" });
    expect(acceptedHecIds(hec)).toEqual([]);

    const splunk = (await siemHealth(t.ctx)).destinations.splunk;
    expect(splunk?.status).toBe("retrying");
    expect(splunk?.backlog).toBeGreaterThanOrEqual(10_000);
    // The receiver logs a request before the forwarder has read its 503 and counted the failure.
    await eventually(async () =>
      expect(
        await metricValue(t, "sark_siem_send_failures_total", { destination: "splunk", reason: "server_error" }),
      ).toBeGreaterThanOrEqual(12),
    );

    recovered = true;
    const expected = await auditIdsInOrder(t.ctx);
    expect(expected.length).toBeGreaterThanOrEqual(10_000);
    await eventually(() => new Set(acceptedHecIds(hec)).size >= expected.length, {
      timeoutMs: 60_000,
      what: "all events at the receiver",
    });

    const received = new Set(acceptedHecIds(hec));
    expect(expected.filter((id) => !received.has(id))).toEqual([]);
    const position = new Map(expected.map((id, i) => [id, i]));
    for (const req of hec.accepted()) {
      const positions = hecEvents(req).map((e) => position.get(e.event.id) ?? -1);
      expect(positions.every((p, i) => p >= 0 && (i === 0 || p === (positions[i - 1] ?? -2) + 1))).toBe(true);
      expect(req.headers.authorization).toBe("Splunk hec-good");
    }
    // Each delivered event is the stored event, field for field (timestamp formatted by the database).
    const sample = hec.accepted().flatMap(hecEvents).slice(0, 50);
    for (const delivered of sample) {
      const stored = await getEvent(t.ctx.database.db, delivered.event.id);
      const { seq: _seq, ...body } = stored ?? { seq: 0 };
      expect(delivered.event).toEqual(body);
      expect(delivered.time).toBe(Date.parse(stored?.timestamp ?? "") / 1000);
    }
    expect(await metricValue(t, "sark_siem_events_sent_total", { destination: "splunk" })).toBeGreaterThanOrEqual(
      10_000,
    );
    await eventually(
      async () => {
        const s = (await siemHealth(t.ctx)).destinations.splunk;
        return s?.status === "active" && s.backlog === 0;
      },
      { timeoutMs: 10_000, what: "backlog drained" },
    );
    expect(await metricValue(t, "sark_siem_circuit_state", { destination: "splunk" })).toBe(0);
  });
});

describe("Datadog and webhook forwarding", () => {
  let dd: FakeReceiver;
  let hook: FakeReceiver;
  let t: TestApp;

  beforeAll(async () => {
    dd = await startReceiver(() => ({ status: 202, body: "{}" }));
    // The webhook's receiver has a request size limit: it answers 413 above 300 events.
    hook = await startReceiver((req) =>
      (JSON.parse(req.body) as { events: unknown[] }).events.length > 300 ? { status: 413 } : undefined,
    );
    t = await createTestApp({
      DATADOG_API_KEY: "dd-api-key",
      DATADOG_LOGS_URL: `${dd.url}/api/v2/logs`,
      DATADOG_SERVICE: "sark-it",
      DATADOG_TAGS: "env:it",
      SIEM_WEBHOOK_URL: `${hook.url}/audit`,
      SIEM_WEBHOOK_SECRET: "hook-secret",
      SIEM_BATCH_SIZE: "1500",
      ...FAST_SIEM_ENV,
    });
  });
  afterAll(async () => {
    await t?.close();
    await dd?.close();
    await hook?.close();
  });

  it("delivers every event to both destinations with independent cursors, halving batches on 413", async () => {
    await seedEvents(t.ctx, 1200, "test.multi");
    const expected = await auditIdsInOrder(t.ctx);
    const ddIds = () =>
      dd
        .accepted()
        .flatMap((r) => (JSON.parse(r.body) as Array<{ message: string }>).map((e) => JSON.parse(e.message).id));
    const hookIds = () =>
      hook.accepted().flatMap((r) => (JSON.parse(r.body) as { events: Array<{ id: string }> }).events.map((e) => e.id));
    await eventually(() => new Set(ddIds()).size >= expected.length && new Set(hookIds()).size >= expected.length, {
      timeoutMs: 30_000,
      what: "delivery",
    });
    expect(new Set(ddIds())).toEqual(new Set(expected));
    expect(new Set(hookIds())).toEqual(new Set(expected));
    for (const r of dd.accepted()) {
      expect(r.headers["dd-api-key"]).toBe("dd-api-key");
      expect((JSON.parse(r.body) as unknown[]).length).toBeLessThanOrEqual(1000);
    }
    for (const r of hook.accepted()) expect(String(r.headers["x-sark-signature"])).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(hook.requests.some((r) => r.status === 413)).toBe(true);
    const failures = await t.ctx.metrics.registry.getSingleMetric("sark_siem_send_failures_total")?.get();
    expect(failures?.values.find((v) => v.labels.reason === "too_large")?.value).toBeGreaterThanOrEqual(1);
  });
});
