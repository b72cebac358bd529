import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.js";
import { createLoginProtection } from "../../src/auth/login-protection/protection.js";
import { addressKey } from "../../src/auth/login-protection/rules.js";
import type { IdentityProvider } from "../../src/auth/providers/identity-provider.js";
import { createRevocations } from "../../src/auth/revocations/revocations.js";
import type { AuthTables } from "../../src/auth/tables.js";
import { createSessionService } from "../../src/auth/tokens/sessions.js";
import { createTokenService } from "../../src/auth/tokens/token-service.js";
import { createMetrics } from "../../src/platform/metrics.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { BACKEND_LABEL, TEST_DATABASE_URL } from "../helpers/backends.js";
import { addressOf, harness, manualClock, visible } from "../helpers/login-attempts.js";

/**
 * Failed-login protection (OWASP ASVS V2.2, docs/AUTH.md "Failed-login protection"): backoff per
 * username + address, lockout per username, the same answers for real and made-up usernames, and
 * the admin unlock. A clock the tests move lets backoffs and locks pass without sleeping.
 */

const OTHER_IP = "10.0.255.8";
const MISSING = "01900000-0000-7000-8000-000000000000";

describe(`failed-login backoff per username and address (${BACKEND_LABEL})`, () => {
  let t: TestApp;
  const time = manualClock();
  const h = harness(() => t);
  beforeAll(async () => {
    t = await createTestApp({}, { clock: time.clock });
  }, 120_000);
  afterAll(async () => t?.close());

  it("throttles after five failures: the right password is refused until the backoff passes", async () => {
    await h.createUser("alice");
    expect(await h.fail("alice", 5)).toEqual([401, 401, 401, 401, 401]);
    const sixth = await h.attempt("alice", "wrong-password-6");
    expect(sixth.statusCode).toBe(429);
    expect(sixth.headers["retry-after"]).toBe("30");
    expect(sixth.json().error.code).toBe("RATE_LIMITED");
    expect(sixth.headers["www-authenticate"]).toBeUndefined();

    const right = await h.attempt("alice", h.passwordOf("alice"));
    expect(right.statusCode).toBe(429);
    time.advance(29);
    const almost = await h.attempt("alice", h.passwordOf("alice"));
    expect(almost.statusCode).toBe(429);
    expect(almost.headers["retry-after"]).toBe("1");
    time.advance(1);
    expect((await h.attempt("alice", h.passwordOf("alice"))).statusCode).toBe(200);
  });

  it("answers an unknown username exactly as an existing one, and counts refusals as throttled", async () => {
    await h.createUser("bob");
    const real: ReturnType<typeof visible>[] = [];
    const ghost: ReturnType<typeof visible>[] = [];
    for (let i = 0; i < 7; i++) {
      real.push(visible(await h.attempt("bob", `wrong-password-${i}`)));
      ghost.push(visible(await h.attempt("nobody-by-this-name", `wrong-password-${i}`)));
    }
    expect(real.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 429, 429]);
    expect(ghost).toEqual(real);
    const metric = await t.ctx.metrics.registry.getSingleMetricAsString("sark_auth_logins_total");
    expect(metric).toMatch(/result="throttled"} [1-9]/);
  });

  it("keys the username case-insensitively, as the users table does", async () => {
    await h.createUser("casey");
    await h.fail("CASEY", 5);
    expect((await h.attempt("casey", h.passwordOf("casey"))).statusCode).toBe(429);
  });

  it("blocks only the address the failures came from", async () => {
    await h.createUser("carol");
    await h.fail("carol", 5);
    expect((await h.attempt("carol", h.passwordOf("carol"))).statusCode).toBe(429);
    expect((await h.attempt("carol", h.passwordOf("carol"), OTHER_IP)).statusCode).toBe(200);
  });

  it("doubles the backoff with each further failure, up to the maximum", async () => {
    await h.createUser("dave");
    await h.fail("dave", 4);
    const backoffs: string[] = [];
    for (let i = 0; i < 7; i++) {
      expect(await h.fail("dave", 1)).toEqual([401]);
      const refused = await h.attempt("dave", h.passwordOf("dave"));
      expect(refused.statusCode).toBe(429);
      backoffs.push(refused.headers["retry-after"] as string);
      time.advance(Number(refused.headers["retry-after"]));
    }
    expect(backoffs).toEqual(["30", "60", "120", "240", "480", "900", "900"]);
  });

  it("a successful login resets the address's counter (the username-wide one keeps counting)", async () => {
    await h.createUser("erin");
    await h.fail("erin", 4);
    expect((await h.attempt("erin", h.passwordOf("erin"))).statusCode).toBe(200);
    expect(await h.counters("erin")).toEqual([{ address_key: "*", failures: 4 }]);
    expect(await h.fail("erin", 4)).toEqual([401, 401, 401, 401]);
    expect((await h.attempt("erin", h.passwordOf("erin"))).statusCode).toBe(200);
  });

  it("forgets failures once the window passes after the last one", async () => {
    await h.createUser("frank");
    // Five failures, never more than the window apart: they add up even across 1600 s.
    await h.fail("frank", 1);
    time.advance(800);
    await h.fail("frank", 3);
    time.advance(800);
    expect(await h.fail("frank", 1)).toEqual([401]);
    expect((await h.attempt("frank", h.passwordOf("frank"))).statusCode).toBe(429);
    // Quiet for a whole window after the block ends: the counter starts again.
    time.advance(30 + 900);
    expect(await h.fail("frank", 4)).toEqual([401, 401, 401, 401]);
    expect((await h.attempt("frank", h.passwordOf("frank"))).statusCode).toBe(200);
  });

  it("counts every one of concurrent failures", async () => {
    await h.createUser("grace");
    const codes = (
      await Promise.all(Array.from({ length: 10 }, (_, i) => h.attempt("grace", `wrong-password-${i}`)))
    ).map((r) => r.statusCode);
    const checked = codes.filter((c) => c === 401).length;
    // A request is refused only once five failures are counted, so at least five were checked.
    expect(checked).toBeGreaterThanOrEqual(5);
    expect(codes.filter((c) => c === 429).length).toBe(10 - checked);
    const counters = await h.counters("grace");
    expect(counters).toEqual(
      [
        { address_key: addressKey(addressOf("grace")), failures: checked },
        { address_key: "*", failures: checked },
      ].sort((a, b) => a.address_key.localeCompare(b.address_key)),
    );
    const refused = await h.attempt("grace", h.passwordOf("grace"));
    expect(refused.headers["retry-after"]).toBe(String(Math.min(30 * 2 ** (checked - 5), 900)));
  });

  it("documents the login's 429 and the unlock route in OpenAPI", () => {
    type Operation = { responses: Record<string, { description?: string; headers?: Record<string, unknown> }> };
    const doc = t.app.swagger() as unknown as { paths: Record<string, Record<string, Operation>> };
    const throttled = doc.paths["/api/v1/auth/login"]?.post?.responses["429"];
    expect(throttled?.description).toMatch(/failed logins/);
    expect(throttled?.headers?.["retry-after"]).toBeDefined();
    const unlock = doc.paths["/api/v1/users/{id}/unlock"]?.post?.responses ?? {};
    expect(Object.keys(unlock)).toEqual(expect.arrayContaining(["200", "401", "403", "404"]));
  });

  it("refuses a blocked attempt without asking the password provider", async () => {
    const db = t.ctx.database.db.withTables<AuthTables>();
    const { clock, audit } = t.ctx;
    let verifications = 0;
    const counting: IdentityProvider = {
      name: "counting",
      async verify() {
        verifications++;
        return { ok: false, reason: "bad_password" };
      },
    };
    const sessions = createSessionService({
      db,
      audit,
      clock,
      tokens: createTokenService({ config: t.config.jwt, secret: "login-protection-secret-0123456789ab", clock }),
      passwords: counting,
      protection: createLoginProtection({ db, audit, clock, config: t.config.loginProtection }),
      revocations: createRevocations({ db, cache: t.ctx.cache, clock, logger: t.ctx.logger, markerTtlSeconds: 60 }),
      jwt: t.config.jwt,
      logins: createMetrics().counter({ name: "protection_test_logins", help: "test", labelNames: ["result"] }),
    });
    const request = { ip: "10.9.9.9", userAgent: "protection-test", requestId: "protection-test" };
    for (let i = 0; i < 5; i++) {
      await expect(sessions.login("heidi", "x", request)).rejects.toMatchObject({ code: "INVALID_CREDENTIALS" });
    }
    await expect(sessions.login("heidi", "x", request)).rejects.toMatchObject({ code: "RATE_LIMITED" });
    expect(verifications).toBe(5);
  });

  it("housekeeping deletes counters whose window and block have passed, and only those", async () => {
    const { clock, audit } = t.ctx;
    const db = t.ctx.database.db.withTables<AuthTables>();
    const protection = createLoginProtection({ db, audit, clock, config: t.config.loginProtection });
    await h.fail("olga", 5);
    await h.fail("pat", 1);
    // pat's address counter ends 900 s after its failure; olga's 900 s after her 30 s block.
    time.advance(901);
    await protection.deleteExpired();
    expect((await h.counters("pat")).map((r) => r.address_key)).toEqual(["*"]);
    expect((await h.counters("olga")).map((r) => r.address_key).sort()).toEqual(
      [addressKey(addressOf("olga")), "*"].sort(),
    );
  });

  it("audits the start of a block once, not every refused attempt", async () => {
    await h.createUser("ivan");
    await h.fail("ivan", 5);
    for (let i = 0; i < 3; i++) expect((await h.attempt("ivan", h.passwordOf("ivan"))).statusCode).toBe(429);
    await t.ctx.auditAdmin.flush();
    const { rows } = await sql<{ severity: string; outcome: string; details: { failures: number } }>`
      select severity, outcome, details from audit_events
      where event_type = 'auth.login_throttled' and actor->>'username' = 'ivan'`.execute(t.ctx.database.db);
    expect(rows).toEqual([
      { severity: "medium", outcome: "denied", details: expect.objectContaining({ failures: 5 }) },
    ]);
  });
});

