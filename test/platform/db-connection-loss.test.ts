import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { TEST_DATABASE_URL } from "../helpers/backends.js";
import { eventually } from "../helpers/eventually.js";
import { serverBody } from "../registry/fixtures.js";

/**
 * Terminating the app's PostgreSQL backends under load (what a failover does): the process must
 * not crash on an unhandled 'error' event, requests fail at most with 503 DEPENDENCY_UNAVAILABLE,
 * traffic recovers, and no acknowledged decision or registration loses its audit event.
 */

// Terminating backends needs a real server; PGlite runs in process and has no backends to kill.
describe.skipIf(!TEST_DATABASE_URL)("PostgreSQL connections terminated under load", () => {
  const applicationName = `sark-test-${randomBytes(4).toString("hex")}`;
  let t: TestApp;
  let admin: string;
  let killer: pg.Client;

  beforeAll(async () => {
    t = await createTestApp({
      DB_APPLICATION_NAME: applicationName,
      DB_CONNECT_TIMEOUT_MS: "3000",
      // A small pool: terminations then hit checked-out clients mid-query, not only idle ones.
      DB_POOL_SIZE: "4",
      POLICY_CACHE_ENABLED: "false",
    });
    admin = await t.adminToken();
    killer = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await killer.connect();
  }, 60_000);
  afterAll(async () => {
    await killer?.end();
    await t?.close();
  });

  /** Terminates only this app's sessions (its application_name), never anyone else's. */
  async function terminateOwnBackends(): Promise<number> {
    const res = await killer.query<{ n: string }>(
      `select count(pg_terminate_backend(pid)) as n from pg_stat_activity
       where application_name = $1 and pid <> pg_backend_pid()`,
      [applicationName],
    );
    return Number(res.rows[0]?.n ?? 0);
  }

  it("an advisory-lock holder learns that its session was terminated, and the lock can be taken again", async () => {
    const held = await t.ctx.database.locks.tryAcquire("connection-loss-test");
    expect(held?.isHeld()).toBe(true);
    await terminateOwnBackends();
    await eventually(async () => expect(held?.isHeld()).toBe(false));
    await held?.release();
    // The pool may first hand out an idle client whose termination it has not read yet: that
    // attempt fails (as a request would, with 503) and the holder tries again, as the SIEM forwarder does.
    let again: Awaited<ReturnType<typeof t.ctx.database.locks.tryAcquire>>;
    await eventually(async () => {
      again = await t.ctx.database.locks.tryAcquire("connection-loss-test");
      expect(again?.isHeld()).toBe(true);
    });
    await again?.release();
  });

  it("survives two rounds of pg_terminate_backend without crashing or losing audit events", async () => {
    const evaluated: string[] = [];
    const registered: string[] = [];
    const statuses = new Map<number, number>();
    const badAnswers: string[] = [];
    let seq = 0;
    let running = true;

    async function worker(id: number): Promise<void> {
      while (running) {
        const n = seq++;
        const requestId = `conn-loss-${id}-${n}`;
        const register = n % 4 === 0;
        const res = await t.request({
          method: "POST",
          url: register ? "/api/v1/servers" : "/api/v1/policies/evaluate",
          token: admin,
          headers: { "x-request-id": requestId },
          body: register
            ? serverBody(`conn-loss-${id}-${n}`)
            : { action: "tool:invoke", tool: { name: `tool-${n}`, sensitivity_level: "low" } },
        });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode === 200 && !register) evaluated.push(requestId);
        else if (res.statusCode === 201 && register) registered.push(requestId);
        else if (
          res.statusCode !== 503 ||
          res.json().error.code !== "DEPENDENCY_UNAVAILABLE" ||
          res.headers["retry-after"] === undefined
        ) {
          badAnswers.push(`${res.statusCode} ${res.body}`);
        }
        // app.inject has no socket: fast failures could otherwise starve the timers that end the loop.
        await new Promise((r) => setImmediate(r));
      }
    }

    const workers = Array.from({ length: 6 }, (_, i) => worker(i));
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await pause(1500);
    const firstRound = await terminateOwnBackends();
    await pause(1500);
    const secondRound = await terminateOwnBackends();
    await pause(1500);
    const beforeRecovery = evaluated.length;
    await pause(1500);
    running = false;
    await Promise.all(workers);

    expect(firstRound + secondRound).toBeGreaterThan(0);
    expect(badAnswers).toEqual([]);
    // Traffic recovered after the second round.
    expect(evaluated.length).toBeGreaterThan(beforeRecovery);

    // Every acknowledged decision and registration has its audit event once the writer catches up.
    await flushWithRetries(t);
    const rows = await sql<{ request_id: string; event_type: string }>`
      select request_id, event_type from audit_events
      where event_type in ('policy.decision', 'server.registered') and request_id like 'conn-loss-%'`.execute(
      t.ctx.database.db,
    );
    const audited = new Set(rows.rows.map((r) => `${r.event_type} ${r.request_id}`));
    const missing = [
      ...evaluated.filter((id) => !audited.has(`policy.decision ${id}`)),
      ...registered.filter((id) => !audited.has(`server.registered ${id}`)),
    ];
    expect(missing).toEqual([]);

    const health = await t.request({ method: "GET", url: "/health/ready" });
    expect(health.statusCode).toBe(200);
  }, 60_000);
});

/** The writer may still be backing off after the terminations; a flush then rejects, so try again. */
async function flushWithRetries(t: TestApp): Promise<void> {
  await eventually(() => t.ctx.auditAdmin.flush(), { intervalMs: 250 });
}
