import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportEvents, exportNdjson } from "../../src/audit/repository.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { expectAuthRequired, expectForbidden } from "../helpers/auth-cases.js";
import { BACKEND_LABEL } from "../helpers/backends.js";

const ROUTES = [
  { method: "GET", url: "/api/v1/audit/events" },
  { method: "GET", url: "/api/v1/audit/events/0190b6a0-0000-7000-8000-000000000000" },
  { method: "GET", url: "/api/v1/audit/export?format=ndjson" },
  { method: "GET", url: "/api/v1/audit/stream" },
  { method: "GET", url: "/api/v1/audit/stats" },
] as const;

interface EventView {
  id: string;
  seq: number;
  timestamp: string;
  event_type: string;
  outcome: string;
  severity: string;
  actor: { user_id?: string; username?: string };
  resource: { type: string; id?: string } | null;
  request_id: string | null;
  details: Record<string, unknown>;
  hash: string;
  prev_hash: string;
}

describe(`audit API (${BACKEND_LABEL})`, () => {
  let t: TestApp;
  let admin: string;
  const seeded: Array<{ type: string; user: string; outcome: "success" | "failure" | "denied" }> = [
    { type: "api.alpha", user: "alice", outcome: "success" },
    { type: "api.alpha", user: "bob", outcome: "failure" },
    { type: "api.beta", user: "alice", outcome: "denied" },
    { type: "api.beta", user: "carol", outcome: "success" },
    { type: "api.gamma", user: "alice", outcome: "success" },
  ];

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.adminToken();
    for (const [i, s] of seeded.entries()) {
      await t.ctx.audit.record({
        event_type: s.type,
        severity: i === 2 ? "high" : "low",
        outcome: s.outcome,
        actor: { user_id: `u-${s.user}`, username: s.user, ip: "10.0.0.1" },
        action: "test",
        resource: { type: i < 2 ? "server" : "tool", id: `r-${i}`, name: `res ${i}` },
        request_id: `req-${i}`,
        details: { i, note: i === 0 ? "=cmd|' /C calc'!A0" : "plain" },
      });
    }
    await t.ctx.auditAdmin.flush();
  });
  afterAll(async () => {
    await t?.close();
  });

  const get = async (url: string, token = admin) => {
    const res = await t.request({ method: "GET", url, token });
    const json = () => res.json() as Record<string, unknown>;
    return {
      status: res.statusCode,
      res,
      get body() {
        return json();
      },
    };
  };
  const items = (body: Record<string, unknown>) => body.items as EventView[];

  describe("GET /api/v1/audit/events", () => {
    it("lists newest first with the contract fields", async () => {
      const { status, body } = await get("/api/v1/audit/events?event_type=api.alpha,api.beta,api.gamma");
      expect(status).toBe(200);
      const list = items(body);
      expect(list.map((e) => e.request_id)).toEqual(["req-4", "req-3", "req-2", "req-1", "req-0"]);
      expect(body).toMatchObject({ has_more: false, next_cursor: null });
      expect(list[0]).toMatchObject({
        event_type: "api.gamma",
        outcome: "success",
        severity: "low",
        actor: { user_id: "u-alice", username: "alice" },
        resource: { type: "tool", id: "r-4", name: "res 4" },
        details: { i: 4 },
      });
      expect(list[0]?.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(list[0]?.seq).toBeGreaterThan(list[1]?.seq ?? 0);
    });

    it.each([
      ["event_type=api.beta", ["req-3", "req-2"]],
      ["event_type=api.alpha,api.gamma&user=alice", ["req-4", "req-0"]],
      ["event_type=api.alpha,api.beta,api.gamma&user=u-bob", ["req-1"]],
      ["event_type=api.alpha,api.beta,api.gamma&outcome=denied,failure", ["req-2", "req-1"]],
      ["event_type=api.alpha,api.beta,api.gamma&severity=high", ["req-2"]],
      ["resource_type=server", ["req-1", "req-0"]],
      ["resource_type=tool&resource_id=r-3", ["req-3"]],
      ["request_id=req-2", ["req-2"]],
    ])("filters by %s", async (query, expected) => {
      const { status, body } = await get(`/api/v1/audit/events?${query}`);
      expect(status).toBe(200);
      expect(items(body).map((e) => e.request_id)).toEqual(expected);
    });

    it("filters by time window", async () => {
      const all = items((await get("/api/v1/audit/events?request_id=req-2")).body);
      const ts = all[0]?.timestamp ?? "";
      const after = new Date(Date.parse(ts) + 1).toISOString();
      const before = items((await get(`/api/v1/audit/events?event_type=api.beta&to=${after}`)).body);
      expect(before.map((e) => e.request_id)).toContain("req-2");
      const none = items((await get(`/api/v1/audit/events?event_type=api.alpha&from=${after}`)).body);
      expect(none).toEqual([]);
    });

    it("pages with an opaque cursor until has_more is false", async () => {
      const seen: string[] = [];
      let url = "/api/v1/audit/events?event_type=api.alpha,api.beta,api.gamma&limit=2";
      for (let page = 0; page < 5; page++) {
        const { status, body } = await get(url);
        expect(status).toBe(200);
        seen.push(...items(body).map((e) => e.request_id ?? ""));
        if (!body.has_more) break;
        url = `/api/v1/audit/events?event_type=api.alpha,api.beta,api.gamma&limit=2&cursor=${body.next_cursor}`;
      }
      expect(seen).toEqual(["req-4", "req-3", "req-2", "req-1", "req-0"]);
    });

    it.each([
      ["cursor=not-a-cursor", "INVALID_CURSOR"],
      [`cursor=${Buffer.from('{"t":"x","id":"y"}').toString("base64url")}`, "INVALID_CURSOR"],
      ["limit=0", "VALIDATION_FAILED"],
      ["limit=201", "VALIDATION_FAILED"],
      ["from=yesterday", "VALIDATION_FAILED"],
      ["from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "VALIDATION_FAILED"],
      ["outcome=maybe", "VALIDATION_FAILED"],
      ["severity=extreme", "VALIDATION_FAILED"],
    ])("rejects %s with 400", async (query, code) => {
      const { status, body } = await get(`/api/v1/audit/events?${query}`);
      expect(status).toBe(400);
      expect((body.error as { code: string }).code).toBe(code);
    });
  });

  describe("GET /api/v1/audit/events/{id}", () => {
    it("returns one event, 404 for unknown or malformed ids", async () => {
      const [first] = items((await get("/api/v1/audit/events?request_id=req-3")).body);
      const one = await get(`/api/v1/audit/events/${first?.id}`);
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ id: first?.id, request_id: "req-3", hash: first?.hash });
      expect((await get("/api/v1/audit/events/0190b6a0-0000-7000-8000-000000000000")).status).toBe(404);
      expect((await get("/api/v1/audit/events/not-a-uuid")).status).toBe(404);
    });
  });

  describe("GET /api/v1/audit/export", () => {
    it("streams NDJSON oldest first and audits the export", async () => {
      const { res } = await get("/api/v1/audit/export?format=ndjson&event_type=api.alpha,api.beta,api.gamma");
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toContain("application/x-ndjson");
      expect(res.headers["content-disposition"]).toMatch(/attachment; filename="sark-audit-.*\.ndjson"/);
      const lines = res.body
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as EventView);
      expect(lines.map((e) => e.request_id)).toEqual(["req-0", "req-1", "req-2", "req-3", "req-4"]);
      await t.ctx.auditAdmin.flush();
      const exported = items((await get("/api/v1/audit/events?event_type=audit.exported")).body);
      expect(exported[0]).toMatchObject({ outcome: "success", actor: { username: "admin" } });
    });

    it("exports each event exactly as the events API serves it", async () => {
      const { res } = await get("/api/v1/audit/export?format=ndjson&event_type=api.alpha,api.beta,api.gamma");
      const exported = res.body
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as EventView);
      const listed = items((await get("/api/v1/audit/events?event_type=api.alpha,api.beta,api.gamma")).body).reverse();
      expect(exported).toEqual(listed);
    });

    it("pages through microsecond timestamps without repeating or skipping a row", async () => {
      const ids = Array.from({ length: 7 }, (_, i) => `0190b6a0-0000-7000-8000-00000000000${i}`);
      const rollback = new Error("rollback");
      // Rows stored directly (the writer only produces milliseconds), 1 µs apart within one
      // millisecond, inside a transaction rolled back afterwards so the rest of the file never sees them.
      const outcome = t.ctx.database.db.transaction().execute(async (trx) => {
        for (const [i, id] of ids.entries()) {
          await sql`insert into audit_events (id, timestamp, event_type, severity, outcome, actor, details, hash, prev_hash)
            values (${id}::uuid, '2001-01-01T00:00:00.000001Z'::timestamptz + ${i} * interval '1 microsecond',
                    'api.micro', 'low', 'success', '{}', '{}', ${"0".repeat(64)}, ${"0".repeat(64)})`.execute(trx);
        }
        let text = "";
        for await (const chunk of exportNdjson(trx, { eventTypes: ["api.micro"] }, 2)) text += chunk;
        const lines = text
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as EventView);
        expect(lines.map((e) => e.id)).toEqual(ids);
        const csvIds: string[] = [];
        for await (const batch of exportEvents(trx, { eventTypes: ["api.micro"] }, 3)) {
          csvIds.push(...batch.map((e) => e.id));
        }
        expect(csvIds).toEqual(ids);
        throw rollback;
      });
      await expect(outcome).rejects.toBe(rollback);
    });

    it("streams CSV with a header row, quoting and formula neutralisation", async () => {
      const { res } = await get("/api/v1/audit/export?format=csv&event_type=api.alpha&user=alice");
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toContain("text/csv");
      const [header, row, extra] = res.body.trim().split("\r\n");
      expect(header?.split(",").slice(0, 4)).toEqual(["id", "seq", "timestamp", "event_type"]);
      expect(row).toContain("api.alpha");
      expect(row).toContain("req-0");
      expect(extra).toBeUndefined();
      // details is JSON in one quoted cell; it starts with `{`, so it is not a formula.
      expect(row).toContain('"{""i"":0,""note"":""=cmd|\' /C calc\'!A0""}"');
    });

    it("rejects an unknown format", async () => {
      expect((await get("/api/v1/audit/export?format=xml")).status).toBe(400);
    });
  });

  describe("GET /api/v1/audit/stats", () => {
    it("counts by event type, outcome and hour", async () => {
      const { status, body } = await get("/api/v1/audit/stats?event_type=api.alpha,api.beta,api.gamma");
      expect(status).toBe(200);
      expect(body.total).toBe(5);
      expect(body.by_event_type).toEqual([
        { event_type: "api.alpha", count: 2 },
        { event_type: "api.beta", count: 2 },
        { event_type: "api.gamma", count: 1 },
      ]);
      expect(body.by_outcome).toEqual([
        { outcome: "denied", count: 1 },
        { outcome: "failure", count: 1 },
        { outcome: "success", count: 3 },
      ]);
      const hours = body.by_hour as Array<{ hour: string; count: number }>;
      expect(hours.reduce((n, h) => n + h.count, 0)).toBe(5);
      expect(hours[0]?.hour).toMatch(/T\d\d:00:00\.000Z$/);
    });

    it("returns nothing for a window without events and rejects from >= to", async () => {
      const empty = await get("/api/v1/audit/stats?from=2001-01-01T00:00:00Z&to=2001-01-02T00:00:00Z");
      expect(empty.body).toMatchObject({ total: 0, by_event_type: [], by_outcome: [], by_hour: [] });
      expect((await get("/api/v1/audit/stats?from=2001-01-02T00:00:00Z&to=2001-01-01T00:00:00Z")).status).toBe(400);
    });
  });

  describe("GET /api/v1/audit/stream", () => {
    let address = "";
    beforeAll(async () => {
      address = await t.app.listen({ port: 0, host: "127.0.0.1" });
    });

    /** Opens the stream and collects `event: audit` payloads until `count` arrived. */
    async function openStream(query: string, headers: Record<string, string> = {}) {
      const abort = new AbortController();
      const res = await fetch(`${address}/api/v1/audit/stream?${query}`, {
        headers: { authorization: `Bearer ${admin}`, ...headers },
        signal: abort.signal,
      });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let text = "";
      const events = async (count: number) => {
        const blocks = () => text.split("\n\n").filter((b) => b.includes("event: audit"));
        while (blocks().length < count) {
          const chunk = await reader.read();
          if (chunk.done) break;
          text += decoder.decode(chunk.value, { stream: true });
        }
        return blocks().map((b) => ({
          id: b
            .split("\n")
            .find((l) => l.startsWith("id: "))
            ?.slice(4),
          data: JSON.parse(
            b
              .split("\n")
              .find((l) => l.startsWith("data: "))
              ?.slice(6) ?? "{}",
          ) as EventView,
        }));
      };
      return { res, events, close: () => abort.abort(), text: () => text };
    }

    it("sends new matching events as Server-Sent Events", async () => {
      const s = await openStream("event_type=api.live");
      try {
        expect(s.res.status).toBe(200);
        expect(s.res.headers.get("content-type")).toContain("text/event-stream");
        expect(s.res.headers.get("x-content-type-options")).toBe("nosniff");
        await t.ctx.audit.record({ event_type: "api.other", outcome: "success" });
        await t.ctx.audit.record({ event_type: "api.live", outcome: "success", request_id: "live-1" });
        await t.ctx.auditAdmin.flush();
        const [first] = await s.events(1);
        expect(first?.data).toMatchObject({ event_type: "api.live", request_id: "live-1" });
        expect(first?.id).toBe(String(first?.data.seq));
        expect(s.text()).not.toContain("api.other");
      } finally {
        s.close();
      }
    });

    it("resumes after Last-Event-ID without gaps", async () => {
      const [oldest] = items((await get("/api/v1/audit/events?request_id=req-0")).body);
      const s = await openStream("event_type=api.alpha", { "last-event-id": String((oldest?.seq ?? 1) - 1) });
      try {
        const got = await s.events(2);
        expect(got.map((e) => e.data.request_id)).toEqual(["req-0", "req-1"]);
      } finally {
        s.close();
      }
    });
  });

  it("publishes the audit routes in the OpenAPI document", async () => {
    const paths = Object.keys((await t.request({ method: "GET", url: "/openapi.json" })).json().paths);
    for (const p of ["/api/v1/audit/events", "/api/v1/audit/export", "/api/v1/audit/stream", "/api/v1/audit/stats"]) {
      expect(paths).toContain(p);
    }
  });

  describe("health and metrics", () => {
    it("reports the writer in /health/detailed and counts in /metrics", async () => {
      const health = await t.request({ method: "GET", url: "/health/detailed" });
      expect(health.json().components.audit).toMatchObject({
        status: "healthy",
        buffered: expect.any(Number),
        buffer_max: t.config.audit.bufferMax,
        last_error: null,
        last_flush_at: expect.any(String),
        last_maintenance_at: expect.any(String),
      });
      const metrics = (await t.request({ method: "GET", url: "/metrics" })).body;
      const written = /^sark_audit_events_written_total (\d+)/m.exec(metrics);
      expect(Number(written?.[1])).toBeGreaterThanOrEqual(seeded.length);
      expect(metrics).toMatch(/^sark_audit_write_failures_total 0$/m);
      expect(metrics).toMatch(/^sark_audit_buffer_events \d+$/m);
    });
  });

  describe("authentication and policy", () => {
    it("answers 401 without valid credentials", async () => {
      await expectAuthRequired(t, ROUTES);
    });

    it("denies viewers and developers (403) and allows admins", async () => {
      for (const role of ["viewer", "developer"]) {
        await expectForbidden(t, ROUTES, { token: await t.userToken(`audit-${role}`, [role]) });
      }
      expect((await get("/api/v1/audit/events?limit=1")).status).toBe(200);
    });

    it("allows security_admin", async () => {
      const token = await t.userToken("audit-secadmin", ["security_admin"]);
      expect((await get("/api/v1/audit/events?limit=1", token)).status).toBe(200);
    });
  });

  describe("redaction of what the product records", () => {
    const AWS_KEY = ["AKIA", "Z7EXAMPLEKEY0001"].join("");
    const PASSWORD = "Sup3r-Secret-Passw0rd";
    const API_KEY = ["sark_dev_", "Q".repeat(16), "_", "z".repeat(43)].join("");

    it("stores no password, API key or AWS key from logins, headers or server metadata", async () => {
      await t.request({ method: "POST", url: "/api/v1/auth/login", body: { username: "ghost", password: PASSWORD } });
      await t.request({
        method: "POST",
        url: "/api/v1/auth/login",
        body: { username: { nested: true }, password: PASSWORD, junk: [PASSWORD] },
      });
      await t.request({ method: "GET", url: "/api/v1/servers", apiKey: API_KEY });
      const reg = await t.request({
        method: "POST",
        url: "/api/v1/servers",
        token: admin,
        body: {
          name: "aws-metadata-server",
          transport: "streamable-http",
          endpoint: "https://mcp.example.test/mcp",
          metadata: { deploy: `aws key ${AWS_KEY}`, api_key: API_KEY, password: PASSWORD },
        },
      });
      expect(reg.statusCode, reg.body).toBe(201);
      await t.ctx.auditAdmin.flush();
      const failed = items((await get("/api/v1/audit/events?event_type=auth.login&outcome=failure")).body);
      expect(failed.some((e) => e.actor.username === "ghost")).toBe(true);
      const all = await sql<{ text: string }>`select (a.*)::text as text from audit_events a`.execute(
        t.ctx.database.db,
      );
      for (const { text } of all.rows) {
        for (const secret of [PASSWORD, API_KEY, AWS_KEY]) expect(text).not.toContain(secret);
      }
    });
  });
});
