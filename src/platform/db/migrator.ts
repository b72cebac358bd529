import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "kysely";
import type { Database } from "./database.js";

export interface MigrationFile {
  version: number;
  name: string;
  up: string;
  down: string;
  checksum: string;
}

export interface MigrationStatus {
  version: number;
  name: string;
  applied: boolean;
  appliedAt: Date | undefined;
  /** The applied file changed after it ran: the schema no longer matches the code. */
  checksumMismatch: boolean;
}

export class MigrationError extends Error {
  override readonly name = "MigrationError";
}

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.(up|down)\.sql$/;

/** Reads `NNNN_name.up.sql` / `NNNN_name.down.sql` pairs; every migration must have both. */
export function readMigrations(dir: string): MigrationFile[] {
  const byVersion = new Map<number, { name: string; up?: string; down?: string }>();
  for (const file of readdirSync(dir).sort()) {
    const m = FILE_PATTERN.exec(file);
    if (!m) continue;
    const version = Number(m[1]);
    const entry = byVersion.get(version) ?? { name: m[2] ?? "" };
    if (entry.name !== m[2]) throw new MigrationError(`migration ${version} has two names: ${entry.name}, ${m[2]}`);
    entry[m[3] as "up" | "down"] = readFileSync(join(dir, file), "utf8");
    byVersion.set(version, entry);
  }
  return [...byVersion.entries()]
    .sort(([a], [b]) => a - b)
    .map(([version, e]) => {
      if (e.up === undefined || e.down === undefined) {
        throw new MigrationError(`migration ${version}_${e.name} needs both .up.sql and .down.sql`);
      }
      const checksum = createHash("sha256").update(e.up).digest("hex");
      return { version, name: e.name, up: e.up, down: e.down, checksum };
    });
}

const CREATE_TABLE = `create table if not exists schema_migrations (
  version integer primary key,
  name text not null,
  checksum text not null,
  applied_at timestamptz not null default now()
)`;

/**
 * Applies and reverts migrations. Each migration runs in its own transaction together with its
 * bookkeeping row, so a failure leaves the schema at the previous version. Concurrent runs (several
 * pods starting a Job) serialise on an advisory lock.
 */
export function createMigrator(database: Database, migrations: readonly MigrationFile[]) {
  async function applied(): Promise<Map<number, { checksum: string; applied_at: Date }>> {
    await sql.raw(CREATE_TABLE).execute(database.db);
    const rows = await database.db.selectFrom("schema_migrations").selectAll().execute();
    return new Map(rows.map((r) => [r.version, r]));
  }

  /** Every migration this version ships with its state, and the applied versions it does not ship. */
  async function inspect(): Promise<{ known: MigrationStatus[]; unknown: number[] }> {
    const done = await applied();
    const known = migrations.map((m) => {
      const row = done.get(m.version);
      return {
        version: m.version,
        name: m.name,
        applied: row !== undefined,
        appliedAt: row?.applied_at,
        checksumMismatch: row !== undefined && row.checksum !== m.checksum,
      };
    });
    const unknown = [...done.keys()].filter((version) => !migrations.some((m) => m.version === version));
    return { known, unknown: unknown.sort((a, b) => a - b) };
  }

  function unknownMigration(version: number): MigrationError {
    return new MigrationError(`database has migration ${version}, which this version of SARK does not know`);
  }

  /** The state of every migration; refuses a database that holds migrations this version does not ship. */
  async function status(): Promise<MigrationStatus[]> {
    const { known, unknown } = await inspect();
    if (unknown[0] !== undefined) throw unknownMigration(unknown[0]);
    return known;
  }

  function assertUnchanged(list: MigrationStatus[]): void {
    const changed = list.filter((s) => s.checksumMismatch);
    if (changed.length > 0) {
      const names = changed.map((s) => `${s.version}_${s.name}`).join(", ");
      throw new MigrationError(`applied migrations were modified after they ran: ${names}`);
    }
  }

  async function withLock<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; attempt < 600; attempt++) {
      const lock = await database.locks.tryAcquire("migrations");
      if (lock) {
        try {
          return await fn();
        } finally {
          await lock.release();
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new MigrationError("timed out waiting for another migration run to finish");
  }

  /** Applies every pending migration in order; returns the versions applied. */
  async function up(): Promise<number[]> {
    return withLock(async () => {
      const list = await status();
      assertUnchanged(list);
      const done: number[] = [];
      for (const m of migrations) {
        if (list.find((s) => s.version === m.version)?.applied) continue;
        await database.rawTransaction(async (tx) => {
          await tx.exec(m.up);
          await tx.query("insert into schema_migrations (version, name, checksum) values ($1, $2, $3)", [
            m.version,
            m.name,
            m.checksum,
          ]);
        });
        done.push(m.version);
      }
      return done;
    });
  }

  /** Reverts the last `steps` applied migrations (all of them with `Infinity`). */
  async function down(steps = 1): Promise<number[]> {
    return withLock(async () => {
      const list = await status();
      assertUnchanged(list);
      const appliedDesc = list.filter((s) => s.applied).reverse();
      const reverted: number[] = [];
      for (const s of appliedDesc.slice(0, steps)) {
        const m = migrations.find((x) => x.version === s.version);
        if (!m) continue;
        await database.rawTransaction(async (tx) => {
          await tx.exec(m.down);
          await tx.query("delete from schema_migrations where version = $1", [m.version]);
        });
        reverted.push(m.version);
      }
      return reverted;
    });
  }

  /**
   * True when every migration this version ships is applied unchanged (readiness uses this).
   * Migrations newer than all of ours are tolerated: a newer release's migration Job runs before
   * its pods start, while this version's pods still serve the rolling update (and serve again after
   * a rollback). Migrations are written expand/contract, so an older release keeps working on a
   * newer schema; failing readiness here would take every old pod out of rotation at once.
   */
  async function isCurrent(): Promise<boolean> {
    const { known, unknown } = await inspect();
    const newest = migrations[migrations.length - 1]?.version ?? 0;
    const foreign = unknown.find((version) => version <= newest);
    if (foreign !== undefined) throw unknownMigration(foreign);
    return known.every((s) => s.applied && !s.checksumMismatch);
  }

  return { status, up, down, isCurrent };
}

export type Migrator = ReturnType<typeof createMigrator>;
