import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, createTestApp, type TestApp } from "../helpers/app.js";
import { BACKEND_LABEL } from "../helpers/backends.js";

/**
 * The request limiter end to end (docs/RATE_LIMITS.md) on a clock that moves only when told, so
 * "within a minute" and "after the window" are exact whatever the machine's speed.
 */

const MINUTE_MS = 60_000;

function expectLimited(res: LightMyRequestResponse, limit: number, kind: string): void {
  expect(res.statusCode, res.body).toBe(429);
  expect(res.json().error.code).toBe("RATE_LIMITED");
  expect(Number(res.headers["retry-after"])).toBeGreaterThanOrEqual(1);
  expect(res.headers["x-ratelimit-limit"]).toBe(String(limit));
  expect(res.headers["x-ratelimit-remaining"]).toBe("0");
  expect(Number(res.headers["x-ratelimit-reset"])).toBeGreaterThan(0);
  expect(res.headers["ratelimit-policy"]).toBe(`"${kind}";q=${limit};w=60`);
  expect(res.headers.ratelimit).toMatch(new RegExp(`^"${kind}";r=0;t=\\d+$`));
}

async function auditEvents(t: TestApp, eventType: string): Promise<Array<Record<string, unknown>>> {
  await t.ctx.auditAdmin.flush();
  const res = await t.app.inject({
    method: "GET",
    url: `/api/v1/audit/events?event_type=${eventType}`,
    headers: { authorization: `Bearer ${await t.adminToken()}` },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items;
}

describe(`per-user limit (${BACKEND_LABEL})`, () => {
  let now = Date.now();
  const clock = { now: () => now };
  let t: TestApp;
  let alice: string;
  const me = (token: string) => t.request({ method: "GET", url: "/api/v1/auth/me", token });

  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_PER_USER: "20" }, { clock });
    alice = await t.userToken("alice", ["developer"]);
    now += MINUTE_MS; // the admin's and alice's setup requests are forgotten
  }, 60_000);
  afterAll(() => t?.close());

  it("serves 20 requests a minute with the limit headers, answers the 21st 429 with Retry-After, and serves again after the window", async () => {
    for (let i = 0; i < 20; i++) {
      const res = await me(alice);
      expect(res.statusCode, `request ${i + 1}`).toBe(200);
      expect(res.headers["x-ratelimit-limit"]).toBe("20");
      expect(res.headers["x-ratelimit-remaining"]).toBe(String(19 - i));
      expect(res.headers["ratelimit-policy"]).toBe('"user";q=20;w=60');
    }
    const limited = await me(alice);
    expectLimited(limited, 20, "user");
    // 20 a minute is one every 3 s: that is when the next request fits.
    expect(limited.headers["retry-after"]).toBe("3");
    expect(limited.json().error.details).toMatchObject({ limit_kind: "user", limit: 20, retry_after_seconds: 3 });

    now += 3000;
    expect((await me(alice)).statusCode).toBe(200);
    expectLimited(await me(alice), 20, "user");

    now += MINUTE_MS;
    for (let i = 0; i < 20; i++) expect((await me(alice)).statusCode).toBe(200);
  });

  it("counts users apart, and limits admins like everyone else", async () => {
    now += MINUTE_MS;
    for (let i = 0; i < 21; i++) await me(alice);
    expectLimited(await me(alice), 20, "user");
    const admin = await t.adminToken(); // login is a public route: counted per address, not per user
    for (let i = 0; i < 20; i++) expect((await me(admin)).statusCode).toBe(200);
    expectLimited(await me(admin), 20, "user");
  });

  it("audits one ratelimit.exceeded per identity per minute, not one per rejected request, and counts every rejection", async () => {
    now += 2 * MINUTE_MS;
    const bob = await t.userToken("bob", ["developer"]);
    now += MINUTE_MS;
    for (let i = 0; i < 25; i++) await me(bob); // 5 rejections
    now += MINUTE_MS + 1;
    for (let i = 0; i < 22; i++) await me(bob); // 2 more, in the next minute
    now += MINUTE_MS;
    const events = (await auditEvents(t, "ratelimit.exceeded")).filter(
      (e) => (e.actor as { username?: string }).username === "bob",
    );
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      outcome: "denied",
      action: "GET /api/v1/auth/me",
      details: { limit_kind: "user", limit: 20, window_seconds: 60 },
    });
    const metrics = (await t.request({ method: "GET", url: "/metrics" })).body;
    expect(metrics).toMatch(/sark_ratelimit_rejections_total\{kind="user"\} \d+/);
  });
});

