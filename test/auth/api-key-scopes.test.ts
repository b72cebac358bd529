import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.js";

interface KeyBody {
  id: string;
  key?: string;
  user_id: string;
  scopes: string[];
}

/** A key's scopes are bounded by its owner's roles and, when a key acts, by the acting key's own. */
describe("API-key scopes cannot exceed what the owner (or the acting key) may do", () => {
  let t: TestApp;
  let admin: string;
  let viewer: string;
  let viewerId: string;
  const createKey = (creds: { token?: string; apiKey?: string }, body: Record<string, unknown>) =>
    t.request({ method: "POST", url: "/api/v1/api-keys", ...creds, body });
  const rotate = (creds: { token?: string; apiKey?: string }, id: string) =>
    t.request({ method: "POST", url: `/api/v1/api-keys/${id}/rotate`, ...creds });
  const expectForbiddenScope = (res: Awaited<ReturnType<TestApp["request"]>>, scope: string) => {
    expect(res.statusCode, res.body).toBe(403);
    expect(res.json().error.message).toContain(`'${scope}'`);
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.adminToken();
    viewer = await t.userToken("vera", ["viewer"]);
    viewerId = (await t.request({ method: "GET", url: "/api/v1/auth/me", token: viewer })).json<{ id: string }>().id;
  });
  afterAll(async () => {
    await t.close();
  });

  it("a viewer cannot create a key with the admin scope or any scope beyond the viewer role", async () => {
    const res = await createKey({ token: viewer }, { name: "escalate", scopes: ["servers:read", "admin"] });
    expectForbiddenScope(res, "admin");
    expect(res.json().error.message).toContain("viewer");
    for (const scope of ["users:read", "users:write", "servers:write", "audit:read", "policies:write"]) {
      expectForbiddenScope(await createKey({ token: viewer }, { name: "x", scopes: [scope] }), scope);
    }
    expect((await createKey({ token: viewer }, { name: "ok", scopes: ["servers:read"] })).statusCode).toBe(201);
  });

  it("an admin cannot issue a viewer a key with scopes the viewer's roles do not grant", async () => {
    const res = await createKey({ token: admin }, { name: "gift", scopes: ["admin"], user_id: viewerId });
    expectForbiddenScope(res, "admin");
    const ok = await createKey({ token: admin }, { name: "gift", scopes: ["policies:read"], user_id: viewerId });
    expect(ok.statusCode).toBe(201);
  });

  it("a key without api-keys:write cannot create or rotate keys", async () => {
    const narrow = (await createKey({ token: viewer }, { name: "n", scopes: ["servers:read"] })).json<KeyBody>();
    const denied = await createKey({ apiKey: narrow.key ?? "" }, { name: "minted", scopes: ["servers:read"] });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.message).toContain("api-keys:write");
    const rotated = await rotate({ apiKey: narrow.key ?? "" }, narrow.id);
    expect(rotated.statusCode).toBe(403);
    expect(rotated.json().error.message).toContain("api-keys:write");
  });

  it("a key with api-keys:write mints and rotates only keys within its own scopes", async () => {
    const manager = (
      await createKey({ token: viewer }, { name: "mgr", scopes: ["api-keys:write", "servers:read"] })
    ).json<KeyBody>();
    const apiKey = manager.key ?? "";
    const minted = await createKey({ apiKey }, { name: "child", scopes: ["servers:read"] });
    expect(minted.statusCode).toBe(201);
    // policies:read is allowed to the viewer role, but this key does not hold it.
    expectForbiddenScope(await createKey({ apiKey }, { name: "wider", scopes: ["policies:read"] }), "policies:read");
    expectForbiddenScope(await createKey({ apiKey }, { name: "root", scopes: ["admin"] }), "admin");
    expect((await rotate({ apiKey }, minted.json<KeyBody>().id)).statusCode).toBe(200);
    // Rotating a wider key would hand this key's holder that key's secret.
    const wider = (await createKey({ token: viewer }, { name: "w", scopes: ["policies:read"] })).json<KeyBody>();
    expectForbiddenScope(await rotate({ apiKey }, wider.id), "policies:read");
  });

  it("an admin key (admin scope) may still manage keys", async () => {
    const adminKey = (await createKey({ token: admin }, { name: "root", scopes: ["admin"] })).json<KeyBody>();
    const res = await createKey({ apiKey: adminKey.key ?? "" }, { name: "by-key", scopes: ["users:write"] });
    expect(res.statusCode).toBe(201);
  });

  it("rotation is refused once the owner's roles no longer grant the key's scopes", async () => {
    const sec = await t.userToken("sally", ["security_admin"]);
    const key = (await createKey({ token: sec }, { name: "audit", scopes: ["audit:read"] })).json<KeyBody>();
    const demoted = await t.request({
      method: "PATCH",
      url: `/api/v1/users/${key.user_id}`,
      token: admin,
      body: { roles: ["viewer"] },
    });
    expect(demoted.statusCode).toBe(200);
    expectForbiddenScope(await rotate({ token: admin }, key.id), "audit:read");
  });
});
