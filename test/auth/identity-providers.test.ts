import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLoginProtection } from "../../src/auth/login-protection/protection.js";
import { createLocalProvider } from "../../src/auth/providers/local/local-provider.js";
import { createRevocations } from "../../src/auth/revocations/revocations.js";
import type { AuthTables } from "../../src/auth/tables.js";
import { createSessionService, type SessionService } from "../../src/auth/tokens/sessions.js";
import { createTokenService } from "../../src/auth/tokens/token-service.js";
import { findUserByUsername } from "../../src/auth/users/repository.js";
import { createMetrics } from "../../src/platform/metrics.js";
import { ADMIN, createTestApp, type TestApp } from "../helpers/app.js";

const request = { ip: "127.0.0.1", userAgent: "identity-test", requestId: "identity-test" };

let t: TestApp;
let sessions: SessionService;
beforeAll(async () => {
  t = await createTestApp();
  const db = t.ctx.database.db.withTables<AuthTables>();
  const clock = t.ctx.clock;
  sessions = createSessionService({
    db,
    audit: t.ctx.audit,
    clock,
    tokens: createTokenService({ config: t.config.jwt, secret: "identity-test-secret-0123456789abcdef", clock }),
    passwords: createLocalProvider(db),
    protection: createLoginProtection({ db, audit: t.ctx.audit, clock, config: t.config.loginProtection }),
    revocations: createRevocations({ db, cache: t.ctx.cache, clock, logger: t.ctx.logger, markerTtlSeconds: 60 }),
    jwt: t.config.jwt,
    logins: createMetrics().counter({ name: "identity_test_logins", help: "test", labelNames: ["result"] }),
  });
}, 120_000);
afterAll(async () => t?.close());

describe("identity providers behind one seam", () => {
  it("the local provider verifies a password into an identity of the user's account", async () => {
    const local = createLocalProvider(t.ctx.database.db.withTables<AuthTables>());
    const check = await local.verify({ username: ADMIN.username, password: ADMIN.password });
    const admin = await findUserByUsername(t.ctx.database.db.withTables<AuthTables>(), ADMIN.username);
    expect(check).toEqual({
      ok: true,
      identity: {
        userId: admin?.id,
        subject: admin?.id,
        username: ADMIN.username,
        email: admin?.email ?? null,
        groups: [],
        method: "password",
        mfa: false,
      },
    });
    expect(await local.verify({ username: ADMIN.username, password: "wrong-password-123" })).toEqual({
      ok: false,
      reason: "bad_password",
    });
    expect(await local.verify({ username: "nobody-here", password: "wrong-password-123" })).toEqual({
      ok: false,
      reason: "unknown_user",
    });
  });

  it("a session keeps the provider's auth method, MFA and groups through a refresh", async () => {
    const admin = await findUserByUsername(t.ctx.database.db.withTables<AuthTables>(), ADMIN.username);
    if (!admin) throw new Error("bootstrap admin missing");
    const identity = {
      userId: admin.id,
      subject: "uid=admin,ou=people,dc=example,dc=org",
      username: admin.username,
      email: admin.email,
      groups: ["sark-admins"],
      method: "ldap" as const,
      mfa: true,
    };
    const started = await sessions.start(identity, request);
    expect(decodeJwt(started.access_token)).toMatchObject({ auth_method: "ldap", mfa: true, groups: ["sark-admins"] });
    const refreshed = await sessions.refresh(started.refresh_token, request);
    expect(decodeJwt(refreshed.access_token)).toMatchObject({
      sub: admin.id,
      auth_method: "ldap",
      mfa: true,
      groups: ["sark-admins"],
    });
  });

  it("a password login says so in its token", async () => {
    const session = await sessions.login(ADMIN.username, ADMIN.password, request);
    expect(decodeJwt(session.access_token)).toMatchObject({ auth_method: "password", mfa: false, groups: [] });
  });

  it("refuses to start a session for an identity whose account does not exist", async () => {
    const ghost = {
      userId: "00000000-0000-7000-8000-00000000dead",
      subject: "ghost",
      username: "ghost",
      email: null,
      groups: [],
      method: "oidc" as const,
      mfa: false,
    };
    await expect(sessions.start(ghost, request)).rejects.toMatchObject({ code: "INVALID_CREDENTIALS" });
  });
});
