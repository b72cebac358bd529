import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/platform/logger.js";
import { ADMIN, createTestApp, type TestApp } from "../helpers/app.js";
import { BACKEND_LABEL } from "../helpers/backends.js";

describe(`HTTP pipeline (${BACKEND_LABEL})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ CORS_ORIGINS: "https://console.example.test", BODY_LIMIT_BYTES: "2048" });
  });
  afterAll(() => t.close());

  it("answers /health with the status the deployment guide checks, the version and the time", async () => {
    const res = await t.request({ method: "GET", url: "/health" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: "healthy",
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      environment: "development",
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it("echoes a caller's X-Request-ID and generates one otherwise", async () => {
    const given = await t.request({ method: "GET", url: "/health", headers: { "x-request-id": "trace-abc.123" } });
    expect(given.headers["x-request-id"]).toBe("trace-abc.123");
    const generated = await t.request({ method: "GET", url: "/health" });
    expect(generated.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("replaces a request id that could inject content into logs or headers", async () => {
    const res = await t.request({ method: "GET", url: "/health", headers: { "x-request-id": "a b<script>" } });
    expect(res.headers["x-request-id"]).not.toBe("a b<script>");
  });

  it("sets security headers on every response, errors included", async () => {
    for (const url of ["/health", "/no/such/route"]) {
      const res = await t.request({ method: "GET", url });
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
      expect(res.headers["x-frame-options"]).toBe("DENY");
      expect(res.headers["referrer-policy"]).toBe("no-referrer");
      expect(res.headers["content-security-policy"]).toContain("default-src 'none'");
      expect(res.headers["strict-transport-security"]).toBeUndefined();
    }
  });

  it("renders unknown routes in the error envelope", async () => {
    const res = await t.request({ method: "GET", url: "/api/v1/nothing-here" });
    expect(res.statusCode).toBe(404);
    const body = res.json();
    expect(body.error).toMatchObject({ code: "NOT_FOUND", request_id: res.headers["x-request-id"] });
  });

  it("answers CORS preflights only for configured origins", async () => {
    const allowed = await t.request({
      method: "OPTIONS",
      url: "/api/v1/servers",
      headers: { origin: "https://console.example.test", "access-control-request-method": "POST" },
    });
    expect(allowed.headers["access-control-allow-origin"]).toBe("https://console.example.test");
    const other = await t.request({
      method: "OPTIONS",
      url: "/api/v1/servers",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("lets a configured origin preflight every method the API serves, with its auth headers", async () => {
    for (const method of ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]) {
      const res = await t.request({
        method: "OPTIONS",
        url: "/api/v1/servers/00000000-0000-0000-0000-000000000000",
        headers: {
          origin: "https://console.example.test",
          "access-control-request-method": method,
          "access-control-request-headers": "authorization, x-api-key, content-type, x-request-id",
        },
      });
      expect(res.statusCode, method).toBe(204);
      expect(res.headers["access-control-allow-origin"]).toBe("https://console.example.test");
      const methods = String(res.headers["access-control-allow-methods"])
        .split(",")
        .map((m) => m.trim());
      expect(methods, method).toContain(method);
      const headers = String(res.headers["access-control-allow-headers"]).toLowerCase();
      for (const h of ["authorization", "x-api-key", "content-type", "x-request-id"]) expect(headers).toContain(h);
    }
  });

  it("requires authentication on API routes", async () => {
    const res = await t.request({ method: "GET", url: "/api/v1/servers" });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe("UNAUTHENTICATED");
  });

  it("rejects bodies over the limit with 413 and malformed JSON with 400", async () => {
    const big = await t.request({
      method: "POST",
      url: "/api/v1/auth/login",
      body: { username: "x".repeat(4096), password: "y" },
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe("PAYLOAD_TOO_LARGE");
    const malformed = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      headers: { "content-type": "application/json" },
      payload: "{not json",
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe("VALIDATION_FAILED");
  });

  it("serves the OpenAPI document and docs UI without authentication", async () => {
    const spec = await t.request({ method: "GET", url: "/openapi.json" });
    expect(spec.statusCode).toBe(200);
    expect(spec.json().openapi).toMatch(/^3\./);
    expect(Object.keys(spec.json().paths)).toEqual(expect.arrayContaining(["/api/v1/servers", "/api/v1/auth/login"]));
    expect((await t.request({ method: "GET", url: "/docs/" })).statusCode).toBe(200);
  });

  it("exposes Prometheus metrics with route templates, not raw paths", async () => {
    await t.request({ method: "GET", url: "/health" });
    const res = await t.request({ method: "GET", url: "/metrics" });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('sark_http_requests_total{method="GET",route="/health",status="200"}');
    expect(res.body).toContain("sark_http_request_duration_seconds_bucket");
    expect(res.body).toContain("process_cpu_user_seconds_total");
  });

  it("reports components in /health/detailed", async () => {
    const res = await t.request({ method: "GET", url: "/health/detailed" });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe("healthy");
    expect(body.components.database.status).toBe("healthy");
    expect(typeof body.components.database.latency_ms).toBe("number");
    expect(Number.isInteger(body.uptime_s)).toBe(true);
  });

  it("logs in with the bootstrap admin password from SARK_ADMIN_PASSWORD", async () => {
    expect(await t.login(ADMIN.username, ADMIN.password)).toMatch(/^ey/);
  });
});

describe(`read-only mode (${BACKEND_LABEL})`, () => {
  let t: TestApp;
  const logLines: Record<string, unknown>[] = [];
  beforeAll(async () => {
    const logger = createLogger(
      { logging: { level: "info" }, environment: "development" },
      { write: (line: string) => logLines.push(JSON.parse(line)) },
    );
    t = await createTestApp({ READ_ONLY_MODE: "true" }, { logger });
  });
  afterAll(() => t.close());

  it("rejects changes with 503 READ_ONLY, keeps reads and login working, and audits the rejection", async () => {
    const token = await t.adminToken();
    const post = await t.request({
      method: "POST",
      url: "/api/v1/servers",
      token,
      body: { name: "ro-test", transport: "streamable-http", endpoint: "https://mcp.example.test/mcp" },
    });
    expect(post.statusCode).toBe(503);
    expect(post.json().error.code).toBe("READ_ONLY");
    expect(post.headers["retry-after"]).toBeDefined();
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      const res = await t.request({
        method,
        url: "/api/v1/servers/00000000-0000-7000-8000-000000000000",
        token,
        body: {},
      });
      expect(res.statusCode, method).toBe(503);
    }
    const get = await t.request({ method: "GET", url: "/api/v1/servers", token });
    expect(get.statusCode).toBe(200);
    await t.ctx.auditAdmin.flush();
    const res = await t.request({
      method: "GET",
      url: "/api/v1/audit/events?event_type=system.read_only_rejected",
      token,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().items.length).toBeGreaterThanOrEqual(4);
  });

  it("logs each rejection as one info line with its code, not as an error with a stack", async () => {
    const token = await t.adminToken();
    const res = await t.request({
      method: "DELETE",
      url: "/api/v1/servers/00000000-0000-7000-8000-000000000001",
      token,
    });
    expect(res.statusCode).toBe(503);
    const reqId = res.json().error.request_id;
    const lines = logLines.filter((l) => l.reqId === reqId && l.msg !== "request");
    expect(lines).toEqual([expect.objectContaining({ level: "info", code: "READ_ONLY" })]);
    expect(lines[0]).not.toHaveProperty("err");
    expect(logLines.some((l) => l.level === "error")).toBe(false);
  });

  it("keeps answering policy decisions, validation and tests, which change nothing", async () => {
    const token = await t.adminToken();
    const evaluate = await t.request({
      method: "POST",
      url: "/api/v1/policies/evaluate",
      token,
      body: { action: "server:read" },
    });
    expect(evaluate.statusCode, evaluate.body).toBe(200);
    expect(evaluate.json()).toHaveProperty("allow");
    const content = 'package ro.check\n\nallow if input.x == 1\n\ntest_allow if allow with input as {"x": 1}\n';
    for (const url of ["/api/v1/policies/validate", "/api/v1/policies/test"]) {
      const res = await t.request({ method: "POST", url, token, body: { content } });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    }
    const create = await t.request({ method: "POST", url: "/api/v1/policies", token, body: { name: "ro", content } });
    expect(create.json().error.code).toBe("READ_ONLY");
  });
});

describe(`uptime in /health/detailed (${BACKEND_LABEL})`, () => {
  // A clock that moves only when told: uptime is asserted exactly, with no dependence on timing.
  let now = Date.now();
  const clock = { now: () => now };
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({}, { clock });
  });
  afterAll(() => t.close());

  const uptime = async () => (await t.request({ method: "GET", url: "/health/detailed" })).json().uptime_s;

  it("counts whole seconds since the context started, from the context's clock", async () => {
    expect(await uptime()).toBe(0);
    now += 90_000;
    expect(await uptime()).toBe(90);
    now += 3_600_400;
    expect(await uptime()).toBe(3690);
  });
});