describe(`per-API-key limit (${BACKEND_LABEL})`, () => {
  let now = Date.now();
  const clock = { now: () => now };
  let t: TestApp;
  let slowKey: string;
  let defaultKey: string;
  let carol: string;

  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_PER_API_KEY: "8" }, { clock });
    carol = await t.userToken("carol", ["developer"]);
    const create = async (body: object) => {
      const res = await t.request({ method: "POST", url: "/api/v1/api-keys", token: carol, body });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().key as string;
    };
    slowKey = await create({ name: "slow", scopes: ["servers:read"], rate_limit_per_minute: 5 });
    defaultKey = await create({ name: "default", scopes: ["servers:read"] });
    now += MINUTE_MS;
  }, 60_000);
  afterAll(() => t?.close());

  const me = (apiKey: string) => t.request({ method: "GET", url: "/api/v1/auth/me", apiKey });

  it("a key with rate_limit_per_minute 5 serves exactly 5 a minute; the user's other key and token are unaffected", async () => {
    const served = [];
    for (let i = 0; i < 12; i++) served.push((await me(slowKey)).statusCode);
    expect(served.filter((s) => s === 200)).toHaveLength(5);
    expectLimited(await me(slowKey), 5, "api_key");

    for (let i = 0; i < 8; i++) expect((await me(defaultKey)).statusCode, `default key ${i}`).toBe(200);
    expectLimited(await me(defaultKey), 8, "api_key"); // RATE_LIMIT_PER_API_KEY
    expect((await t.request({ method: "GET", url: "/api/v1/auth/me", token: carol })).statusCode).toBe(200);

    now += MINUTE_MS;
    for (let i = 0; i < 5; i++) expect((await me(slowKey)).statusCode).toBe(200);
    expect((await me(slowKey)).statusCode).toBe(429);
  });
});

describe(`per-address limit for unauthenticated requests (${BACKEND_LABEL})`, () => {
  let now = Date.now();
  const clock = { now: () => now };
  let t: TestApp;
  const anonymous = (remoteAddress: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: "GET", url: "/api/v1/servers", remoteAddress, headers });

  beforeAll(async () => {
    t = await createTestApp({}, { clock });
  }, 60_000);
  afterAll(() => t?.close());

  it("answers the 101st unauthenticated request from one address in a minute 429, and counts other addresses apart", async () => {
    for (let i = 0; i < 100; i++) expect((await anonymous("198.51.100.7")).statusCode, `request ${i + 1}`).toBe(401);
    expectLimited(await anonymous("198.51.100.7"), 100, "ip");
    expect((await anonymous("198.51.100.8")).statusCode).toBe(401);
  });

  it("counts failed credentials against the address too: guessing keys or tokens is limited", async () => {
    now += MINUTE_MS;
    for (let i = 0; i < 100; i++) {
      await t.app.inject({
        method: "GET",
        url: "/api/v1/auth/me",
        remoteAddress: "198.51.100.9",
        headers: { "x-api-key": `sark_dev_guess${i}_${"x".repeat(32)}` },
      });
    }
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      remoteAddress: "198.51.100.9",
      payload: { username: ADMIN.username, password: ADMIN.password },
    });
    expectLimited(res, 100, "ip");
  });

  it("never limits the probes or /metrics", async () => {
    for (const url of ["/health", "/health/live", "/health/ready", "/ready", "/health/startup", "/metrics"]) {
      const res = await t.app.inject({ method: "GET", url, remoteAddress: "198.51.100.7" });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers["x-ratelimit-limit"], url).toBeUndefined();
    }
  });

  it("documents the 429 on every limited route in the OpenAPI document, and on no probe", async () => {
    const doc = (await t.app.inject({ method: "GET", url: "/openapi.json", remoteAddress: "198.51.100.30" })).json();
    for (const [path, method] of [
      ["/api/v1/servers", "get"],
      ["/api/v1/auth/login", "post"],
      ["/api/v1/policies/evaluate", "post"],
    ] as const) {
      const response = doc.paths[path][method].responses["429"];
      expect(response?.description, `${method} ${path}`).toMatch(/RATE_LIMITED/);
      expect(response.headers["retry-after"]).toBeDefined();
    }
    expect(doc.paths["/health/live"].get.responses["429"]).toBeUndefined();
  });

  it("ignores X-Forwarded-For without TRUST_PROXY: the socket address is the client", async () => {
    now += MINUTE_MS;
    for (let i = 0; i < 100; i++) await anonymous("198.51.100.20", { "x-forwarded-for": `203.0.113.${i}` });
    expectLimited(await anonymous("198.51.100.20", { "x-forwarded-for": "203.0.113.200" }), 100, "ip");
  });
});

