import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN } from "../helpers/app.js";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "../helpers/backends.js";
import { eventually } from "../helpers/eventually.js";
import { call as callWithTimeout } from "../helpers/http-call.js";
import { cliDatabaseEnv, type SarkProcess, startSark } from "../helpers/process.js";

/** One request on its own connection, so node:cluster hands each one to the next worker. */
const call = (port: number, method: string, path: string, opts: { token?: string; body?: unknown } = {}) =>
  callWithTimeout(port, method, path, { ...opts, timeoutMs: 5000 });

const workerPids = (out: string): number[] =>
  [...out.matchAll(/"pid":(\d+),"msg":"worker ready"/g)].map((m) => Number(m[1]));

// Workers are replicas in one pod: PostgreSQL and Redis only (config validation refuses the rest).
describe.skipIf(!TEST_DATABASE_URL || !TEST_REDIS_URL)("SARK_WORKERS=2 (PostgreSQL + Redis)", () => {
  let sark: SarkProcess;
  let database: Awaited<ReturnType<typeof cliDatabaseEnv>>;
  let token: string;

  beforeAll(async () => {
    database = await cliDatabaseEnv("sark-workers-");
    sark = await startSark({
      ...database.env,
      REDIS_URL: TEST_REDIS_URL ?? "",
      SARK_WORKERS: "2",
      SARK_ADMIN_PASSWORD: ADMIN.password,
      POLICY_CACHE_ENABLED: "false",
      LOG_LEVEL: "info",
    });
    const login = await call(sark.port, "POST", "/api/v1/auth/login", { body: ADMIN });
    expect(login.status).toBe(200);
    token = (JSON.parse(login.body) as { access_token: string }).access_token;
  }, 90_000);

  afterAll(async () => {
    if (sark.child.exitCode === null) sark.child.kill("SIGKILL");
    await database.drop();
  });

  it("starts two workers behind one banner and one bootstrap admin", async () => {
    expect(sark.output().match(/listening on/g)).toHaveLength(1);
    expect(sark.output()).toContain("2 workers");
    expect(sark.output().match(/Created admin user/g)).toHaveLength(1);
    expect(new Set(workerPids(sark.output())).size).toBe(2);
    const users = await call(sark.port, "GET", "/api/v1/users", { token });
    expect(users.status).toBe(200);
    expect((JSON.parse(users.body) as { items: unknown[] }).items).toHaveLength(1);
  });

  it("/metrics reports the whole pod, whichever worker answers", async () => {
    const before = await healthCount();
    for (let i = 0; i < 20; i++) expect((await call(sark.port, "GET", "/health")).status).toBe(200);
    // Each scrape lands on the next worker; every one must count all 20 requests.
    for (let i = 0; i < 4; i++) expect(await healthCount()).toBe(before + 20);
    const text = (await call(sark.port, "GET", "/metrics")).body;
    expect(text).toMatch(/^sark_db_pool_connections\{state="total"\} \d+/m);
  });

  it("a token logged out through one worker is refused by every worker", async () => {
    const login = await call(sark.port, "POST", "/api/v1/auth/login", { body: ADMIN });
    const own = (JSON.parse(login.body) as { access_token: string }).access_token;
    for (let i = 0; i < 4; i++)
      expect((await call(sark.port, "GET", "/api/v1/auth/me", { token: own })).status).toBe(200);
    expect((await call(sark.port, "POST", "/api/v1/auth/logout", { token: own, body: {} })).status).toBeLessThan(300);
    for (let i = 0; i < 6; i++)
      expect((await call(sark.port, "GET", "/api/v1/auth/me", { token: own })).status).toBe(401);
  });

  it("replaces a worker that dies, and keeps serving with the other one meanwhile", async () => {
    const [victim] = workerPids(sark.output());
    process.kill(victim as number, "SIGKILL");
    // Connections the primary hands to a worker in the instant it is killed die with it, as they
    // would with a single process; from the moment the primary sees the exit, none are lost.
    await eventually(async () =>
      expect(sark.output()).toContain("a worker exited unexpectedly; starting a replacement"),
    );
    for (let i = 0; i < 6; i++) expect((await call(sark.port, "GET", "/health")).status).toBe(200);
    await eventually(async () => expect(new Set(workerPids(sark.output())).size).toBe(3), { intervalMs: 200 });
    for (let i = 0; i < 6; i++) expect((await call(sark.port, "GET", "/health")).status).toBe(200);
  }, 40_000);

  it("SIGTERM drains every worker, flushes their audit events and exits 0", async () => {
    const body = {
      action: "tool:invoke",
      tool: { name: "search", sensitivity_level: "low" },
      server: { name: "docs" },
    };
    for (let i = 0; i < 10; i++) {
      expect((await call(sark.port, "POST", "/api/v1/policies/evaluate", { token, body })).status).toBe(200);
    }
    sark.child.kill("SIGTERM");
    expect(await sark.exited).toBe(0);
    expect(sark.output().match(/"msg":"shutdown complete"/g)?.length).toBeGreaterThanOrEqual(2);
    const client = new pg.Client({ connectionString: database.env.DATABASE_URL });
    await client.connect();
    const r = await client.query<{ n: string }>(
      "select count(*) as n from audit_events where event_type = 'policy.decision' and details ->> 'via' = 'evaluate_api'",
    );
    await client.end();
    expect(Number(r.rows[0]?.n)).toBe(10);
  }, 60_000);

  async function healthCount(): Promise<number> {
    const text = (await call(sark.port, "GET", "/metrics")).body;
    const line = text
      .split("\n")
      .find((l) => l.startsWith('sark_http_requests_total{method="GET",route="/health",status="200"}'));
    return line ? Number(line.split(" ").at(-1)) : 0;
  }
});
