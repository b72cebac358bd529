import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { eventually } from "../helpers/eventually.js";
import { type PrivateRedis, privateRedis } from "../platform/fixtures/redis-server.js";

/**
 * Redis stopped under the limiter (its own private redis-server): no 500, limits still enforced
 * per replica at RATE_LIMIT_FALLBACK_FRACTION, /health/detailed says degraded, and shared counting
 * resumes when Redis is back. A `.slow` suite: it drives a real redis-server process it kills and
 * restarts, so `.ci/run` runs it in its slow steps (embedded and PostgreSQL + Redis), not `npm test`.
 */
describe("rate limits while Redis is down", () => {
  let redis: PrivateRedis;
  let t: TestApp;
  let token: string;
  let now = Date.now();
  const clock = { now: () => now };
  const me = () => t.request({ method: "GET", url: "/api/v1/auth/me", token });
  const limiterHealth = async () =>
    (await t.request({ method: "GET", url: "/health/detailed" })).json().components.ratelimit;

  beforeAll(async () => {
    redis = await privateRedis();
    await redis.start();
    t = await createTestApp(
      { REDIS_URL: redis.url, RATE_LIMIT_PER_USER: "20", RATE_LIMIT_FALLBACK_FRACTION: "0.5" },
      { clock },
    );
    token = await t.adminToken();
    now += 60_000;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await redis?.kill();
  });

  it("limits from memory at the fallback fraction, never 500, reports degraded, and shares again when Redis returns", async () => {
    for (let i = 0; i < 5; i++) expect((await me()).statusCode).toBe(200);
    expect(await limiterHealth()).toMatchObject({ status: "healthy", store: "redis", degraded: false });

    await redis.kill();
    const statuses: number[] = [];
    let lastLimit: unknown;
    for (let i = 0; i < 15; i++) {
      const res = await me();
      statuses.push(res.statusCode);
      lastLimit = res.headers["x-ratelimit-limit"];
    }
    // Half of 20 per replica, counted from nothing: 10 served, then 429; never unlimited, never 500.
    expect(statuses).toEqual([...new Array(10).fill(200), ...new Array(5).fill(429)]);
    expect(lastLimit).toBe("10");
    expect(await limiterHealth()).toMatchObject({ status: "degraded", store: "redis", degraded: true });
    const detailed = (await t.request({ method: "GET", url: "/health/detailed" })).json();
    expect(detailed.status).toBe("degraded");
    expect((await t.request({ method: "GET", url: "/metrics" })).body).toMatch(/^sark_ratelimit_degraded 1$/m);

    await redis.start(); // empty: the shared count starts again
    await eventually(async () => {
      now += 1_000; // the limiter retries Redis once a second (and ioredis reconnects on its own)
      const res = await me();
      expect(res.statusCode).toBe(200);
      expect(res.headers["x-ratelimit-limit"]).toBe("20");
    });
    expect(await limiterHealth()).toMatchObject({ status: "healthy", degraded: false });
    expect((await t.request({ method: "GET", url: "/metrics" })).body).toMatch(/^sark_ratelimit_degraded 0$/m);
  }, 60_000);
});
