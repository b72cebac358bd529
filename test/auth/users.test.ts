import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { expectAuthRequired, expectForbidden } from "../helpers/auth-cases.js";

interface UserBody {
  id: string;
  username: string;
  roles: string[];
  teams: string[];
  is_active: boolean;
}

const MISSING = "01900000-0000-7000-8000-000000000000";

describe("users API", () => {
  let t: TestApp;
  let admin: string;
  const create = (body: Record<string, unknown>, token = admin) =>
    t.request({ method: "POST", url: "/api/v1/users", token, body });
  const newUser = (username: string, extra: Record<string, unknown> = {}) =>
    create({ username, password: `${username}-password-123`, roles: ["viewer"], ...extra });

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.adminToken();
  });
  afterAll(async () => {
    await t.close();
  });

  it("creates, gets and lists users without exposing password hashes", async () => {
    const res = await newUser("alice", { email: "alice@example.test", teams: ["blue"], full_name: "Alice" });
    expect(res.statusCode).toBe(201);
    const alice = res.json<UserBody>();
    expect(alice).toMatchObject({ username: "alice", roles: ["viewer"], teams: ["blue"], is_active: true });
    expect(res.body).not.toMatch(/password|scrypt/);

    const got = await t.request({ method: "GET", url: `/api/v1/users/${alice.id}`, token: admin });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(alice);

    await newUser("bob");
    const first = await t.request({ method: "GET", url: "/api/v1/users?limit=2", token: admin });
    expect(first.statusCode).toBe(200);
    const page1 = first.json<{ items: UserBody[]; next_cursor: string; has_more: boolean }>();
    expect(page1.items.map((u) => u.username)).toEqual(["admin", "alice"]);
    expect(page1.has_more).toBe(true);
    const second = await t.request({
      method: "GET",
      url: `/api/v1/users?limit=2&cursor=${page1.next_cursor}`,
      token: admin,
    });
    expect(second.json<{ items: UserBody[] }>().items.map((u) => u.username)).toEqual(["bob"]);
    const viewers = await t.request({ method: "GET", url: "/api/v1/users?role=admin", token: admin });
    expect(viewers.json<{ items: UserBody[] }>().items.map((u) => u.username)).toEqual(["admin"]);
    expect(res.body).not.toContain("hash");
  });

  it("validates: unknown role, short password, bad username, extra fields, bad ids, bad cursor", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ username: "carol", password: "long-enough-password", roles: ["superuser"] }, "body/roles/0"],
      [{ username: "carol", password: "short", roles: ["viewer"] }, "body/password"],
      [{ username: "bad name!", password: "long-enough-password", roles: ["viewer"] }, "body/username"],
      [{ username: "carol", password: "long-enough-password", roles: ["viewer"], admin: true }, "body/admin"],
      [{ username: "carol", password: "long-enough-password", roles: ["viewer"], email: "nope" }, "body/email"],
      [{ password: "long-enough-password", roles: ["viewer"] }, "body/username"],
    ];
    for (const [body, path] of cases) {
      const res = await create(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code).toBe("VALIDATION_FAILED");
      expect(res.json().error.details.fields.map((f: { path: string }) => f.path)).toContain(path);
    }
    expect((await t.request({ method: "GET", url: "/api/v1/users/not-a-uuid", token: admin })).statusCode).toBe(400);
    const cursor = await t.request({ method: "GET", url: "/api/v1/users?cursor=zzz", token: admin });
    expect(cursor.json().error.code).toBe("INVALID_CURSOR");
    const empty = await t.request({ method: "PATCH", url: `/api/v1/users/${MISSING}`, token: admin, body: {} });
    expect(empty.statusCode).toBe(400);
  });

  it("rejects the service path's invalid input too (CLI)", async () => {
    await expect(
      t.ctx.accounts.createUser({ username: "cli", password: "cli-password-123", roles: ["root"] }),
    ).rejects.toThrow(/not valid/);
  });

  it("answers 409 to a duplicate username (case-insensitive) or email", async () => {
    await newUser("dave", { email: "dave@example.test" });
    const dup = await newUser("DAVE");
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error).toMatchObject({ code: "CONFLICT", message: "a user named 'DAVE' already exists" });
    const dupEmail = await newUser("dave2", { email: "Dave@Example.test" });
    expect(dupEmail.statusCode).toBe(409);
  });

  it("returns 404 for unknown users", async () => {
    for (const method of ["GET", "DELETE"]) {
      const res = await t.request({ method, url: `/api/v1/users/${MISSING}`, token: admin });
      expect(res.statusCode).toBe(404);
    }
    const patch = await t.request({
      method: "PATCH",
      url: `/api/v1/users/${MISSING}`,
      token: admin,
      body: { is_active: false },
    });
    expect(patch.statusCode).toBe(404);
    const unlock = await t.request({ method: "POST", url: `/api/v1/users/${MISSING}/unlock`, token: admin });
    expect(unlock.statusCode).toBe(404);
  });

  const routes = [
    { method: "POST", url: "/api/v1/users", body: { username: "x", password: "long-enough-password", roles: [] } },
    { method: "GET", url: "/api/v1/users" },
    { method: "GET", url: `/api/v1/users/${MISSING}` },
    { method: "PATCH", url: `/api/v1/users/${MISSING}`, body: { is_active: false } },
    { method: "DELETE", url: `/api/v1/users/${MISSING}` },
    { method: "POST", url: `/api/v1/users/${MISSING}/unlock` },
  ];

  it("requires authentication", async () => {
    await expectAuthRequired(t, routes);
  });

  it("is admin-only: viewers and developers get 403", async () => {
    await expectForbidden(t, routes, { token: await t.userToken("vera", ["viewer"]) });
    await expectForbidden(t, routes, { token: await t.userToken("devon", ["developer"]) });
  });

  it("ends a user's sessions when their roles change; new logins carry the new roles", async () => {
    const token = await t.userToken("erin", ["viewer"]);
    const me = (tk: string) => t.request({ method: "GET", url: "/api/v1/auth/me", token: tk });
    expect((await me(token)).statusCode).toBe(200);
    const { id } = (await me(token)).json<{ id: string }>();
    const patch = await t.request({
      method: "PATCH",
      url: `/api/v1/users/${id}`,
      token: admin,
      body: { roles: ["developer"], teams: ["red"] },
    });
    expect(patch.statusCode).toBe(200);
    expect(patch.json()).toMatchObject({ roles: ["developer"], teams: ["red"] });
    const old = await me(token);
    expect(old.statusCode).toBe(401);
    expect(old.json().error.code).toBe("TOKEN_REVOKED");
    const fresh = await t.login("erin", "erin-password-123");
    expect((await me(fresh)).json()).toMatchObject({ roles: ["developer"], teams: ["red"] });
  });

  it("after a role change the refresh token still works and carries the new roles; deactivation ends it", async () => {
    await newUser("hank");
    const session = await t.request({
      method: "POST",
      url: "/api/v1/auth/login",
      body: { username: "hank", password: "hank-password-123" },
    });
    const { refresh_token, user } = session.json<{ refresh_token: string; user: UserBody }>();
    const patch = (body: Record<string, unknown>) =>
      t.request({ method: "PATCH", url: `/api/v1/users/${user.id}`, token: admin, body });
    expect((await patch({ roles: ["analyst"] })).statusCode).toBe(200);
    const refreshed = await t.request({ method: "POST", url: "/api/v1/auth/refresh", body: { refresh_token } });
    expect(refreshed.statusCode).toBe(200);
    const next = refreshed.json<{ access_token: string; refresh_token: string }>();
    const me = await t.request({ method: "GET", url: "/api/v1/auth/me", token: next.access_token });
    expect(me.json()).toMatchObject({ roles: ["analyst"] });
    expect((await patch({ is_active: false })).statusCode).toBe(200);
    const denied = await t.request({
      method: "POST",
      url: "/api/v1/auth/refresh",
      body: { refresh_token: next.refresh_token },
    });
    expect(denied.statusCode).toBe(401);
    expect(denied.json().error.code).toBe("TOKEN_REVOKED");
  });

  it("a deactivated user's token stops working and they cannot log in", async () => {
    const token = await t.userToken("frank", ["viewer"]);
    const { id } = (await t.request({ method: "GET", url: "/api/v1/auth/me", token })).json<{ id: string }>();
    const res = await t.request({
      method: "PATCH",
      url: `/api/v1/users/${id}`,
      token: admin,
      body: { is_active: false },
    });
    expect(res.json()).toMatchObject({ is_active: false });
    expect((await t.request({ method: "GET", url: "/api/v1/auth/me", token })).statusCode).toBe(401);
    const login = await t.request({
      method: "POST",
      url: "/api/v1/auth/login",
      body: { username: "frank", password: "frank-password-123" },
    });
    expect(login.statusCode).toBe(401);
    expect(login.json().error.code).toBe("INVALID_CREDENTIALS");
  });

  it("deletes users (their tokens stop working) but never the last active admin", async () => {
    const token = await t.userToken("gina", ["viewer"]);
    const { id } = (await t.request({ method: "GET", url: "/api/v1/auth/me", token })).json<{ id: string }>();
    expect((await t.request({ method: "DELETE", url: `/api/v1/users/${id}`, token: admin })).statusCode).toBe(204);
    expect((await t.request({ method: "GET", url: `/api/v1/users/${id}`, token: admin })).statusCode).toBe(404);
    expect((await t.request({ method: "GET", url: "/api/v1/auth/me", token })).statusCode).toBe(401);

    const adminId = (await t.request({ method: "GET", url: "/api/v1/auth/me", token: admin })).json<{ id: string }>()
      .id;
    const self = await t.request({ method: "DELETE", url: `/api/v1/users/${adminId}`, token: admin });
    expect(self.statusCode).toBe(409);
    const demote = await t.request({
      method: "PATCH",
      url: `/api/v1/users/${adminId}`,
      token: admin,
      body: { roles: ["viewer"] },
    });
    expect(demote.statusCode).toBe(409);
  });

  it("audits user changes", async () => {
    await t.ctx.auditAdmin.flush();
    const rows = await t.ctx.database.db
      .withTables<{ audit_events: { event_type: string } }>()
      .selectFrom("audit_events")
      .select("event_type")
      .where("event_type", "in", ["user.created", "user.updated", "user.deleted"])
      .execute();
    const types = new Set(rows.map((r) => r.event_type));
    expect([...types].sort()).toEqual(["user.created", "user.deleted", "user.updated"]);
    const updates = await t.ctx.database.db
      .withTables<{ audit_events: { event_type: string; details: unknown } }>()
      .selectFrom("audit_events")
      .select("details")
      .where("event_type", "=", "user.updated")
      .execute();
    const details = updates.map((u) => (typeof u.details === "string" ? JSON.parse(u.details) : u.details));
    expect(details).toContainEqual({ changed: ["is_active"] });
  });
  // Last on purpose: one of the two admins ends up demoted, and its token with it.
  it("two concurrent demotions of the last two admins: exactly one succeeds", async () => {
    const zed = (await newUser("zed", { roles: ["admin"] })).json<UserBody>();
    const adminId = (await t.request({ method: "GET", url: "/api/v1/auth/me", token: admin })).json<{ id: string }>()
      .id;
    const demote = (id: string) =>
      t.request({ method: "PATCH", url: `/api/v1/users/${id}`, token: admin, body: { roles: ["viewer"] } });
    const results = await Promise.all([demote(adminId), demote(zed.id)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
  });
});
