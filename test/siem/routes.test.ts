import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { eventually } from "../helpers/eventually.js";
import { type FakeReceiver, hecEvents, startReceiver } from "./fake-receivers.js";
import { FAST_SIEM_ENV, seedEvents, siemHealth } from "./harness.js";

interface DestinationStatus {
  name: string;
  type: string;
  status: string;
  backlog: number;
  lag_seconds: number;
  circuit_state: string;
  last_error: string | null;
  cursor: { last_seq: number; last_event_id: string | null };
}

describe("SIEM routes", () => {
  let hec: FakeReceiver;
  let hook: FakeReceiver;
  let t: TestApp;
  let admin: string;
  let viewer: string;
  let hecUp = true;

  beforeAll(async () => {
    hec = await startReceiver(() => (hecUp ? undefined : { status: 500, body: "boom" }));
    hook = await startReceiver(() => ({ status: 403, body: "bad signature" }));
    t = await createTestApp({
      SPLUNK_HEC_URL: hec.url,
      SPLUNK_HEC_TOKEN: "route-token",
      SIEM_WEBHOOK_URL: hook.url,
      SIEM_WEBHOOK_SECRET: "s",
      ...FAST_SIEM_ENV,
    });
    admin = await t.adminToken();
    viewer = await t.userToken("siem-viewer", ["viewer"]);
  });
  afterAll(async () => {
    await t?.close();
    await hec?.close();
    await hook?.close();
  });

  const endpoints = [
    { method: "GET", url: "/api/v1/siem/status" },
    { method: "POST", url: "/api/v1/siem/test" },
  ] as const;

  for (const e of endpoints) {
    it(`${e.method} ${e.url}: 401 without credentials`, async () => {
      const res = await t.request(e);
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe("UNAUTHENTICATED");
    });

    it(`${e.method} ${e.url}: 403 for a non-admin`, async () => {
      const res = await t.request({ ...e, token: viewer });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe("POLICY_DENIED");
    });
  }

  it("GET /api/v1/siem/status lists each destination with status, backlog, lag, last error and circuit", async () => {
    await seedEvents(t.ctx, 50);
    await eventually(() => hec.accepted().length > 0, { timeoutMs: 20_000, what: "splunk delivery" });
    await eventually(async () => (await siemHealth(t.ctx)).destinations.webhook?.status === "failed", {
      timeoutMs: 20_000,
      what: "webhook",
    });
    const res = await t.request({ method: "GET", url: "/api/v1/siem/status", token: admin });
    expect(res.statusCode).toBe(200);
    const { destinations } = res.json() as { destinations: DestinationStatus[] };
    expect(destinations.map((d) => [d.name, d.type])).toEqual([
      ["splunk", "splunk_hec"],
      ["webhook", "webhook"],
    ]);
    const webhook = destinations.find((d) => d.name === "webhook");
    expect(webhook).toMatchObject({ status: "failed", circuit_state: "closed" });
    expect(webhook?.last_error).toContain("HTTP 403");
    expect(webhook?.backlog).toBeGreaterThanOrEqual(50);
    expect(webhook?.lag_seconds).toBeGreaterThanOrEqual(0);
    expect(webhook?.cursor).toEqual({ last_seq: 0, last_event_id: null });
    const splunk = destinations.find((d) => d.name === "splunk");
    expect(splunk?.cursor.last_seq).toBeGreaterThan(0);
    expect(splunk?.cursor.last_event_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("POST /api/v1/siem/test reports a result per destination and is audited", async () => {
    hec.requests.length = 0;
    const res = await t.request({ method: "POST", url: "/api/v1/siem/test", token: admin });
    expect(res.statusCode).toBe(200);
    const { results } = res.json() as { results: Array<Record<string, unknown>> };
    expect(results).toEqual([
      expect.objectContaining({ destination: "splunk", type: "splunk_hec", ok: true, status_code: 200, error: null }),
      expect.objectContaining({ destination: "webhook", type: "webhook", ok: false, status_code: 403 }),
    ]);
    const sent = hec
      .accepted()
      .flatMap(hecEvents)
      .find((e) => e.event.event_type === "siem.test");
    expect(sent?.event).toMatchObject({ action: "siem:test", details: { test: true } });

    await t.ctx.auditAdmin.flush();
    const { rows } = await sql<{ outcome: string; details: { results: Array<{ destination: string; ok: boolean }> } }>`
      select outcome, details from audit_events where event_type = 'siem.test_sent' order by seq`.execute(
      t.ctx.database.db,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.outcome).toBe("failure");
    expect(rows[0]?.details.results).toEqual([
      { destination: "splunk", ok: true, status_code: 200 },
      { destination: "webhook", ok: false, status_code: 403 },
    ]);
  });

  it("POST /api/v1/siem/test reports a receiver that is down without failing the request", async () => {
    hecUp = false;
    const res = await t.request({ method: "POST", url: "/api/v1/siem/test", token: admin });
    hecUp = true;
    expect(res.statusCode).toBe(200);
    const splunk = (res.json() as { results: Array<Record<string, unknown>> }).results[0];
    expect(splunk).toMatchObject({ destination: "splunk", ok: false, status_code: 500 });
    expect(String(splunk?.error)).toContain("HTTP 500");
  });

  it("GET /health/detailed includes siem per destination and is degraded by a failed destination", async () => {
    // The previous test took the HEC receiver down briefly; the forwarder may still be retrying.
    await eventually(async () => (await siemHealth(t.ctx)).destinations.splunk?.status === "active", {
      timeoutMs: 20_000,
      what: "splunk",
    });
    const res = await t.request({ method: "GET", url: "/health/detailed" });
    const body = res.json() as { status: string; components: Record<string, Record<string, unknown>> };
    expect(body.components.siem).toMatchObject({
      status: "degraded",
      destinations: { webhook: { status: "failed" }, splunk: { status: "active" } },
    });
    expect(body.status).toBe("degraded");
  });

  it("exposes the SIEM metrics", async () => {
    const res = await t.request({ method: "GET", url: "/metrics" });
    for (const name of [
      "sark_siem_events_sent_total",
      "sark_siem_send_failures_total",
      "sark_siem_backlog_events",
      "sark_siem_lag_seconds",
      "sark_siem_circuit_state",
    ]) {
      expect(res.body).toContain(name);
    }
    expect(res.body).toMatch(/sark_siem_send_failures_total\{destination="webhook",reason="unauthorized"\} 1/);
    expect(res.body).toMatch(/sark_siem_destination_failed\{destination="webhook"\} 1/);
    expect(res.body).toMatch(/sark_siem_destination_failed\{destination="splunk"\} 0/);
  });
});
