import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, createTestApp, type TestApp } from "../helpers/app.js";

interface Session {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token: string;
  user: { id: string; username: string; roles: string[] };
}

const decodeClaims = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;

describe("auth sessions", () => {
  let t: TestApp;
  const login = async (username: string, password: string) =>
    t.request({ method: "POST", url: "/api/v1/auth/login", body: { username, password } });
  const refresh = (refresh_token: string) =>
    t.request({ method: "POST", url: "/api/v1/auth/refresh", body: { refresh_token } });
  const me = (token: string) => t.request({ method: "GET", url: "/api/v1/auth/me", token });

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it("logs the bootstrap admin in with SARK_ADMIN_PASSWORD", async () => {
    const res = await login(ADMIN.username, ADMIN.password);
    expect(res.statusCode).toBe(200);
    const body = res.json<Session>();
    expect(body.token_type).toBe("bearer");
    expect(body.expires_in).toBe(t.config.jwt.accessTokenTtlSeconds);
    expect(body.refresh_token.length).toBeGreaterThan(30);
    expect(body.user).toMatchObject({ username: "admin", roles: ["admin"] });
    expect(JSON.stringify(body.user)).not.toContain("scrypt");
    const claims = decodeClaims(body.access_token);
    expect(claims).toMatchObject({
      sub: body.user.id,
      username: "admin",
      roles: ["admin"],
      teams: [],
      iss: t.config.jwt.issuer,
      aud: t.config.jwt.audience,
    });
    for (const c of ["iat", "exp", "jti"]) expect(claims[c]).toBeDefined();
  });

  it("does not bootstrap a second admin once users exist", async () => {
    expect(await t.ctx.accounts.bootstrapAdmin()).toEqual({ created: false, username: "admin" });
  });

  it("answers wrong password and unknown user with the same 401", async () => {
    const wrong = await login(ADMIN.username, "not-the-password");
    const unknown = await login("nobody-here", "not-the-password");
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(401);
      expect(res.headers["www-authenticate"]).toBe("Bearer");
      expect(res.json().error.code).toBe("INVALID_CREDENTIALS");
    }
    expect(wrong.json().error.message).toBe(unknown.json().error.message);
  });

  it("validates the login body", async () => {
    const res = await t.request({ method: "POST", url: "/api/v1/auth/login", body: { username: "admin" } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe("VALIDATION_FAILED");
  });

  it("records login successes and failures as metrics and audit events", async () => {
    const metrics = await t.ctx.metrics.registry.getSingleMetricAsString("sark_auth_logins_total");
    expect(metrics).toMatch(/result="success"} [1-9]/);
    expect(metrics).toMatch(/result="failure"} [1-9]/);
    await t.ctx.auditAdmin.flush();
    const rows = await t.ctx.database.db
      .withTables<{ audit_events: { event_type: string; outcome: string; details: unknown } }>()
      .selectFrom("audit_events")
      .select(["outcome", "details"])
      .where("event_type", "=", "auth.login")
      .execute();
    expect(rows.map((r) => r.outcome)).toEqual(expect.arrayContaining(["success", "failure"]));
    expect(JSON.stringify(rows)).not.toContain("not-the-password");
  });

  it("serves /auth/me from the token, and 401s without or with a bad token", async () => {
    const { access_token } = (await login(ADMIN.username, ADMIN.password)).json<Session>();
    const res = await me(access_token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ username: "admin", roles: ["admin"], auth_method: "password" });
    for (const bad of [undefined, "garbage", `${access_token}x`]) {
      const r = await me(bad as string);
      expect(r.statusCode).toBe(401);
      expect(r.headers["www-authenticate"]).toBe("Bearer");
      expect(r.json().error.code).toBe("UNAUTHENTICATED");
    }
    const basic = await t.request({ method: "GET", url: "/api/v1/auth/me", headers: { authorization: "Basic eDp5" } });
    expect(basic.statusCode).toBe(401);
  });

  it("rotates refresh tokens; reusing a rotated one revokes the whole family", async () => {
    const first = (await login(ADMIN.username, ADMIN.password)).json<Session>();
    const second = await refresh(first.refresh_token);
    expect(second.statusCode).toBe(200);
    const s2 = second.json<Session>();
    expect(s2.refresh_token).not.toBe(first.refresh_token);
    expect((await me(s2.access_token)).statusCode).toBe(200);

    const reuse = await refresh(first.refresh_token);
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json().error.code).toBe("TOKEN_REVOKED");
    // Whoever replayed it may hold access tokens from the family: the user's access tokens end too.
    expect((await me(s2.access_token)).statusCode).toBe(401);
    // The family is gone: the legitimate latest refresh token no longer works either.
    const after = await refresh(s2.refresh_token);
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe("TOKEN_REVOKED");

    await t.ctx.auditAdmin.flush();
    const events = await t.ctx.database.db
      .withTables<{ audit_events: { event_type: string; severity: string } }>()
      .selectFrom("audit_events")
      .select(["severity"])
      .where("event_type", "=", "auth.refresh_reuse_detected")
      .execute();
    expect(events).toEqual([{ severity: "high" }]);
  });

  it("rejects unknown refresh tokens", async () => {
    const res = await refresh("not-a-refresh-token");
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe("UNAUTHENTICATED");
  });

  it("logout revokes the access token and the refresh token's family", async () => {
    const s = (await login(ADMIN.username, ADMIN.password)).json<Session>();
    expect((await me(s.access_token)).statusCode).toBe(200);
    const out = await t.request({
      method: "POST",
      url: "/api/v1/auth/logout",
      token: s.access_token,
      body: { refresh_token: s.refresh_token },
    });
    expect(out.statusCode).toBe(204);
    const res = await me(s.access_token);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe("TOKEN_REVOKED");
    expect((await refresh(s.refresh_token)).statusCode).toBe(401);
  });

  it("logout without a body and without a token", async () => {
    const s = (await login(ADMIN.username, ADMIN.password)).json<Session>();
    expect((await t.request({ method: "POST", url: "/api/v1/auth/logout", token: s.access_token })).statusCode).toBe(
      204,
    );
    expect((await me(s.access_token)).statusCode).toBe(401);
    expect((await t.request({ method: "POST", url: "/api/v1/auth/logout" })).statusCode).toBe(401);
  });
});

describe("first start without SARK_ADMIN_PASSWORD, ES256 tokens", () => {
  let t: TestApp;
  beforeAll(async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    t = await createTestApp({
      SARK_ADMIN_PASSWORD: "",
      SARK_ADMIN_USERNAME: "root",
      JWT_ALGORITHM: "es256",
      JWT_PRIVATE_KEY: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      JWT_PUBLIC_KEY: publicKey.export({ type: "spki", format: "pem" }).toString(),
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it("generates an admin password, returns it once, and it logs in", async () => {
    // createTestApp already bootstrapped (and dropped the password); start over on an empty table.
    await t.ctx.database.db.withTables<{ users: { id: string } }>().deleteFrom("users").execute();
    const boot = await t.ctx.accounts.bootstrapAdmin();
    expect(boot).toMatchObject({ created: true, username: "root" });
    expect(boot.generatedPassword?.length).toBeGreaterThanOrEqual(20);
    const token = await t.login("root", boot.generatedPassword ?? "");
    expect(JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString()).alg).toBe("ES256");
    const me = await t.request({ method: "GET", url: "/api/v1/auth/me", token });
    expect(me.json()).toMatchObject({ username: "root", roles: ["admin"] });
    expect((await t.ctx.accounts.bootstrapAdmin()).created).toBe(false);
  });
});
