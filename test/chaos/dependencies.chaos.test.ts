import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN } from "../helpers/app.js";
import { TEST_DATABASE_URL } from "../helpers/backends.js";
import { call } from "../helpers/http-call.js";
import { cliDatabaseEnv, runSark, type SarkProcess, startSark } from "../helpers/process.js";
import { type PrivateRedis, privateRedis } from "../platform/fixtures/redis-server.js";
import { serverBody } from "../registry/fixtures.js";
import { newTrafficLog, noteAnswer, noteTransportError, type TrafficLog } from "./traffic.js";

/**
 * Acceptance chaos test (issue 14): two replicas as real processes on PostgreSQL and a private
 * Redis, under steady mixed traffic (logins, registrations, evaluations). Every SARK database
 * backend of this test is terminated twice, Redis is restarted, one replica is SIGKILLed. After:
 * only the killed replica died, every acknowledged registration (201) has its `server.registered`
 * event, and `sark audit verify` passes.
 *
 * Slow (about a minute) and heavy, so opt-in: SARK_CHAOS=1 with TEST_DATABASE_URL set.
 */
const enabled = process.env.SARK_CHAOS === "1" && TEST_DATABASE_URL !== undefined;

describe.skipIf(!enabled)("chaos: PostgreSQL backends terminated, Redis restarted, a replica killed", () => {
  const applicationName = `sark-chaos-${randomBytes(4).toString("hex")}`;
  let database: Awaited<ReturnType<typeof cliDatabaseEnv>>;
  let redis: PrivateRedis;
  let env: Record<string, string>;
  let a: SarkProcess;
  let b: SarkProcess;
  let killer: pg.Client;

  beforeAll(async () => {
    database = await cliDatabaseEnv("sark-chaos-");
    redis = await privateRedis();
    await redis.start();
    env = {
      ...database.env,
      REDIS_URL: redis.url,
      DB_APPLICATION_NAME: applicationName,
      DB_POOL_SIZE: "5",
      // Both replicas must accept each other's tokens.
      JWT_SECRET_KEY: randomBytes(32).toString("hex"),
      SARK_ADMIN_PASSWORD: ADMIN.password,
      // Six clients log in as the admin from one address and send as fast as they are answered;
      // a 429 would be a correct answer, but this test is about dependency failures.
      RATE_LIMIT_PER_USER: "10000000",
      RATE_LIMIT_PER_IP: "10000000",
    };
    // One after the other: the first migrates and bootstraps the admin.
    a = await startSark(env, 120_000);
    b = await startSark({ ...env, SARK_DATA_DIR: `${database.env.SARK_DATA_DIR}-b` }, 120_000);
    killer = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await killer.connect();
  }, 300_000);

  afterAll(async () => {
    for (const p of [a, b]) if (p && p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
    await killer?.end();
    await redis?.kill();
    await database?.drop();
  });

  /** Terminates this test's SARK sessions (its application_name), never anyone else's. */
  async function terminateSarkBackends(): Promise<number> {
    const res = await killer.query<{ n: string }>(
      `select count(pg_terminate_backend(pid)) as n from pg_stat_activity
       where application_name = $1 and pid <> pg_backend_pid()`,
      [applicationName],
    );
    return Number(res.rows[0]?.n ?? 0);
  }

  it("loses no acknowledged change and crashes no replica but the killed one", async () => {
    const log = newTrafficLog();
    const replicas = [
      { label: "a", sark: a, alive: true },
      { label: "b", sark: b, alive: true },
    ];
    let running = true;
    let seq = 0;

    async function client(id: number): Promise<void> {
      let token: string | undefined;
      for (let i = 0; running; i++) {
        const live = replicas.filter((r) => r.alive);
        const target = live[(id + i) % live.length];
        if (!target) return;
        const { label, sark } = target;
        const n = seq++;
        try {
          if (!token || i % 25 === 0) {
            const res = await call(sark.port, "POST", "/api/v1/auth/login", { body: ADMIN });
            if (noteAnswer(log, label, "login", 200, res))
              token = (JSON.parse(res.body) as { access_token: string }).access_token;
            continue;
          }
          if (i % 3 === 0) {
            const requestId = `chaos-${label}-${id}-${n}`;
            const res = await call(sark.port, "POST", "/api/v1/servers", {
              token,
              requestId,
              body: serverBody(`chaos-${id}-${n}`),
            });
            if (noteAnswer(log, label, "register", 201, res)) log.registered.set(requestId, label);
          } else {
            const res = await call(sark.port, "POST", "/api/v1/policies/evaluate", {
              token,
              body: { action: "tool:invoke", tool: { name: `tool-${n % 50}`, sensitivity_level: "low" } },
            });
            noteAnswer(log, label, "evaluate", 200, res);
          }
        } catch {
          // Refused or reset: the killed replica, or a request in flight when it died.
          noteTransportError(log, label);
          await pause(50);
        }
      }
    }

    const clients = Array.from({ length: 6 }, (_, i) => client(i));
    await pause(3000);
    const firstRound = await terminateSarkBackends();
    await pause(3000);
    const secondRound = await terminateSarkBackends();
    await pause(3000);
    await redis.kill();
    await pause(1000);
    await redis.start();
    await pause(3000);
    const victim = replicas[1];
    if (victim) victim.alive = false;
    b.child.kill("SIGKILL");
    await pause(3000);
    running = false;
    await Promise.all(clients);
    console.info(
      "chaos traffic:",
      Object.fromEntries(log.counts),
      "transport errors:",
      Object.fromEntries(log.transportErrors),
    );

    expect(firstRound).toBeGreaterThan(0);
    expect(secondRound).toBeGreaterThan(0);
    expect(await b.exited).toBe("SIGKILL");
    expect(a.child.exitCode, a.output()).toBeNull();
    expect(log.unexpected).toEqual([]);
    // Traffic flowed: without this the assertions below would hold vacuously.
    expect(log.registered.size).toBeGreaterThan(10);
    expect(transportErrorsOn(log, "a")).toBe(0);

    // The surviving replica stops gracefully (flushing its buffer); it must exit 0, not crash.
    a.child.kill("SIGTERM");
    expect(await a.exited, a.output()).toBe(0);

    const audited = await registeredEvents(database.env.DATABASE_URL ?? "");
    const missing = [...log.registered].filter(([requestId]) => !audited.has(requestId));
    // Soft, so that the chain check below still runs and reports; the test fails either way.
    expect.soft(missing, "acknowledged registrations without server.registered (request id, replica)").toEqual([]);

    const verify = runSark(["audit", "verify"], database.env);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  }, 300_000);
});

function transportErrorsOn(log: TrafficLog, label: string): number {
  return log.transportErrors.get(label) ?? 0;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function registeredEvents(databaseUrl: string): Promise<Set<string>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const res = await client.query<{ request_id: string }>(
      "select request_id from audit_events where event_type = 'server.registered' and request_id like 'chaos-%'",
    );
    return new Set(res.rows.map((r) => r.request_id));
  } finally {
    await client.end();
  }
}
