import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.js";
import { type Context, createContext } from "../../src/context.js";
import { loadConfig } from "../../src/platform/config/index.js";
import { createMigrator, readMigrations } from "../../src/platform/db/migrator.js";
import { packageRoot } from "../../src/platform/paths.js";
import { BACKEND_LABEL, createTestSchema, TEST_DATABASE_URL } from "../helpers/backends.js";

async function tables(ctx: Context): Promise<string[]> {
  const res = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = current_schema() and table_type in ('BASE TABLE', 'PARTITIONED TABLE')
    order by table_name`.execute(ctx.database.db);
  return res.rows.map((r) => r.table_name);
}

describe(`migrations (${BACKEND_LABEL})`, () => {
  let ctx: Context;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const schema = await createTestSchema();
    drop = schema?.drop;
    const config = loadConfig({
      LOG_LEVEL: "silent",
      ...(TEST_DATABASE_URL ? { DATABASE_URL: TEST_DATABASE_URL } : {}),
    });
    ctx = await createContext(config, {
      logger: pino({ level: "silent" }),
      inMemoryDatabase: true,
      databaseSchema: schema?.schema,
    });
  });
  afterAll(async () => {
    await ctx.stop();
    await drop?.();
  });

  it("readiness is 503 while migrations are pending, 200 once applied", async () => {
    const app = await buildApp(ctx);
    ctx.lifecycle.started = true;
    const pending = await app.inject({ method: "GET", url: "/ready" });
    expect(pending.statusCode).toBe(503);
    expect(pending.json()).toMatchObject({ status: "not_ready", component: "migrations" });
    await ctx.migrator.up();
    expect((await app.inject({ method: "GET", url: "/health/ready" })).statusCode).toBe(200);
    await app.close();
  });

  // A newer release's migration Job runs before its pods start, while the old pods still serve the
  // rolling update; if they stopped being ready, the rollout would be an outage (and a rollback
  // after a migration would never become ready).
  it("stays ready when a newer release has applied migrations this version does not ship", async () => {
    await ctx.migrator.up();
    const shipped = readMigrations(join(packageRoot(), "migrations"));
    const older = createMigrator(ctx.database, shipped.slice(0, -1));
    expect(await older.isCurrent()).toBe(true);
    await expect(older.up()).rejects.toThrow(/does not know/);

    const withGap = createMigrator(
      ctx.database,
      shipped.filter((m) => m.version !== 2),
    );
    await expect(withGap.isCurrent()).rejects.toThrow(
      /database has migration 2, which this version of SARK does not know/,
    );
  });

  it("goes up, all the way down to zero, and up again", async () => {
    const all = readMigrations(join(packageRoot(), "migrations")).map((m) => m.version);
    await ctx.migrator.up();
    expect((await ctx.migrator.status()).every((s) => s.applied)).toBe(true);
    const before = await tables(ctx);
    expect(before).toEqual(expect.arrayContaining(["users", "servers", "tools", "audit_events", "schema_migrations"]));

    const reverted = await ctx.migrator.down(Number.POSITIVE_INFINITY);
    expect(reverted).toEqual([...all].reverse());
    expect(await tables(ctx)).toEqual(["schema_migrations"]);
    expect(await ctx.migrator.isCurrent()).toBe(false);

    expect(await ctx.migrator.up()).toEqual(all);
    expect(await tables(ctx)).toEqual(before);
  });

  it("reverts one step at a time", async () => {
    await ctx.migrator.up();
    const status = await ctx.migrator.status();
    const last = status[status.length - 1];
    expect(await ctx.migrator.down(1)).toEqual([last?.version]);
    expect(await ctx.migrator.up()).toEqual([last?.version]);
  });

  // docs/AUDIT.md ("Append-only grants") makes the maintenance function SECURITY DEFINER with a
  // fixed search_path; a migration that replaces the function must keep both.
  it("migration 0007 keeps the maintenance function's SECURITY DEFINER and search_path", async () => {
    await ctx.migrator.up();
    const fn = "audit_maintain_partitions(timestamptz, integer, integer)";
    const attrs = async () =>
      (
        await sql<{ secdef: boolean; config: string[] | null; locks_parent: boolean }>`
          select prosecdef as secdef, proconfig as config,
                 prosrc like '%lock table only audit_events in access exclusive mode%' as locks_parent
          from pg_proc where oid = ${fn}::regprocedure`.execute(ctx.database.db)
      ).rows[0];
    // 0007 and whatever later migrations sit on top of it, so the test survives the next migration.
    const from7 = (await ctx.migrator.status()).filter((m) => m.version >= 7).map((m) => m.version);
    const downTo6 = () => ctx.migrator.down(from7.length);
    expect(await attrs()).toEqual({ secdef: false, config: null, locks_parent: true });
    expect(await downTo6()).toEqual([...from7].reverse());
    expect((await attrs())?.locks_parent).toBe(false);
    await sql.raw(`alter function ${fn} security definer`).execute(ctx.database.db);
    await sql.raw(`alter function ${fn} set search_path = public, pg_temp`).execute(ctx.database.db);
    const hardened = { secdef: true, config: ["search_path=public, pg_temp"] };
    expect(await ctx.migrator.up()).toEqual(from7);
    expect(await attrs()).toEqual({ ...hardened, locks_parent: true });
    expect(await downTo6()).toEqual([...from7].reverse());
    expect(await attrs()).toEqual({ ...hardened, locks_parent: false });
    expect(await ctx.migrator.up()).toEqual(from7);
  });

  it("refuses to run when an applied migration file was changed", async () => {
    await ctx.migrator.up();
    const dir = mkdtempSync(join(tmpdir(), "sark-migrations-"));
    const files = readMigrations(join(packageRoot(), "migrations"));
    for (const m of files) {
      const name = `${String(m.version).padStart(4, "0")}_${m.name}`;
      writeFileSync(join(dir, `${name}.up.sql`), m.version === 1 ? `${m.up}\n-- edited\n` : m.up);
      writeFileSync(join(dir, `${name}.down.sql`), m.down);
    }
    const tampered = createMigrator(ctx.database, readMigrations(dir));
    await expect(tampered.up()).rejects.toThrow(/modified after they ran: 0?1_identity/);
    expect(await tampered.isCurrent()).toBe(false);
    expect(readFileSync(join(dir, "0001_identity.up.sql"), "utf8")).toContain("edited");
  });
});
