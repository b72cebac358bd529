import { expect } from "vitest";
import type { TestApp } from "../helpers/app.js";

export interface RouteCase {
  method: string;
  url: string;
  body?: unknown;
}

/** Every route must answer 401 (with the Bearer challenge) to no credentials and to junk ones. */
export async function expectAuthRequired(t: TestApp, routes: readonly RouteCase[]): Promise<void> {
  for (const route of routes) {
    for (const creds of [{}, { token: "not-a-jwt" }, { apiKey: "sark_dev_nope" }]) {
      const res = await t.request({ ...route, ...creds });
      expect(res.statusCode, `${route.method} ${route.url} ${JSON.stringify(creds)}`).toBe(401);
      expect(res.headers["www-authenticate"]).toBe("Bearer");
      expect(res.json().error.code).toBe("UNAUTHENTICATED");
    }
  }
}

/** Every route must answer 403 POLICY_DENIED to a principal whose role does not allow it. */
export async function expectForbidden(
  t: TestApp,
  routes: readonly RouteCase[],
  creds: { token?: string; apiKey?: string },
): Promise<void> {
  for (const route of routes) {
    const res = await t.request({ ...route, ...creds });
    expect(res.statusCode, `${route.method} ${route.url}`).toBe(403);
    expect(res.json().error.code).toBe("POLICY_DENIED");
  }
}
