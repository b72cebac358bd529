import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { loadConfig } from "../../src/platform/config/index.js";
import { openDatabase } from "../../src/platform/db/database.js";
import { createMigrator, readMigrations } from "../../src/platform/db/migrator.js";
import { packageRoot } from "../../src/platform/paths.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** A migrated, empty PGlite database (a `snapshot()` tarball), or "" on PostgreSQL runs. */
    pgliteSnapshotPath: string;
  }
}

/**
 * Migrates one in-memory PGlite database before the run and saves it to a file; every test app on
 * PGlite starts from a copy (test/helpers/app.ts). PGlite's initdb alone costs about 2–3 s per
 * database, and the suite builds about a hundred of them.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  if (process.env.TEST_DATABASE_URL) {
    project.provide("pgliteSnapshotPath", "");
    return () => {};
  }
  const database = await openDatabase({ config: loadConfig({}).database, dataDir: undefined });
  await createMigrator(database, readMigrations(join(packageRoot(), "migrations"))).up();
  const snapshot = await database.snapshot?.();
  await database.close();
  if (!snapshot) throw new Error("PGlite did not produce a snapshot");
  const path = join(tmpdir(), `sark-test-pglite-${process.pid}.tar`);
  writeFileSync(path, Buffer.from(await snapshot.arrayBuffer()));
  project.provide("pgliteSnapshotPath", path);
  return () => rmSync(path, { force: true });
}
