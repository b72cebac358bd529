import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, createTestApp, type TestApp } from "../helpers/app.js";
import { BACKEND_LABEL } from "../helpers/backends.js";

/**
 * Logout and refresh-token reuse revoke credentials: state changes whose audit events must commit
 * with them (issue 14, item 6), not wait in the writer's memory buffer where a SIGKILL loses them.
 * The flush timer is set to a minute so only a durable write can make the event visible at once.
 */
describe(`revocation events commit with the revocation (${BACKEND_LABEL})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ AUDIT_FLUSH_INTERVAL_MS: "60000" });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  /** Events of this type already durable: in the chain or still in the outbox. */
  async function durable(eventType: string): Promise<number> {
    const db = t.ctx.database.db;
    const chained = await sql<{ n: number }>`
      select count(*)::int as n from audit_events where event_type = ${eventType}`.execute(db);
    const queued = await sql<{ n: number }>`
      select count(*)::int as n from audit_outbox where body like ${`%"event_type":"${eventType}"%`}`.execute(db);
    return (chained.rows[0]?.n ?? 0) + (queued.rows[0]?.n ?? 0);
  }

  const login = async () => {
    const res = await t.request({ method: "POST", url: "/api/v1/auth/login", body: ADMIN });
    expect(res.statusCode).toBe(200);
    return res.json<{ access_token: string; refresh_token: string }>();
  };

  it("auth.logout is durable when logout returns", async () => {
    const session = await login();
    const res = await t.request({
      method: "POST",
      url: "/api/v1/auth/logout",
      token: session.access_token,
      body: { refresh_token: session.refresh_token },
    });
    expect(res.statusCode).toBe(204);
    expect(await durable("auth.logout")).toBe(1);
  });

  it("auth.refresh_reuse_detected is durable when the replay is refused", async () => {
    const session = await login();
    const refresh = (refresh_token: string) =>
      t.request({ method: "POST", url: "/api/v1/auth/refresh", body: { refresh_token } });
    expect((await refresh(session.refresh_token)).statusCode).toBe(200);
    const replay = await refresh(session.refresh_token);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.code).toBe("TOKEN_REVOKED");
    expect(await durable("auth.refresh_reuse_detected")).toBe(1);
  });
});
