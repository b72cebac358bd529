import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { expectAuthRequired } from "../helpers/auth-cases.js";

interface KeyBody {
  id: string;
  key?: string;
  prefix: string;
  user_id: string;
  scopes: string[];
  usage_count: number;
  last_used_at: string | null;
  expires_at: string | null;
  rate_limit_per_minute: number | null;
  revoked_at: string | null;
}

const KEY_FORMAT = /^sark_dev_[0-9A-Za-z]{16}_[0-9A-Za-z]{43}$/;

describe("API keys", () => {
  let t: TestApp;
  let admin: string;
  let viewer: string;
  let viewerId: string;
  const createKey = (token: string, body: Record<string, unknown>) =>
    t.request({ method: "POST", url: "/api/v1/api-keys", token, body });
  const me = (apiKey: string) => t.request({ method: "GET", url: "/api/v1/auth/me", apiKey });

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.adminToken();
    viewer = await t.userToken("vic", ["viewer"]);
    viewerId = (await t.request({ method: "GET", url: "/api/v1/auth/me", token: viewer })).json<{ id: string }>().id;
  });
  afterAll(async () => {
    await t.close();
  });

  it("creates a key shown once in sark_<env>_<id>_<secret> form; list/get never show it", async () => {
    const res = await createKey(viewer, { name: "ci", scopes: ["servers:read"], rate_limit_per_minute: 120 });
    expect(res.statusCode).toBe(201);
    const created = res.json<KeyBody>();
    expect(created.key).toMatch(KEY_FORMAT);
    expect(created).toMatchObject({ user_id: viewerId, scopes: ["servers:read"], rate_limit_per_minute: 120 });
    expect(created.key?.startsWith(`${created.prefix}_`)).toBe(true);
    const secret = created.key?.split("_")[3] ?? "";

    const list = await t.request({ method: "GET", url: "/api/v1/api-keys", token: viewer });
    expect(list.statusCode).toBe(200);
    expect(list.json<{ items: KeyBody[] }>().items.map((k) => k.id)).toEqual([created.id]);
    const get = await t.request({ method: "GET", url: `/api/v1/api-keys/${created.id}`, token: viewer });
    expect(get.statusCode).toBe(200);
    for (const body of [list.body, get.body]) {
      expect(body).not.toContain(secret);
      expect(body).not.toMatch(/"key"|secret|sha256/);
    }
  });

  it("authenticates with X-API-Key, records usage without a write per request", async () => {
    const { key, id } = (await createKey(viewer, { name: "use", scopes: ["servers:read"] })).json<KeyBody>();
    const res = await me(key ?? "");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: viewerId,
      auth_method: "api_key",
      api_key_id: id,
      scopes: ["servers:read"],
    });
    await me(key ?? "");
    const usage = (await t.request({ method: "GET", url: `/api/v1/api-keys/${id}`, token: viewer })).json<KeyBody>();
    expect(usage.usage_count).toBe(2);
    expect(usage.last_used_at).not.toBeNull();
    // The feature's stop() flushes the counters; start again so the rest of the suite keeps running.
    const auth = t.ctx.features.find((f) => f.name === "auth");
    await auth?.stop?.();
    await auth?.start?.();
    const row = await t.ctx.database.db
      .withTables<{ api_keys: { id: string; usage_count: string | number } }>()
      .selectFrom("api_keys")
      .select("usage_count")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(Number(row.usage_count)).toBe(2);
    const after = (await t.request({ method: "GET", url: `/api/v1/api-keys/${id}`, token: viewer })).json<KeyBody>();
    expect(after.usage_count).toBe(2);
  });

  it("rotation: the old key stops working at once, the new one works", async () => {
    const { key: oldKey, id } = (await createKey(viewer, { name: "rot", scopes: ["servers:read"] })).json<KeyBody>();
    expect((await me(oldKey ?? "")).statusCode).toBe(200);
    const rotated = await t.request({ method: "POST", url: `/api/v1/api-keys/${id}/rotate`, token: viewer });
    expect(rotated.statusCode).toBe(200);
    const newKey = rotated.json<KeyBody>().key ?? "";
    expect(newKey).toMatch(KEY_FORMAT);
    expect(newKey).not.toBe(oldKey);
    expect(rotated.json<KeyBody>().id).toBe(id);
    const old = await me(oldKey ?? "");
    expect(old.statusCode).toBe(401);
    expect(old.headers["www-authenticate"]).toBe("Bearer");
    expect((await me(newKey)).statusCode).toBe(200);
  });

  it("revocation: DELETE → 204, then the key is refused", async () => {
    const { key, id } = (await createKey(viewer, { name: "rev", scopes: ["servers:read"] })).json<KeyBody>();
    expect((await me(key ?? "")).statusCode).toBe(200);
    expect((await t.request({ method: "DELETE", url: `/api/v1/api-keys/${id}`, token: viewer })).statusCode).toBe(204);
    expect((await me(key ?? "")).statusCode).toBe(401);
    const listed = await t.request({ method: "GET", url: "/api/v1/api-keys?include_revoked=true", token: viewer });
    expect(listed.json<{ items: KeyBody[] }>().items.find((k) => k.id === id)?.revoked_at).not.toBeNull();
    const active = await t.request({ method: "GET", url: "/api/v1/api-keys", token: viewer });
    expect(active.json<{ items: KeyBody[] }>().items.map((k) => k.id)).not.toContain(id);
    const rotate = await t.request({ method: "POST", url: `/api/v1/api-keys/${id}/rotate`, token: viewer });
    expect(rotate.statusCode).toBe(409);
  });

  it("refuses an expired key", async () => {
    const { key, id } = (await createKey(viewer, { name: "exp", scopes: ["servers:read"] })).json<KeyBody>();
    await t.ctx.database.db
      .withTables<{ api_keys: { id: string; expires_at: Date | null } }>()
      .updateTable("api_keys")
      .set({ expires_at: new Date(Date.now() - 60_000) })
      .where("id", "=", id)
      .execute();
    const res = await me(key ?? "");
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toBe("API key has expired");
  });

  it("accepts expires_in_days / expires_at in the future, rejects the past and both at once", async () => {
    const days = await createKey(viewer, { name: "d", scopes: ["servers:read"], expires_in_days: 30 });
    expect(days.statusCode).toBe(201);
    expect(days.json<KeyBody>().expires_at).not.toBeNull();
    const past = await createKey(viewer, { name: "p", scopes: ["servers:read"], expires_at: "2001-01-01T00:00:00Z" });
    expect(past.statusCode).toBe(400);
    const both = await createKey(viewer, {
      name: "b",
      scopes: ["servers:read"],
      expires_in_days: 1,
      expires_at: "2999-01-01T00:00:00Z",
    });
    expect(both.statusCode).toBe(400);
  });

  it("validates scopes against the catalogue and the body shape", async () => {
    for (const body of [
      { name: "x", scopes: ["root"] },
      { name: "x", scopes: [] },
      { name: "", scopes: ["servers:read"] },
      { name: "x", scopes: ["servers:read"], rate_limit_per_minute: 0 },
      { name: "x", scopes: ["servers:read"], extra: 1 },
    ]) {
      const res = await createKey(viewer, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code).toBe("VALIDATION_FAILED");
    }
  });

  it("a key without the scope gets 403 naming the scope; with it, the role still applies", async () => {
    const adminKey = (await createKey(admin, { name: "narrow", scopes: ["servers:read"] })).json<KeyBody>().key ?? "";
    const denied = await t.request({ method: "GET", url: "/api/v1/users", apiKey: adminKey });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe("POLICY_DENIED");
    expect(denied.json().error.message).toContain("users:read");

    const wide = (await createKey(admin, { name: "wide", scopes: ["users:read"] })).json<KeyBody>().key ?? "";
    expect((await t.request({ method: "GET", url: "/api/v1/users", apiKey: wide })).statusCode).toBe(200);
    // A viewer cannot even hold users:read; a key whose owner lost the role is still refused by the role.
    expect((await createKey(viewer, { name: "vw", scopes: ["users:read"] })).statusCode).toBe(403);
    const secAdmin = await t.userToken("sam", ["security_admin"]);
    const samKey = (await createKey(secAdmin, { name: "sw", scopes: ["users:read"] })).json<KeyBody>();
    expect((await t.request({ method: "GET", url: "/api/v1/users", apiKey: samKey.key ?? "" })).statusCode).toBe(200);
    const demote = await t.request({
      method: "PATCH",
      url: `/api/v1/users/${samKey.user_id}`,
      token: admin,
      body: { roles: ["viewer"] },
    });
    expect(demote.statusCode).toBe(200);
    expect((await t.request({ method: "GET", url: "/api/v1/users", apiKey: samKey.key ?? "" })).statusCode).toBe(403);
    // Deleting the user takes their keys along (later cases count the key owners).
    const removed = await t.request({ method: "DELETE", url: `/api/v1/users/${samKey.user_id}`, token: admin });
    expect(removed.statusCode).toBe(204);
    // Keys cannot mint keys unless they carry api-keys:write (or admin).
    expect((await createKey("", { name: "x", scopes: ["servers:read"] })).statusCode).toBe(401);
    const viaKey = await t.request({
      method: "POST",
      url: "/api/v1/api-keys",
      apiKey: wide,
      body: { name: "x", scopes: ["servers:read"] },
    });
    expect(viaKey.statusCode).toBe(403);
  });

  it("another user's key is 404 for non-admins; admins see and manage all", async () => {
    const adminKey = (await createKey(admin, { name: "admins", scopes: ["servers:read"] })).json<KeyBody>();
    for (const [method, url] of [
      ["GET", `/api/v1/api-keys/${adminKey.id}`],
      ["POST", `/api/v1/api-keys/${adminKey.id}/rotate`],
      ["DELETE", `/api/v1/api-keys/${adminKey.id}`],
      ["GET", "/api/v1/api-keys/AAAAAAAAAAAAAAAA"],
    ] as const) {
      const res = await t.request({ method, url, token: viewer });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
    const others = await t.request({ method: "GET", url: `/api/v1/api-keys?user_id=${viewerId}`, token: admin });
    expect(others.statusCode).toBe(200);
    expect(others.json<{ items: KeyBody[] }>().items.length).toBeGreaterThan(0);
    const all = await t.request({ method: "GET", url: "/api/v1/api-keys?all=true", token: admin });
    expect(new Set(all.json<{ items: KeyBody[] }>().items.map((k) => k.user_id)).size).toBe(2);
    expect((await t.request({ method: "GET", url: "/api/v1/api-keys?all=true", token: viewer })).statusCode).toBe(403);

    const forViewer = await createKey(admin, { name: "issued", scopes: ["servers:read"], user_id: viewerId });
    expect(forViewer.statusCode).toBe(201);
    expect(forViewer.json<KeyBody>().user_id).toBe(viewerId);
    const viewerKeyId = forViewer.json<KeyBody>().id;
    expect(
      (await t.request({ method: "DELETE", url: `/api/v1/api-keys/${viewerKeyId}`, token: admin })).statusCode,
    ).toBe(204);
  });

  it("stops a deactivated user's keys", async () => {
    const token = await t.userToken("kate", ["viewer"]);
    const { key } = (await createKey(token, { name: "k", scopes: ["servers:read"] })).json<KeyBody>();
    const id = (await me(key ?? "")).json<{ id: string }>().id;
    await t.request({ method: "PATCH", url: `/api/v1/users/${id}`, token: admin, body: { is_active: false } });
    expect((await me(key ?? "")).statusCode).toBe(401);
  });

  it("rejects keys that are malformed, unknown, from another environment or with a wrong secret", async () => {
    const { key } = (await createKey(viewer, { name: "w", scopes: ["servers:read"] })).json<KeyBody>();
    const good = key ?? "";
    const wrongSecret = `${good.slice(0, -1)}${good.endsWith("A") ? "B" : "A"}`;
    for (const bad of [
      wrongSecret,
      good.replace("sark_dev_", "sark_prod_"),
      `${good}x`,
      "sark_dev_AAAAAAAAAAAAAAAA_x",
    ]) {
      expect((await me(bad)).statusCode, bad).toBe(401);
    }
    const metric = await t.ctx.metrics.registry.getSingleMetricAsString("sark_auth_api_key_total");
    expect(metric).toMatch(/result="success"} [1-9]/);
    expect(metric).toMatch(/result="invalid"} [1-9]/);
  });

  it("requires authentication on every route", async () => {
    await expectAuthRequired(t, [
      { method: "POST", url: "/api/v1/api-keys", body: { name: "x", scopes: ["servers:read"] } },
      { method: "GET", url: "/api/v1/api-keys" },
      { method: "GET", url: "/api/v1/api-keys/AAAAAAAAAAAAAAAA" },
      { method: "POST", url: "/api/v1/api-keys/AAAAAAAAAAAAAAAA/rotate" },
      { method: "DELETE", url: "/api/v1/api-keys/AAAAAAAAAAAAAAAA" },
    ]);
  });

  it("audits key lifecycle events", async () => {
    await t.ctx.auditAdmin.flush();
    const rows = await t.ctx.database.db
      .withTables<{ audit_events: { event_type: string } }>()
      .selectFrom("audit_events")
      .select("event_type")
      .where("event_type", "like", "apikey.%")
      .execute();
    expect([...new Set(rows.map((r) => r.event_type))].sort()).toEqual([
      "apikey.created",
      "apikey.revoked",
      "apikey.rotated",
    ]);
  });
});
