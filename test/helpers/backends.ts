import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * Which real backends this test run uses. PGlite (in memory) always works; CI sets
 * TEST_DATABASE_URL / TEST_REDIS_URL to run the same suites on PostgreSQL and Redis.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || undefined;
export const BACKEND_LABEL = `${TEST_DATABASE_URL ? "postgres" : "pglite"}+${TEST_REDIS_URL ? "redis" : "memory"}`;

/** A fresh PostgreSQL schema per test context, so parallel test files never see each other's rows. */
export async function createTestSchema(): Promise<{ schema: string; drop(): Promise<void> } | undefined> {
  if (!TEST_DATABASE_URL) return undefined;
  const schema = `t_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  await client.query(`create schema ${schema}`);
  await client.end();
  return {
    schema,
    async drop() {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}

export const uniquePrefix = (): string => `sark-test-${randomBytes(4).toString("hex")}:`;
