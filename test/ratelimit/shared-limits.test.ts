import type { LightMyRequestResponse } from "fastify";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisCache } from "../../src/platform/cache.js";
import { loadConfig } from "../../src/platform/config/index.js";
import { intervalUs } from "../../src/ratelimit/gcra.js";
import { createMemoryLimitStore } from "../../src/ratelimit/memory-store.js";
import { createRedisLimitStore } from "../../src/ratelimit/redis-store.js";
import { ADMIN } from "../helpers/app.js";
import { createTestSchema, TEST_DATABASE_URL, TEST_REDIS_URL, uniquePrefix } from "../helpers/backends.js";
import { type Replica, startReplicas, stopReplicas } from "../helpers/replicas.js";

/** What only a shared Redis can show: replicas sharing one count, and what the keys hold. */

const MINUTE_MS = 60_000;

describe.skipIf(!TEST_DATABASE_URL || !TEST_REDIS_URL)("limits across replicas (PostgreSQL + Redis)", () => {
  const replicas: Replica[] = [];
  let dropSchema: (() => Promise<void>) | undefined;
  let prefix = "";
  let now = Date.now();
  const clock = { now: () => now };

  const call = (r: Replica | undefined, opts: { token?: string; apiKey?: string; url?: string }) =>
    (r as Replica).app.inject({
      method: "GET",
      url: opts.url ?? "/api/v1/auth/me",
      headers: {
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...(opts.apiKey ? { "x-api-key": opts.apiKey } : {}),
      },
    });

  async function login(r: Replica | undefined, username: string, password: string): Promise<string> {
    const res = await (r as Replica).app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { username, password },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().access_token;
  }

  beforeAll(async () => {
    const schema = await createTestSchema();
    dropSchema = schema?.drop;
    prefix = uniquePrefix();
    const config = loadConfig({
      LOG_LEVEL: "silent",
      SARK_ADMIN_PASSWORD: ADMIN.password,
      JWT_SECRET_KEY: "ratelimit-replica-test-secret-long-enough-0123456789",
      DATABASE_URL: TEST_DATABASE_URL ?? "",
      DB_POOL_SIZE: "5",
      REDIS_URL: TEST_REDIS_URL ?? "",
      RATE_LIMIT_PER_USER: "20",
    });
    replicas.push(...(await startReplicas(config, 2, { schema: schema?.schema, prefix, clock })));
  }, 60_000);

  afterAll(async () => {
    await stopReplicas(replicas);
    await dropSchema?.();
  });

  it("two replicas share one user's count: 20 in a minute across both, the 21st is 429 on either", async () => {
    const [a, b] = replicas;
    const token = await login(a, ADMIN.username, ADMIN.password);
    now += MINUTE_MS;
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await call(i % 2 ? b : a, { token })).statusCode);
    expect(statuses).toEqual(new Array(20).fill(200));
    const onA = await call(a, { token });
    const onB = await call(b, { token });
    expect([onA.statusCode, onB.statusCode]).toEqual([429, 429]);
    expect(onB.headers["x-ratelimit-limit"]).toBe("20");

    now += MINUTE_MS;
    expect((await call(b, { token })).statusCode).toBe(200);
  });

  it("keeps no API-key secret in Redis: limit keys hold the key's public id", async () => {
    const [a, b] = replicas;
    const token = await login(a, ADMIN.username, ADMIN.password);
    const created = await (a as Replica).app.inject({
      method: "POST",
      url: "/api/v1/api-keys",
      headers: { authorization: `Bearer ${token}` },
      payload: { name: "scan-me", scopes: ["servers:read"], rate_limit_per_minute: 2 },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { id, key } = created.json() as { id: string; key: string };
    const responses: LightMyRequestResponse[] = [];
    for (let i = 0; i < 4; i++) responses.push(await call(i % 2 ? b : a, { apiKey: key }));
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 429, 429]);

    const redis = new Redis(TEST_REDIS_URL ?? "");
    try {
      const keys: string[] = [];
      let cursor = "0";
      do {
        const [next, batch] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== "0");
      expect(keys).toContain(`${prefix}ratelimit:api_key:${id}`);
      const secret = key.slice(key.lastIndexOf("_") + 1);
      expect(secret.length).toBeGreaterThanOrEqual(20);
      for (const k of keys) {
        expect(k).not.toContain(secret);
        const value = await redis.get(k).catch(() => null); // non-string keys are not limit state
        expect(value ?? "").not.toContain(secret);
      }
    } finally {
      redis.disconnect();
    }
  });
});

describe.skipIf(!TEST_REDIS_URL)("the Redis script and the memory store apply the same GCRA", () => {
  it("agree on every decision for the same requests at the same times", async () => {
    const cache = createRedisCache(TEST_REDIS_URL ?? "", uniquePrefix());
    try {
      const redis = createRedisLimitStore(cache);
      const memory = createMemoryLimitStore();
      const periodUs = 60_000_000;
      let nowUs = Date.now() * 1000;
      let seed = 7;
      const random = () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      for (const limit of [1, 3, 7, 20, 1000]) {
        const key = `agree:${limit}`;
        for (let i = 0; i < 3 * limit + 20; i++) {
          // Mostly bursts, sometimes a pause of up to two intervals, now and then a long quiet.
          nowUs +=
            random() < 0.1
              ? periodUs
              : Math.floor(random() * 2 * intervalUs(limit, periodUs) * (random() < 0.5 ? 0 : 1));
          const count = random() < 0.7 ? 1 : 1 + Math.floor(random() * 8); // leases take several at once
          const [fromRedis, fromMemory] = [
            await redis.consume(key, limit, periodUs, nowUs, count),
            await memory.consume(key, limit, periodUs, nowUs, count),
          ];
          expect(fromRedis, `limit ${limit}, request ${i}`).toEqual(fromMemory);
        }
      }
    } finally {
      await cache.close();
    }
  });
});
