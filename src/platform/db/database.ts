import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { finished } from "node:stream/promises";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, type LogEvent, PGliteDialect, PostgresDialect } from "kysely";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { DatabaseConfig } from "../config/database.js";
import type { HistogramSeries, Metrics } from "../metrics.js";
import { type AdvisoryLocks, createMemoryLocks, createPostgresLocks } from "./locks.js";
import { pgliteCopyRows } from "./pglite-copy.js";

/** Tables every feature may rely on; features add theirs with `db.withTables<…>()`. */
export interface BaseTables {
  schema_migrations: { version: number; name: string; checksum: string; applied_at: Date };
}

/** A raw, driver-level transaction: multi-statement scripts (the migrator) and bulk inserts. */
export interface RawTransaction {
  exec(script: string): Promise<void>;
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /**
   * Bulk insert of `rows` in COPY's text format (lines of `copyFields`, each ending in a newline),
   * inserted in line order, each field stored as its column type's input function reads it. On
   * PostgreSQL `COPY … FROM STDIN` (about half the server cost of a one-statement INSERT); on
   * PGlite one `INSERT … SELECT … FROM jsonb_to_recordset` (pglite-copy.ts: PGlite's blob COPY
   * halved audit ingest).
   */
  copyRows(table: string, columns: readonly string[], rows: string): Promise<void>;
}

export interface Database {
  readonly kind: "pglite" | "postgres";
  readonly db: Kysely<BaseTables>;
  readonly locks: AdvisoryLocks;
  rawTransaction<T>(fn: (tx: RawTransaction) => Promise<T>): Promise<T>;
  /** Round-trip time of `select 1`, in milliseconds. */
  ping(): Promise<number>;
  poolStats(): { total: number; idle: number; waiting: number };
  /**
   * PGlite only: the whole database as a tarball. Tests migrate one database, snapshot it, and
   * start every other from the snapshot (PGlite's initdb costs seconds per database).
   */
  snapshot?(): Promise<Blob>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  config: DatabaseConfig;
  /** Where PGlite keeps its files; `undefined` keeps it in memory (tests). */
  dataDir: string | undefined;
  metrics?: Metrics;
  /** PostgreSQL schema to use instead of `public` (tests isolate parallel files this way). */
  schema?: string;
  /** An in-memory PGlite starts as a copy of this `snapshot()` instead of an empty database. */
  pgliteSnapshot?: Blob;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  return options.config.url ? openPostgres(options) : openPglite(options);
}

function queryLogger(metrics: Metrics | undefined): ((e: LogEvent) => void) | undefined {
  if (!metrics) return undefined;
  // Series resolved once, on first use (a series is exposed from then on): this runs for every query.
  const byKind: Partial<Record<LogEvent["level"], HistogramSeries>> = {};
  return (e) => {
    let series = byKind[e.level];
    if (!series) {
      series = metrics.dbQueryDuration.series({ kind: e.level });
      byKind[e.level] = series;
    }
    series.observe(e.queryDurationMillis / 1000);
  };
}

async function openPglite(options: OpenDatabaseOptions): Promise<Database> {
  let pglite: PGlite;
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    pglite = await PGlite.create(join(options.dataDir, "pgdata"));
  } else {
    pglite = await PGlite.create(options.pgliteSnapshot ? { loadDataDir: options.pgliteSnapshot } : {});
  }
  const db = new Kysely<BaseTables>({ dialect: new PGliteDialect({ pglite }), log: queryLogger(options.metrics) });
  const copyRows = pgliteCopyRows();
  return {
    kind: "pglite",
    db,
    locks: createMemoryLocks(),
    rawTransaction: (fn) =>
      pglite.transaction((tx) =>
        fn({
          exec: async (script) => {
            await tx.exec(script);
          },
          query: async (text, params) => (await tx.query(text, params)).rows as never,
          copyRows: (table, columns, rows) => copyRows(tx, table, columns, rows),
        }),
      ),
    async ping() {
      const t = performance.now();
      await pglite.query("select 1");
      return performance.now() - t;
    },
    poolStats: () => ({ total: 1, idle: 1, waiting: 0 }),
    snapshot: () => pglite.dumpDataDir("none"),
    async close() {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}

function sslOption(mode: DatabaseConfig["ssl"]): pg.PoolConfig["ssl"] {
  if (mode === "disable") return false;
  return { rejectUnauthorized: mode === "verify-full" };
}

async function openPostgres(options: OpenDatabaseOptions): Promise<Database> {
  const { config, schema } = options;
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolSize,
    ssl: sslOption(config.ssl),
    // Per-connection settings go through the startup packet so they work behind PgBouncer too.
    options: [
      config.statementTimeoutMs > 0 ? `-c statement_timeout=${config.statementTimeoutMs}` : "",
      schema ? `-c search_path=${schema}` : "",
    ]
      .filter(Boolean)
      .join(" "),
    application_name: config.applicationName,
    // Without it a request waits for a connection forever while the database is down.
    connectionTimeoutMillis: config.connectTimeoutMs,
    // A peer that vanished without a FIN (failover, network partition) is noticed by TCP keep-alive.
    keepAlive: true,
  });
  guardConnections(pool);
  const db = new Kysely<BaseTables>({ dialect: new PostgresDialect({ pool }), log: queryLogger(options.metrics) });
  return {
    kind: "postgres",
    db,
    locks: createPostgresLocks(pool, schema ?? "public"),
    rawTransaction: (fn) => rawPostgresTransaction(pool, fn),
    async ping() {
      const t = performance.now();
      await pool.query("select 1");
      return performance.now() - t;
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async close() {
      await db.destroy();
    },
  };
}

/**
 * pg-pool listens for 'error' only on idle clients; a checked-out client whose connection dies
 * (pg_terminate_backend, failover, network) emits 'error' with no listener, which is an uncaught
 * exception that exits the process. Every client gets a permanent listener instead: its queries
 * already fail with the error, the client is marked unusable, and the pool discards it on release.
 */
function guardConnections(pool: pg.Pool): void {
  pool.on("connect", (client) => {
    client.on("error", () => {});
  });
  // Idle clients: pg-pool removes them itself and reports here.
  pool.on("error", () => {});
}

/** BEGIN … COMMIT on one checked-out client; a client that failed is destroyed, not pooled. */
async function rawPostgresTransaction<T>(pool: pg.Pool, fn: (tx: RawTransaction) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await fn({
      exec: async (script) => {
        await client.query(script);
      },
      query: async (text, params) => (await client.query(text, params)).rows,
      copyRows: (table, columns, rows) => copyInto(client, `copy ${table} (${columns.join(", ")}) from stdin`, rows),
    });
    await client.query("COMMIT");
    return result;
  } catch (e) {
    // A connection that cannot even roll back (it died, maybe mid-COPY) must not go back to the pool.
    await client.query("ROLLBACK").catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw e;
  } finally {
    client.release(broken);
  }
}

/**
 * Streams `data` into `COPY … FROM STDIN`. A connection that dies mid-COPY fails the stream
 * (pg errors the active query); the error listener keeps a late stream error from going uncaught.
 */
async function copyInto(client: pg.PoolClient, statement: string, data: string): Promise<void> {
  const stream = client.query(copyFrom(statement));
  stream.on("error", () => {});
  stream.end(data);
  await finished(stream);
}
