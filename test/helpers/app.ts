import { readFileSync } from "node:fs";
import type { LightMyRequestResponse } from "fastify";
import pino from "pino";
import { inject } from "vitest";
import { buildApp } from "../../src/app.js";
import { type Context, createContext } from "../../src/context.js";
import type { Clock } from "../../src/platform/clock.js";
import { type Config, loadConfig } from "../../src/platform/config/index.js";
import type { AppInstance } from "../../src/platform/feature.js";
import type { Logger } from "../../src/platform/logger.js";
import { createTestSchema, TEST_DATABASE_URL, TEST_REDIS_URL, uniquePrefix } from "./backends.js";

export const ADMIN = { username: "admin", password: "admin-password-for-tests-1" } as const;

export interface TestApp {
  app: AppInstance;
  ctx: Context;
  config: Config;
  /** Logs in and returns the access token. */
  login(username: string, password: string): Promise<string>;
  /** A token for the bootstrap admin. */
  adminToken(): Promise<string>;
  /** Creates a user with the given roles and returns a token for them. */
  userToken(username: string, roles: string[], teams?: string[]): Promise<string>;
  /** `app.inject` with a Bearer token and JSON body. */
  request(opts: {
    method: string;
    url: string;
    token?: string;
    apiKey?: string;
    body?: unknown;
    headers?: Record<string, string>;
  }): Promise<LightMyRequestResponse>;
  /**
   * Another replica: a second Context (not started, no HTTP app) on this app's database schema, with
   * its own cache prefix. Only meaningful on PostgreSQL, where two contexts can share a database.
   */
  replica(): Promise<Context>;
  close(): Promise<void>;
}

let snapshot: Blob | undefined;

/**
 * Context options starting an in-memory PGlite from the migrated database global-setup.ts saved
 * (read once per test file); nothing on PostgreSQL runs.
 */
export function pgliteSnapshot(): { pgliteSnapshot?: Blob } {
  const path = inject("pgliteSnapshotPath");
  if (!path || TEST_DATABASE_URL) return {};
  snapshot ??= new Blob([readFileSync(path)]);
  return { pgliteSnapshot: snapshot };
}

/**
 * Builds the real app on real backends: in-memory PGlite, or PostgreSQL (own schema) and Redis
 * (own key prefix) when CI sets TEST_DATABASE_URL / TEST_REDIS_URL. Migrated, admin bootstrapped.
 */
export async function createTestApp(
  env: Record<string, string> = {},
  options: { logger?: Logger; clock?: Clock } = {},
): Promise<TestApp> {
  const schema = await createTestSchema();
  const config = loadConfig({
    LOG_LEVEL: "silent",
    SARK_ADMIN_PASSWORD: ADMIN.password,
    AUDIT_FLUSH_INTERVAL_MS: "20",
    ...(TEST_DATABASE_URL ? { DATABASE_URL: TEST_DATABASE_URL, DB_POOL_SIZE: "5" } : {}),
    ...(TEST_REDIS_URL ? { REDIS_URL: TEST_REDIS_URL } : {}),
    ...env,
  });
  const ctx = await createContext(config, {
    logger: options.logger ?? pino({ level: "silent" }),
    ...(options.clock ? { clock: options.clock } : {}),
    inMemoryDatabase: true,
    ...pgliteSnapshot(),
    databaseSchema: schema?.schema,
    cachePrefix: uniquePrefix(),
  });
  await ctx.migrator.up();
  await ctx.accounts.bootstrapAdmin();
  const app = await buildApp(ctx);
  await app.ready();
  await ctx.start();

  const request: TestApp["request"] = ({ method, url, token, apiKey, body, headers }) =>
    app.inject({
      method: method as "GET",
      url,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(apiKey ? { "x-api-key": apiKey } : {}),
        ...headers,
      },
      ...(body === undefined ? {} : { payload: body as object }),
    });

  async function login(username: string, password: string): Promise<string> {
    const res = await request({ method: "POST", url: "/api/v1/auth/login", body: { username, password } });
    if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
    return (res.json() as { access_token: string }).access_token;
  }

  return {
    app,
    ctx,
    config,
    request,
    login,
    adminToken: () => login(ADMIN.username, ADMIN.password),
    async userToken(username, roles, teams = []) {
      const password = `${username}-password-123`;
      const res = await request({
        method: "POST",
        url: "/api/v1/users",
        token: await login(ADMIN.username, ADMIN.password),
        body: { username, password, roles, teams, email: `${username}@example.test` },
      });
      if (res.statusCode !== 201) throw new Error(`create user ${username} failed: ${res.statusCode} ${res.body}`);
      return login(username, password);
    },
    replica: () =>
      createContext(config, {
        logger: pino({ level: "silent" }),
        inMemoryDatabase: true,
        databaseSchema: schema?.schema,
        cachePrefix: uniquePrefix(),
      }),
    async close() {
      await app.close();
      await ctx.stop();
      await schema?.drop();
    },
  };
}
