import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, createTestApp, type TestApp } from "../helpers/app.js";

/** Responses that carry a credential must never be cached by a browser or a proxy. */
function expectNoStore(res: LightMyRequestResponse, what: string): void {
  expect(res.statusCode, `${what}: ${res.body}`).toBeLessThan(300);
  expect(res.headers["cache-control"], what).toBe("no-store");
  expect(res.headers.pragma, what).toBe("no-cache");
}

describe("token responses are not cacheable", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it("login and refresh answer with Cache-Control: no-store and Pragma: no-cache", async () => {
    const login = await t.request({ method: "POST", url: "/api/v1/auth/login", body: ADMIN });
    expectNoStore(login, "login");
    const { refresh_token } = login.json<{ refresh_token: string }>();
    const refresh = await t.request({ method: "POST", url: "/api/v1/auth/refresh", body: { refresh_token } });
    expectNoStore(refresh, "refresh");
  });

  it("API-key create and rotate answer with Cache-Control: no-store and Pragma: no-cache", async () => {
    const token = await t.adminToken();
    const create = await t.request({
      method: "POST",
      url: "/api/v1/api-keys",
      token,
      body: { name: "ns", scopes: ["servers:read"] },
    });
    expectNoStore(create, "create");
    const { id } = create.json<{ id: string }>();
    expectNoStore(await t.request({ method: "POST", url: `/api/v1/api-keys/${id}/rotate`, token }), "rotate");
  });
});
