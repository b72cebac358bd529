import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { TEST_DATABASE_URL } from "../helpers/backends.js";
import { eventually } from "../helpers/eventually.js";
import { serverBody } from "../registry/fixtures.js";
import { startTcpProxy, type TcpProxy } from "./fixtures/tcp-proxy.js";

/**
 * The database goes away (network cut, then connections refused) and comes back. Requests that
 * need it answer 503 DEPENDENCY_UNAVAILABLE quickly with `retry-after` and no driver text, readiness
 * fails, and everything (including the policy component's health) recovers without a policy change.
 */

// The outage is a TCP proxy in front of a real PostgreSQL; PGlite runs in process.
describe.skipIf(!TEST_DATABASE_URL)("database outage and recovery (PostgreSQL)", () => {
  let proxy: TcpProxy;
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    const target = new URL(TEST_DATABASE_URL ?? "");
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(target);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    t = await createTestApp({
      DATABASE_URL: viaProxy.toString(),
      DB_CONNECT_TIMEOUT_MS: "1000",
      POLICY_RELOAD_INTERVAL_MS: "200",
    });
    admin = await t.adminToken();
  }, 60_000);
  afterAll(async () => {
    await proxy?.plug();
    await t?.close();
    await proxy?.close();
  });

  const policyHealth = async () =>
    (await t.request({ method: "GET", url: "/health/detailed" })).json().components.policy as {
      status: string;
      error?: string;
    };

  it("answers 503 DEPENDENCY_UNAVAILABLE while the database is down, then recovers", async () => {
    expect((await t.request({ method: "GET", url: "/api/v1/servers", token: admin })).statusCode).toBe(200);
    expect((await policyHealth()).status).toBe("healthy");

    await proxy.unplug();
    for (const call of [
      { method: "GET", url: "/api/v1/servers" },
      { method: "POST", url: "/api/v1/servers", body: serverBody("during-outage") },
    ]) {
      const started = Date.now();
      const res = await t.request({ ...call, token: admin });
      // Not hung: the pool's connect timeout is 1 s (the bug was an unbounded wait, then 500).
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe("DEPENDENCY_UNAVAILABLE");
      expect(res.headers["retry-after"]).toBeDefined();
      expect(res.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|terminated|timeout exceeded/);
    }
    const ready = await t.request({ method: "GET", url: "/health/ready" });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().component).toBe("database");
    await eventually(async () => {
      const policy = await policyHealth();
      expect(policy.status).toBe("degraded");
      expect(policy.error).toContain("unreachable");
    });

    await proxy.plug();
    await eventually(async () => {
      expect((await t.request({ method: "GET", url: "/health/ready" })).statusCode).toBe(200);
    });
    const listed = await t.request({ method: "GET", url: "/api/v1/servers", token: admin });
    expect(listed.statusCode).toBe(200);
    const created = await t.request({
      method: "POST",
      url: "/api/v1/servers",
      token: admin,
      body: serverBody("after-outage"),
    });
    expect(created.statusCode).toBe(201);
    // No policy changed meanwhile: the next successful poll alone clears "unreachable".
    await eventually(async () => {
      const policy = await policyHealth();
      expect(policy.status).toBe("healthy");
      expect(policy.error).toBeUndefined();
    });
  }, 60_000);
});
