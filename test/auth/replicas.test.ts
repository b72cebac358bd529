import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/platform/config/index.js";
import { ADMIN } from "../helpers/app.js";
import { createTestSchema, TEST_DATABASE_URL, TEST_REDIS_URL, uniquePrefix } from "../helpers/backends.js";
import { eventually } from "../helpers/eventually.js";
import { type Replica, startReplicas, stopReplicas } from "../helpers/replicas.js";

// Two replicas need a shared database and a shared cache: PostgreSQL + Redis only.
describe.skipIf(!TEST_DATABASE_URL || !TEST_REDIS_URL)("revocation across replicas (PostgreSQL + Redis)", () => {
  const replicas: Replica[] = [];
  let dropSchema: (() => Promise<void>) | undefined;
  const call = (
    r: Replica,
    opts: { method: string; url: string; token?: string; apiKey?: string; body?: unknown },
  ): Promise<LightMyRequestResponse> =>
    r.app.inject({
      method: opts.method as "GET",
      url: opts.url,
      headers: {
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...(opts.apiKey ? { "x-api-key": opts.apiKey } : {}),
      },
      ...(opts.body === undefined ? {} : { payload: opts.body as object }),
    });

  beforeAll(async () => {
    const schema = await createTestSchema();
    dropSchema = schema?.drop;
    const prefix = uniquePrefix();
    const config = loadConfig({
      LOG_LEVEL: "silent",
      SARK_ADMIN_PASSWORD: ADMIN.password,
      JWT_SECRET_KEY: "replica-test-secret-that-is-long-enough-0123456789",
      DATABASE_URL: TEST_DATABASE_URL ?? "",
      DB_POOL_SIZE: "5",
      REDIS_URL: TEST_REDIS_URL ?? "",
    });
    replicas.push(...(await startReplicas(config, 2, { schema: schema?.schema, prefix })));
  });
  afterAll(async () => {
    await stopReplicas(replicas);
    await dropSchema?.();
  });

  const replica = (i: number): Replica => {
    const r = replicas[i];
    if (!r) throw new Error(`replica ${i} did not start`);
    return r;
  };
  const [a, b] = [() => replica(0), () => replica(1)];
  const login = async (r: Replica, username: string, password: string) => {
    const res = await call(r, { method: "POST", url: "/api/v1/auth/login", body: { username, password } });
    return res.json<{ access_token: string }>().access_token;
  };
  const me = (r: Replica, creds: { token?: string; apiKey?: string }) =>
    call(r, { method: "GET", url: "/api/v1/auth/me", ...creds });

  it("logout on one replica revokes the token on the other", async () => {
    const token = await login(a(), ADMIN.username, ADMIN.password);
    expect((await me(b(), { token })).statusCode).toBe(200);
    expect((await call(a(), { method: "POST", url: "/api/v1/auth/logout", token })).statusCode).toBe(204);
    expect((await me(b(), { token })).statusCode).toBe(401);
  });

  it("a key rotated on one replica stops working on the other", async () => {
    const token = await login(a(), ADMIN.username, ADMIN.password);
    const created = await call(a(), {
      method: "POST",
      url: "/api/v1/api-keys",
      token,
      body: { name: "r", scopes: ["servers:read"] },
    });
    const { id, key } = created.json<{ id: string; key: string }>();
    expect((await me(b(), { apiKey: key })).statusCode).toBe(200);
    expect((await call(a(), { method: "POST", url: `/api/v1/api-keys/${id}/rotate`, token })).statusCode).toBe(200);
    expect((await me(b(), { apiKey: key })).statusCode).toBe(401);
  });

  it("a user deactivated on one replica is locked out of the other within seconds", async () => {
    const admin = await login(a(), ADMIN.username, ADMIN.password);
    const created = await call(a(), {
      method: "POST",
      url: "/api/v1/users",
      token: admin,
      body: { username: "remote", password: "remote-password-123", roles: ["viewer"] },
    });
    const { id } = created.json<{ id: string }>();
    const token = await login(b(), "remote", "remote-password-123");
    expect((await me(b(), { token })).statusCode).toBe(200);
    await call(a(), { method: "PATCH", url: `/api/v1/users/${id}`, token: admin, body: { is_active: false } });
    await eventually(async () => {
      expect((await me(b(), { token })).statusCode).toBe(401);
    });
  });
});