describe(`behind a trusted proxy (${BACKEND_LABEL})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ TRUST_PROXY: "1", RATE_LIMIT_PER_IP: "3" });
  }, 60_000);
  afterAll(() => t?.close());

  const viaProxy = (forwardedFor: string) =>
    t.app.inject({
      method: "GET",
      url: "/api/v1/servers",
      remoteAddress: "10.0.0.2",
      headers: { "x-forwarded-for": forwardedFor },
    });

  it("counts distinct X-Forwarded-For clients apart, and a client cannot pick its address by prepending one", async () => {
    for (let i = 0; i < 3; i++) expect((await viaProxy("192.0.2.1")).statusCode).toBe(401);
    expectLimited(await viaProxy("192.0.2.1"), 3, "ip");
    expect((await viaProxy("192.0.2.2")).statusCode).toBe(401);
    // With one trusted hop the client is the address the proxy appended, not what the client sent.
    expectLimited(await viaProxy("203.0.113.99, 192.0.2.1"), 3, "ip");
  });
});

describe(`role overrides and switching it off (${BACKEND_LABEL})`, () => {
  it("RATE_LIMIT_ROLE_OVERRIDES sets a role's ceiling, above or below the default", async () => {
    const t = await createTestApp({ RATE_LIMIT_PER_USER: "50", RATE_LIMIT_ROLE_OVERRIDES: "analyst=3,admin=4" });
    try {
      const auditor = await t.userToken("ann", ["analyst", "developer"]);
      for (let i = 0; i < 3; i++) await t.request({ method: "GET", url: "/api/v1/auth/me", token: auditor });
      expectLimited(await t.request({ method: "GET", url: "/api/v1/auth/me", token: auditor }), 3, "user");
    } finally {
      await t.close();
    }
  }, 60_000);

  it("RATE_LIMIT_ENABLED=false neither limits nor sends limit headers", async () => {
    const t = await createTestApp({ RATE_LIMIT_ENABLED: "false", RATE_LIMIT_PER_IP: "1" });
    try {
      for (let i = 0; i < 5; i++) {
        const res = await t.app.inject({ method: "GET", url: "/api/v1/servers" });
        expect(res.statusCode).toBe(401);
        expect(res.headers["x-ratelimit-limit"]).toBeUndefined();
      }
      const detailed = (await t.request({ method: "GET", url: "/health/detailed" })).json();
      expect(detailed.components.ratelimit).toEqual({ status: "healthy", enabled: false });
    } finally {
      await t.close();
    }
  }, 60_000);
});
