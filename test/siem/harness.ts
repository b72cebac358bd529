import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { buildApp } from "../../src/app.js";
import { type Context, createContext } from "../../src/context.js";
import type { Clock } from "../../src/platform/clock.js";
import { loadConfig } from "../../src/platform/config/index.js";
import type { AppInstance } from "../../src/platform/feature.js";
import { ADMIN } from "../helpers/app.js";
import { createTestSchema, TEST_DATABASE_URL, uniquePrefix } from "../helpers/backends.js";

/**
 * A database that outlives one SARK instance, so tests can stop SARK and start it again (new token,
 * crash recovery) or run two instances side by side: PGlite files in a temp dir, or one PostgreSQL
 * schema when TEST_DATABASE_URL is set.
 */
export interface SharedStore {
  /** Env for a `sark serve` child process pointed at this store. */
  readonly childEnv: Record<string, string>;
  readonly dataDir: string;
  readonly schema: string | undefined;
  drop(): Promise<void>;
}

export async function createSharedStore(): Promise<SharedStore> {
  const dataDir = mkdtempSync(join(tmpdir(), "sark-siem-"));
  const schema = await createTestSchema();
  const childEnv: Record<string, string> = { SARK_DATA_DIR: dataDir };
  if (TEST_DATABASE_URL && schema) {
    // The child cannot take a schema option; libpq's `options` in the URL sets its search_path.
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set("options", `-c search_path=${schema.schema}`);
    childEnv.DATABASE_URL = url.toString();
  }
  return {
    childEnv,
    dataDir,
    schema: schema?.schema,
    async drop() {
      await schema?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface SarkInstance {
  ctx: Context;
  app: AppInstance;
  close(): Promise<void>;
}

/** Starts SARK (migrated, admin bootstrapped, background work running) on a shared store. */
export async function startSark(
  store: SharedStore,
  env: Record<string, string>,
  options: { clock?: Clock } = {},
): Promise<SarkInstance> {
  const config = loadConfig({
    LOG_LEVEL: "silent",
    SARK_ADMIN_PASSWORD: ADMIN.password,
    AUDIT_FLUSH_INTERVAL_MS: "20",
    SARK_DATA_DIR: store.dataDir,
    ...(TEST_DATABASE_URL ? { DATABASE_URL: TEST_DATABASE_URL, DB_POOL_SIZE: "5" } : {}),
    ...env,
  });
  const ctx = await createContext(config, {
    logger: pino({ level: "silent" }),
    databaseSchema: store.schema,
    cachePrefix: uniquePrefix(),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  await ctx.migrator.up();
  await ctx.accounts.bootstrapAdmin();
  const app = await buildApp(ctx);
  await app.ready();
  await ctx.start();
  return {
    ctx,
    app,
    async close() {
      await app.close();
      await ctx.stop();
    },
  };
}

/** Records `n` audit events through the real recorder and writes them. */
export async function seedEvents(ctx: Context, n: number, eventType = "test.seeded"): Promise<void> {
  for (let i = 0; i < n; i++) {
    await ctx.audit.record({ event_type: eventType, outcome: "success", details: { i } });
  }
  await ctx.auditAdmin.flush();
}

/** Every audit event id in commit (seq) order. */
export async function auditIdsInOrder(ctx: Context): Promise<string[]> {
  const db = ctx.database.db.withTables<{ audit_events: { id: string; seq: number } }>();
  const rows = await db.selectFrom("audit_events").select("id").orderBy("seq").execute();
  return rows.map((r) => r.id);
}

/** SIEM env for a fast test: tiny backoff and circuit reset so recovery takes milliseconds. */
export const FAST_SIEM_ENV = {
  SIEM_FLUSH_INTERVAL_MS: "20",
  SIEM_MAX_BACKOFF_MS: "40",
  SIEM_CIRCUIT_FAILURE_THRESHOLD: "3",
  SIEM_CIRCUIT_RESET_MS: "50",
} as const;

export interface SiemHealth {
  status: string;
  destinations: Record<string, { status: string; backlog: number; lag_seconds: number } | undefined>;
}

/** The siem component of `/health/detailed`, straight from the feature. */
export async function siemHealth(ctx: Context): Promise<SiemHealth> {
  const feature = ctx.features.find((f) => f.name === "siem");
  if (!feature?.health) throw new Error("siem feature is not wired");
  return (await feature.health()) as unknown as SiemHealth;
}
