import { execFileSync } from "node:child_process";
import { createHmac, timingSafeEqual } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatadogDestination, DATADOG_LIMITS } from "../../src/siem/datadog.js";
import { createSplunkHecDestination } from "../../src/siem/splunk-hec.js";
import type { SiemEvent } from "../../src/siem/types.js";
import { createWebhookDestination } from "../../src/siem/webhook.js";
import { type FakeReceiver, hecEvents, startReceiver } from "./fake-receivers.js";

let n = 0;
function event(details: Record<string, unknown> = {}, severity = "low"): SiemEvent {
  n += 1;
  return {
    id: `0190a000-0000-7000-8000-${String(n).padStart(12, "0")}`,
    timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    event_type: "test.wire",
    severity,
    outcome: "success",
    actor: { user_id: "u1", username: "alice" },
    action: "server:read",
    resource: { type: "server", id: "s1", name: "files" },
    decision: { allow: true },
    request_id: "req-1",
    details,
    hash: "h",
    prev_hash: "p",
  };
}

/** ~`kb` KB of details built from bounded strings (the audit redactor caps single strings). */
const bulk = (kb: number) => ({ blob: Array.from({ length: kb }, (_, i) => `${i} `.padEnd(1000, "lorem ipsum ")) });

let receiver: FakeReceiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
});

describe("Splunk HEC wire format", () => {
  it("posts gzip concatenated {time, host, source, sourcetype, index, event} objects with the Splunk token", async () => {
    receiver.requests.length = 0;
    const hec = createSplunkHecDestination({
      url: receiver.url,
      token: "hec-token-1",
      index: "sark_audit",
      sourcetype: "sark:audit",
      source: "sark-test",
      verifyTls: true,
    });
    const events = [event(), event(), event()];
    const result = await hec.send(events);
    hec.close();
    expect(result).toEqual({ kind: "ok", status: 200 });
    const [req] = receiver.requests;
    expect(req?.method).toBe("POST");
    expect(req?.path).toBe("/services/collector/event");
    expect(req?.headers.authorization).toBe("Splunk hec-token-1");
    expect(req?.headers["content-encoding"]).toBe("gzip");
    const sent = req ? hecEvents(req) : [];
    expect(sent.map((e) => e.event.id)).toEqual(events.map((e) => e.id));
    expect(sent[0]).toMatchObject({ index: "sark_audit", sourcetype: "sark:audit", source: "sark-test" });
    expect(sent[0]?.time).toBe(Date.parse(events[0]?.timestamp ?? "") / 1000);
    expect(typeof sent[0]?.host).toBe("string");
    expect(sent[0]?.event).toEqual(events[0]);
  });

  it("classifies 401/403 as permanent and 503 with Retry-After as retryable", async () => {
    const hec = createSplunkHecDestination({
      url: `${receiver.url}/services/collector/event`,
      token: "t",
      index: "i",
      sourcetype: "s",
      source: "sark",
      verifyTls: true,
    });
    receiver.respond(() => ({ status: 403, body: '{"text":"Invalid token","code":4}' }));
    expect(await hec.send([event()])).toMatchObject({ kind: "permanent", reason: "unauthorized", status: 403 });
    receiver.respond(() => ({ status: 503, headers: { "retry-after": "2" }, body: '{"text":"Server is busy"}' }));
    expect(await hec.send([event()])).toMatchObject({ kind: "retryable", reason: "server_error", retryAfterMs: 2000 });
    receiver.respond(() => undefined);
    hec.close();
  });

  it("reports a refused connection as a retryable network failure", async () => {
    const dead = await startReceiver();
    const url = dead.url;
    await dead.close();
    const hec = createSplunkHecDestination({
      url,
      token: "t",
      index: "i",
      sourcetype: "s",
      source: "sark",
      verifyTls: true,
    });
    expect(await hec.send([event()])).toMatchObject({ kind: "retryable", reason: "network" });
    hec.close();
  });
});