describe(`username-wide lockout and the admin unlock (${BACKEND_LABEL})`, () => {
  let t: TestApp;
  const time = manualClock();
  const h = harness(() => t);
  const IPS = ["10.1.0.1", "10.1.0.2", "10.1.0.3"];
  /** Two failures from each of three addresses: six, the lockout threshold, no address backoff. */
  const lockOut = async (username: string) => {
    for (const ip of IPS) expect(await h.fail(username, 2, ip)).toEqual([401, 401]);
  };
  beforeAll(async () => {
    // Buffered events wait for an explicit flush, so only a transactional write is visible at once.
    t = await createTestApp({ LOGIN_LOCKOUT_THRESHOLD: "6", AUDIT_FLUSH_INTERVAL_MS: "60000" }, { clock: time.clock });
  }, 120_000);
  afterAll(async () => t?.close());

  const getUser = async (id: string) =>
    (await t.request({ method: "GET", url: `/api/v1/users/${id}`, token: await t.adminToken() })).json<{
      locked_until: string | null;
    }>();
  const unlock = async (id: string, token?: string) =>
    t.request({ method: "POST", url: `/api/v1/users/${id}/unlock`, token: token ?? (await t.adminToken()) });

  it("locks a username on every address, identically for an unknown one, shown as locked_until", async () => {
    const id = await h.createUser("judy");
    expect((await getUser(id)).locked_until).toBeNull();
    await lockOut("judy");
    await lockOut("no-such-account");
    const lockedUntil = new Date(time.now() + 1800 * 1000).toISOString();

    const real = await h.attempt("judy", h.passwordOf("judy"), "10.1.0.99");
    expect(real.statusCode).toBe(429);
    expect(real.headers["retry-after"]).toBe("1800");
    const ghost = await h.attempt("no-such-account", h.passwordOf("judy"), "10.1.0.98");
    expect(visible(ghost)).toEqual(visible(real));

    expect((await getUser(id)).locked_until).toBe(lockedUntil);
    const list = await t.request({ method: "GET", url: "/api/v1/users?limit=200", token: await t.adminToken() });
    const listed = list.json<{ items: { id: string; username: string; locked_until: string | null }[] }>().items;
    expect(listed.find((u) => u.id === id)?.locked_until).toBe(lockedUntil);
    expect(listed.find((u) => u.username === "admin")?.locked_until).toBeNull();

    await t.ctx.auditAdmin.flush();
    const { rows } = await sql<{ severity: string; outcome: string; details: unknown }>`
      select severity, outcome, details from audit_events
      where event_type = 'auth.account_locked' and actor->>'username' = 'judy'`.execute(t.ctx.database.db);
    expect(rows).toEqual([
      { severity: "high", outcome: "denied", details: { failures: 6, locked_until: lockedUntil } },
    ]);
  });

  it("lifts the lock by itself once it passes", async () => {
    await h.createUser("karl");
    await lockOut("karl");
    time.advance(1799);
    expect((await h.attempt("karl", h.passwordOf("karl"))).statusCode).toBe(429);
    time.advance(1);
    expect((await h.attempt("karl", h.passwordOf("karl"))).statusCode).toBe(200);
  });

  it("an admin unlock clears the lock and every address's backoff, audited in the same transaction", async () => {
    const id = await h.createUser("lena");
    await h.fail("lena", 5, IPS[0]);
    await h.fail("lena", 1, IPS[1]);
    expect((await h.attempt("lena", h.passwordOf("lena"), IPS[2])).statusCode).toBe(429);
    expect((await getUser(id)).locked_until).not.toBeNull();

    const res = await unlock(id);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id, username: "lena", locked_until: null });
    expect(await h.counters("lena")).toEqual([]);
    // Durable when the unlock returns (the flush timer is a minute away): in the outbox or chained.
    const { rows } = await sql<{ n: number }>`
      select (select count(*) from audit_events where event_type = 'auth.account_unlocked')
           + (select count(*) from audit_outbox where body like '%"event_type":"auth.account_unlocked"%') as n
    `.execute(t.ctx.database.db);
    expect(Number(rows[0]?.n)).toBe(1);
    await t.ctx.auditAdmin.flush();
    const events = await sql<{ actor: { username: string }; resource: { type: string; name: string } }>`
      select actor, resource from audit_events
      where event_type = 'auth.account_unlocked' and resource->>'id' = ${id}`.execute(t.ctx.database.db);
    expect(events.rows).toEqual([
      { actor: expect.objectContaining({ username: "admin" }), resource: { type: "user", id, name: "lena" } },
    ]);

    expect((await h.attempt("lena", h.passwordOf("lena"), IPS[0])).statusCode).toBe(200);
    expect((await h.attempt("lena", h.passwordOf("lena"), IPS[2])).statusCode).toBe(200);
  });

  it("unlocking needs user:write, and answers 404 for an unknown user", async () => {
    const id = await h.createUser("mallory");
    await lockOut("mallory");
    const plain = await t.userToken("nina", ["viewer"]);
    const denied = await unlock(id, plain);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe("POLICY_DENIED");
    expect((await getUser(id)).locked_until).not.toBeNull();
    const missing = await unlock(MISSING);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe("NOT_FOUND");
  });
});

// Another replica needs a database it can share: PostgreSQL only (in-memory PGlite is per process).
describe.skipIf(!TEST_DATABASE_URL)("counters shared by replicas, whatever their caches (PostgreSQL)", () => {
  let t: TestApp;
  const h = harness(() => t);
  beforeAll(async () => {
    t = await createTestApp();
  }, 120_000);
  afterAll(async () => t?.close());

  it("a replica that starts after the failures (a restart) refuses the blocked username too", async () => {
    await h.createUser("quinn");
    await h.fail("quinn", 5);
    // Its own cache prefix: nothing reaches it through memory or Redis, only through the database.
    const ctx = await t.replica();
    const app = await buildApp(ctx);
    try {
      await app.ready();
      await ctx.start();
      const res = await app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        remoteAddress: addressOf("quinn"),
        payload: { username: "quinn", password: h.passwordOf("quinn") },
      });
      expect(res.statusCode).toBe(429);
      expect(res.json().error.code).toBe("RATE_LIMITED");
    } finally {
      await app.close();
      await ctx.stop();
    }
  });
});
