import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./app.js";

export interface RouteCase {
  method: string;
  url: string;
  body?: unknown;
}

export interface Credentials {
  token?: string;
  apiKey?: string;
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

/** Every route must answer 403 POLICY_DENIED to a principal whose role (or key scope) does not allow it. */
export async function expectForbidden(t: TestApp, routes: readonly RouteCase[], creds: Credentials): Promise<void> {
  for (const route of routes) {
    const res = await t.request({ ...route, ...creds });
    expect(res.statusCode, `${route.method} ${route.url}: ${res.body}`).toBe(403);
    expect(res.json().error.code).toBe("POLICY_DENIED");
  }
}

/** A user with these roles, logged in. */
export const userWithRoles =
  (username: string, roles: string[]) =>
  async (t: TestApp): Promise<Credentials> => ({ token: await t.userToken(username, roles) });

/**
 * An API key of the bootstrap admin holding only `scopes`: the admin role allows every action,
 * so a 403 can only come from the key's scopes.
 */
export const adminKeyWithScopes =
  (scopes: string[]) =>
  async (t: TestApp): Promise<Credentials> => {
    const res = await t.request({
      method: "POST",
      url: "/api/v1/api-keys",
      token: await t.adminToken(),
      body: { name: `auth-cases ${scopes.join(" ")}`, scopes },
    });
    if (res.statusCode !== 201) throw new Error(`creating an API key failed: ${res.statusCode} ${res.body}`);
    return { apiKey: (res.json() as { key: string }).key };
  };

export interface AuthCases<F> {
  /** Creates what the routes refer to (a server, a policy), as the admin. */
  setup(t: TestApp): Promise<F>;
  /** Every protected route of the feature, with a valid body (validation runs before the policy). */
  routes(fixture: F): RouteCase[];
  /** Callers that must be refused, each with the routes it may not use. */
  denied: Array<{ who: string; credentials(t: TestApp): Promise<Credentials>; routes(fixture: F): RouteCase[] }>;
}

/**
 * The common auth cases of a feature's routes, generated: every route answers 401 to no, junk and
 * unknown credentials, and 403 POLICY_DENIED to each caller in `denied`. Runs on its own test app.
 */
export function describeAuthCases<F>(feature: string, cases: AuthCases<F>): void {
  describe(`${feature}: authentication and authorization`, () => {
    let t: TestApp;
    let fixture: F;
    beforeAll(async () => {
      t = await createTestApp();
      fixture = await cases.setup(t);
    });
    afterAll(async () => {
      await t?.close();
    });

    it("answers 401 UNAUTHENTICATED to no, junk and unknown credentials on every route", async () => {
      await expectAuthRequired(t, cases.routes(fixture));
    });

    for (const caller of cases.denied) {
      it(`answers 403 POLICY_DENIED to ${caller.who}`, async () => {
        await expectForbidden(t, caller.routes(fixture), await caller.credentials(t));
      });
    }
  });
}