describe("Datadog Logs wire format", () => {
  const config = {
    apiKey: "dd-key-1",
    site: "datadoghq.com",
    service: "sark-test",
    tags: "env:test,team:sec",
  };

  it("posts a gzip JSON array of log entries with DD-API-KEY to /api/v2/logs", async () => {
    receiver.requests.length = 0;
    const dd = createDatadogDestination({ ...config, url: `${receiver.url}/api/v2/logs` });
    const events = [event({ k: 1 }, "critical"), event()];
    expect(await dd.send(events)).toMatchObject({ kind: "ok" });
    dd.close();
    const [req] = receiver.requests;
    expect(req?.path).toBe("/api/v2/logs");
    expect(req?.headers["dd-api-key"]).toBe("dd-key-1");
    expect(req?.headers["content-encoding"]).toBe("gzip");
    expect(req?.headers["content-type"]).toBe("application/json");
    const entries = JSON.parse(req?.body ?? "[]") as Array<Record<string, string>>;
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      ddsource: "sark",
      ddtags: "env:test,team:sec",
      service: "sark-test",
      status: "error",
    });
    expect(typeof entries[0]?.hostname).toBe("string");
    expect(JSON.parse(entries[0]?.message ?? "{}")).toEqual(events[0]);
  });

  it("splits batches at 1000 entries and 5 MB, and trims an entry above 1 MB without dropping it", async () => {
    receiver.requests.length = 0;
    const dd = createDatadogDestination({ ...config, url: `${receiver.url}/api/v2/logs` });
    const small = Array.from({ length: 2100 }, () => event());
    const large = Array.from({ length: 8 }, () => event(bulk(800)));
    const huge = event(bulk(1500));
    const events = [...small.slice(0, 1000), ...large, huge, ...small.slice(1000)];
    expect(await dd.send(events)).toMatchObject({ kind: "ok" });
    dd.close();

    const bodies = receiver.requests.map((r) => r.body);
    expect(bodies.length).toBeGreaterThanOrEqual(4);
    const delivered: string[] = [];
    for (const body of bodies) {
      const entries = JSON.parse(body) as Array<{ message: string }>;
      expect(entries.length).toBeLessThanOrEqual(DATADOG_LIMITS.maxEntries);
      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(DATADOG_LIMITS.maxPayloadBytes);
      for (const entry of entries) {
        expect(Buffer.byteLength(JSON.stringify(entry))).toBeLessThanOrEqual(DATADOG_LIMITS.maxEntryBytes);
        delivered.push((JSON.parse(entry.message) as { id: string }).id);
      }
    }
    // Every event, in order, exactly once.
    expect(delivered).toEqual(events.map((e) => e.id));
    const hugeEntry = bodies
      .flatMap((b) => JSON.parse(b) as Array<{ message: string }>)
      .map((e) => JSON.parse(e.message) as SiemEvent)
      .find((e) => e.id === huge.id);
    expect(hugeEntry?.details).toMatchObject({ sark_truncated: true });
  });

  it("fails the whole batch when a later chunk fails, so the forwarder resends it", async () => {
    receiver.requests.length = 0;
    receiver.respond((_req, i) => (i % 2 === 1 ? { status: 500 } : undefined));
    const dd = createDatadogDestination({ ...config, url: `${receiver.url}/api/v2/logs` });
    const result = await dd.send(Array.from({ length: 1500 }, () => event()));
    dd.close();
    receiver.respond(() => undefined);
    expect(result).toMatchObject({ kind: "retryable", reason: "server_error", status: 500 });
  });
});

describe("webhook wire format", () => {
  it("signs timestamp.body with HMAC-SHA256 so the receiver can verify it", async () => {
    receiver.requests.length = 0;
    const secret = "webhook-secret-for-tests";
    const hook = createWebhookDestination({ url: `${receiver.url}/hooks/sark`, secret });
    const events = [event(), event()];
    expect(await hook.send(events)).toMatchObject({ kind: "ok" });
    hook.close();
    const [req] = receiver.requests;
    expect(req?.path).toBe("/hooks/sark");
    expect(req?.headers["content-encoding"]).toBe("gzip");
    const timestamp = String(req?.headers["x-sark-timestamp"]);
    const signature = String(req?.headers["x-sark-signature"]);
    // Verify as a receiver would: recompute over `<timestamp>.<decompressed body>`.
    const expected = `sha256=${createHmac("sha256", secret).update(`${timestamp}.${req?.body}`).digest("hex")}`;
    expect(timingSafeEqual(Buffer.from(signature), Buffer.from(expected))).toBe(true);
    const wrong = `sha256=${createHmac("sha256", "other").update(`${timestamp}.${req?.body}`).digest("hex")}`;
    expect(signature).not.toBe(wrong);
    expect(JSON.parse(req?.body ?? "{}")).toEqual({ source: "sark", events });
  });

  it("sends no signature headers without a secret", async () => {
    receiver.requests.length = 0;
    const hook = createWebhookDestination({ url: receiver.url, secret: undefined });
    expect(await hook.send([event()])).toMatchObject({ kind: "ok" });
    hook.close();
    expect(receiver.requests[0]?.headers["x-sark-signature"]).toBeUndefined();
  });
});

describe("Splunk HEC over TLS", () => {
  let dir: string;
  let server: https.Server | undefined;
  let url = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "sark-tls-"));
    try {
      execFileSync(
        "openssl",
        [
          "req",
          "-x509",
          "-newkey",
          "rsa:2048",
          "-nodes",
          "-days",
          "1",
          "-subj",
          "/CN=127.0.0.1",
          "-keyout",
          join(dir, "key.pem"),
          "-out",
          join(dir, "cert.pem"),
        ],
        { stdio: "ignore" },
      );
    } catch {
      return; // no openssl: the tests below skip themselves
    }
    server = https.createServer(
      { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) },
      (req, res) => {
        req.resume();
        req.on("end", () => res.end('{"text":"Success","code":0}'));
      },
    );
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const hecConfig = (verifyTls: boolean) => ({
    url,
    token: "t",
    index: "i",
    sourcetype: "s",
    source: "sark",
    verifyTls,
  });

  it("refuses a self-signed certificate by default and accepts it with SPLUNK_VERIFY_TLS=false", async (ctx) => {
    if (!server) ctx.skip();
    const strict = createSplunkHecDestination(hecConfig(true));
    expect(await strict.send([event()])).toMatchObject({ kind: "retryable", reason: "network" });
    strict.close();
    const lax = createSplunkHecDestination(hecConfig(false));
    expect(await lax.send([event()])).toEqual({ kind: "ok", status: 200 });
    lax.close();
  });
});
