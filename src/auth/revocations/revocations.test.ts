import { join } from "node:path";
import type { Kysely } from "kysely";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Cache, createMemoryCache } from "../../platform/cache.js";
import type { Clock } from "../../platform/clock.js";
import { loadConfig } from "../../platform/config/index.js";
import { type Database, openDatabase } from "../../platform/db/database.js";
import { createMigrator, readMigrations } from "../../platform/db/migrator.js";
import { AppError } from "../../platform/errors.js";
import { packageRoot } from "../../platform/paths.js";
import type { AuthTables } from "../tables.js";
import { deleteExpiredRevocations } from "./repository.js";
import { createRevocations } from "./revocations.js";

/** Redis as seen while it is down: every command rejects (the fail-fast client's behaviour). */
const downRedis: Cache = {
  kind: "redis",
  get: () => Promise.reject(new Error("redis is down")),
  set: () => Promise.reject(new Error("redis is down")),
  delete: () => Promise.reject(new Error("redis is down")),
  ping: () => Promise.reject(new Error("redis is down")),
  close: async () => {},
};

const logger = pino({ level: "silent" });

async function migratedDatabase(): Promise<Database> {
  const database = await openDatabase({ config: loadConfig({}).database, dataDir: undefined });
  await createMigrator(database, readMigrations(join(packageRoot(), "migrations"))).up();
  return database;
}

describe("revocations", () => {
  let database: Database;
  let db: Kysely<AuthTables>;
  const clock: Clock = { now: () => Date.now() };
  const make = (cache: Cache, on: Kysely<AuthTables> = db, c: Clock = clock) =>
    createRevocations({ db: on, cache, clock: c, logger, markerTtlSeconds: 960 });

  beforeAll(async () => {
    database = await migratedDatabase();
    db = database.db.withTables<AuthTables>();
  }, 180_000);
  afterAll(async () => {
    await database.close();
  });

  it("a restarted process knows every revocation from the database, whatever the cache holds", async () => {
    const before = make(createMemoryCache());
    await before.start();
    await before.revokeToken("jti-restart", Date.now() + 60_000);
    await before.endUserSessions("user-restart");
    await before.markApiKeyChanged("key-restart");
    before.stop();

    const after = make(createMemoryCache());
    await after.start();
    expect(after.tokenStateSync("jti-restart", "nobody")).toEqual({ revoked: true, sessionsEndedAt: 0 });
    expect(after.tokenStateSync("jti-other", "user-restart")?.sessionsEndedAt).toBeGreaterThan(0);
    expect(await after.apiKeyChangedAt("key-restart")).toBeGreaterThan(0);
    expect(after.tokenStateSync("jti-other", "nobody")).toEqual({ revoked: false, sessionsEndedAt: 0 });
    after.stop();
  });

  it("without Redis, a running replica picks up another's revocations from the database poll", async () => {
    const reader = make(createMemoryCache());
    await reader.start();
    const writer = make(createMemoryCache());
    await writer.revokeToken("jti-polled", Date.now() + 60_000);
    await writer.endUserSessions("user-polled");
    // Refused at once where it happened; elsewhere within the 2 s poll.
    expect((await writer.tokenState("jti-polled", "nobody")).revoked).toBe(true);
    await vi.waitFor(
      () => {
        expect(reader.tokenStateSync("jti-polled", "user-polled")).toMatchObject({ revoked: true });
        expect(reader.tokenStateSync("jti-x", "user-polled")?.sessionsEndedAt).toBeGreaterThan(0);
      },
      { timeout: 30_000, interval: 200 },
    );
    reader.stop();
  }, 60_000);

  it("treats a rejected Redis read or write as a miss and asks the database", async () => {
    const writer = make(downRedis);
    const reader = make(downRedis);
    await reader.start();
    // Written after the reader loaded its mirror: only the database can tell it.
    await writer.revokeToken("jti-down", Date.now() + 60_000);
    await writer.endUserSessions("user-down");
    await writer.markApiKeyChanged("key-down");
    expect(await reader.tokenState("jti-down", "nobody")).toMatchObject({ revoked: true });
    expect((await reader.tokenState("jti-fine", "user-down")).sessionsEndedAt).toBeGreaterThan(0);
    expect(await reader.userSessionsEndedAt("user-down")).toBeGreaterThan(0);
    expect(await reader.apiKeyChangedAt("key-down")).toBeGreaterThan(0);
    expect(await reader.tokenState("jti-fine", "nobody")).toEqual({ revoked: false, sessionsEndedAt: 0 });
    reader.stop();
  });

  it("fails closed (503) when neither Redis nor the database can answer", { timeout: 180_000 }, async () => {
    const broken = await migratedDatabase();
    const revocations = make(downRedis, broken.db.withTables<AuthTables>());
    await revocations.start();
    await broken.close();
    const error = await revocations.tokenState("jti", "user").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("DEPENDENCY_UNAVAILABLE");

    const neverLoaded = make(createMemoryCache(), broken.db.withTables<AuthTables>());
    expect(neverLoaded.tokenStateSync("jti", "user")).toBeUndefined();
    await expect(neverLoaded.tokenState("jti", "user")).rejects.toMatchObject({ code: "DEPENDENCY_UNAVAILABLE" });
  });

  it("expired rows are deleted by the cleanup, live ones kept", async () => {
    let now = Date.now();
    const fake: Clock = { now: () => now };
    const revocations = make(createMemoryCache(), db, fake);
    await revocations.revokeToken("jti-expiring", now + 1000);
    await revocations.endUserSessions("user-expiring");
    const count = async () =>
      (
        await db
          .selectFrom("auth_revocations")
          .select("subject")
          .where("subject", "in", ["jti-expiring", "user-expiring"])
          .execute()
      ).length;
    expect(await count()).toBe(2);
    await deleteExpiredRevocations(db, new Date(now + 2000));
    expect(await count()).toBe(1);
    now += 961_000;
    await deleteExpiredRevocations(db, new Date(now));
    expect(await count()).toBe(0);
  });
});
