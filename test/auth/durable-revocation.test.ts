import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LightMyRequestResponse } from "fastify";
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.js";
import { type Context, createContext } from "../../src/context.js";
import { loadConfig } from "../../src/platform/config/index.js";
import type { AppInstance } from "../../src/platform/feature.js";
import { ADMIN } from "../helpers/app.js";
import {
  BACKEND_LABEL,
  createTestSchema,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  uniquePrefix,
} from "../helpers/backends.js";
import { eventually } from "../helpers/eventually.js";

interface Node {
  ctx: Context;
  app: AppInstance;
  prefix: string;
}

/**
 * Revocations survive a restart of SARK and of Redis (issue 14, item 3). A "restart" is a new
 * Context on the same database: PGlite on a data directory, or the same PostgreSQL schema. A Redis
 * restart is a fresh key prefix (nothing cached) or the prefix's keys deleted under a running node.
 */
describe(`durable revocation (${BACKEND_LABEL})`, () => {
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  const dataDir = mkdtempSync(join(tmpdir(), "sark-revocation-"));
  const config = loadConfig({
    LOG_LEVEL: "silent",
    SARK_ADMIN_PASSWORD: ADMIN.password,
    SARK_DATA_DIR: dataDir,
    JWT_SECRET_KEY: "durable-revocation-test-secret-0123456789abcdef",
    AUDIT_FLUSH_INTERVAL_MS: "20",
    // Polling with revoked tokens is anonymous traffic from one address; at the default 100/min the
    // limiter would answer 429 before the revocation check these tests are about.
    RATE_LIMIT_PER_IP: "100000",
    ...(TEST_DATABASE_URL ? { DATABASE_URL: TEST_DATABASE_URL, DB_POOL_SIZE: "3" } : {}),
    ...(TEST_REDIS_URL ? { REDIS_URL: TEST_REDIS_URL } : {}),
  });
  const memoryConfig = { ...config, redis: { ...config.redis, url: undefined } };
  const running: Node[] = [];

  async function startNode(prefix = uniquePrefix(), nodeConfig = config): Promise<Node> {
    const ctx = await createContext(nodeConfig, {
      logger: pino({ level: "silent" }),
      // PGlite keeps its files in the data directory, so the next node opens the same database.
      inMemoryDatabase: false,
      databaseSchema: schema?.schema,
      cachePrefix: prefix,
    });
    await ctx.migrator.up();
    await ctx.accounts.bootstrapAdmin();
    const app = await buildApp(ctx);
    await app.ready();
    await ctx.start();
    const node = { ctx, app, prefix };
    running.push(node);
    return node;
  }
  async function stopNode(node: Node): Promise<void> {
    running.splice(running.indexOf(node), 1);
    await node.app.close();
    await node.ctx.stop();
  }
  /** Stops `node` and starts another on the same database; `freshCache` also forgets Redis. */
  async function restart(node: Node, freshCache: boolean): Promise<Node> {
    await stopNode(node);
    return startNode(freshCache ? uniquePrefix() : node.prefix);
  }

  const call = (
    n: Node,
    opts: { method: string; url: string; token?: string; body?: unknown },
  ): Promise<LightMyRequestResponse> =>
    n.app.inject({
      method: opts.method as "GET",
      url: opts.url,
      headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {},
      ...(opts.body === undefined ? {} : { payload: opts.body as object }),
    });
  const login = async (n: Node, username: string, password: string): Promise<string> => {
    const res = await call(n, { method: "POST", url: "/api/v1/auth/login", body: { username, password } });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ access_token: string }>().access_token;
  };
  const me = (n: Node, token: string) => call(n, { method: "GET", url: "/api/v1/auth/me", token });
  let counter = 0;
  async function createUser(n: Node, admin: string, roles: string[]): Promise<{ id: string; token: string }> {
    const username = `u${++counter}-${Date.now().toString(36)}`;
    const password = `${username}-password-123`;
    const res = await call(n, {
      method: "POST",
      url: "/api/v1/users",
      token: admin,
      body: { username, password, roles },
    });
    expect(res.statusCode, res.body).toBe(201);
    return { id: res.json<{ id: string }>().id, token: await login(n, username, password) };
  }
  /** What the old token of a (formerly) admin user can still do: create another admin. */
  const createAdminWith = (n: Node, token: string) =>
    call(n, {
      method: "POST",
      url: "/api/v1/users",
      token,
      body: { username: `evil${++counter}`, password: "evil-password-12345", roles: ["admin"] },
    });

  beforeAll(async () => {
    schema = await createTestSchema();
  }, 120_000);
  afterAll(async () => {
    for (const n of [...running]) await stopNode(n);
    await schema?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  /**
   * Everything revoked before the restart, and the credentials to check after it. Returns the
   * node it ran on; the checks run on whatever node comes next.
   */
  async function revokeEverything(n: Node) {
    const admin = await login(n, ADMIN.username, ADMIN.password);
    const loggedOut = await login(n, ADMIN.username, ADMIN.password);
    expect((await call(n, { method: "POST", url: "/api/v1/auth/logout", token: loggedOut })).statusCode).toBe(204);

    const demoted = await createUser(n, admin, ["admin"]);
    const deactivated = await createUser(n, admin, ["viewer"]);
    const repassworded = await createUser(n, admin, ["viewer"]);
    const patch = (id: string, body: unknown) =>
      call(n, { method: "PATCH", url: `/api/v1/users/${id}`, token: admin, body });
    expect((await patch(demoted.id, { roles: ["viewer"] })).statusCode).toBe(200);
    expect((await patch(deactivated.id, { is_active: false })).statusCode).toBe(200);
    expect((await patch(repassworded.id, { password: "a-brand-new-password-1" })).statusCode).toBe(200);
    const still = await login(n, ADMIN.username, ADMIN.password);
    return {
      loggedOut,
      demoted: demoted.token,
      deactivated: deactivated.token,
      repassworded: repassworded.token,
      still,
    };
  }

  async function expectAllRefused(n: Node, t: Awaited<ReturnType<typeof revokeEverything>>): Promise<void> {
    const out = await me(n, t.loggedOut);
    expect(out.statusCode, "logged-out token").toBe(401);
    expect(out.json().error.code).toBe("TOKEN_REVOKED");
    const escalation = await createAdminWith(n, t.demoted);
    expect([401, 403], `demoted admin's token: ${escalation.body}`).toContain(escalation.statusCode);
    expect((await me(n, t.demoted)).statusCode, "demoted admin's token").toBe(401);
    expect((await me(n, t.deactivated)).statusCode, "deactivated user's token").toBe(401);
    expect((await me(n, t.repassworded)).statusCode, "token from before the password change").toBe(401);
    // Tokens nobody revoked keep working: the check is not simply "refuse everything after a restart".
    expect((await me(n, t.still)).statusCode, "unrelated token").toBe(200);
  }

  it("logout, demotion, deactivation and password change survive a restart (and a Redis restart)", async () => {
    let node = await startNode();
    const tokens = await revokeEverything(node);
    await expectAllRefused(node, tokens);
    // Restart with the cache intact (Redis kept running), then with the cache gone as well.
    node = await restart(node, false);
    await expectAllRefused(node, tokens);
    node = await restart(node, true);
    await expectAllRefused(node, tokens);
    await stopNode(node);
  }, 240_000);

  // Two nodes at once share a database only on PostgreSQL; a shared cache needs Redis.
  it.skipIf(!TEST_DATABASE_URL || !TEST_REDIS_URL)(
    "a running replica keeps refusing revoked tokens after Redis loses its keys",
    async () => {
      const prefix = uniquePrefix();
      const a = await startNode(prefix);
      const b = await startNode(prefix);
      const tokens = await revokeEverything(a);
      const redis = new Redis(TEST_REDIS_URL ?? "");
      try {
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length > 0) await redis.del(...keys);
      } finally {
        redis.disconnect();
      }
      await eventually(() => expectAllRefused(b, tokens));
      await stopNode(a);
      await stopNode(b);
    },
    240_000,
  );

  it.skipIf(!TEST_DATABASE_URL)(
    "without Redis, another replica learns a logout from the database",
    async () => {
      // Memory caches on both nodes: only the database connects them (the mirror's poll).
      const a = await startNode(uniquePrefix(), memoryConfig);
      const b = await startNode(uniquePrefix(), memoryConfig);
      const token = await login(a, ADMIN.username, ADMIN.password);
      expect((await me(b, token)).statusCode).toBe(200);
      expect((await call(a, { method: "POST", url: "/api/v1/auth/logout", token })).statusCode).toBe(204);
      expect((await me(a, token)).statusCode).toBe(401);
      await eventually(async () => {
        expect((await me(b, token)).statusCode).toBe(401);
      });
      await stopNode(a);
      await stopNode(b);
    },
    240_000,
  );
});
