import { adminKeyWithScopes, describeAuthCases, type RouteCase, userWithRoles } from "../helpers/auth-cases.js";

const MISSING_USER = "01900000-0000-7000-8000-000000000000";

const users: RouteCase[] = [
  {
    method: "POST",
    url: "/api/v1/users",
    body: { username: "auth-case", password: "auth-case-password-1", roles: ["viewer"] },
  },
  { method: "GET", url: "/api/v1/users" },
  { method: "GET", url: `/api/v1/users/${MISSING_USER}` },
  { method: "PATCH", url: `/api/v1/users/${MISSING_USER}`, body: { roles: ["viewer"] } },
  { method: "DELETE", url: `/api/v1/users/${MISSING_USER}` },
];

// Another user's key id is answered 404 without apikey:manage:all (it does not exist for them),
// so the routes name a key of the admin, who also owns the scoped key that is refused.
const apiKeys = (keyId: string): RouteCase[] => [
  { method: "POST", url: "/api/v1/api-keys", body: { name: "x", scopes: ["servers:read"] } },
  { method: "GET", url: "/api/v1/api-keys" },
  { method: "GET", url: `/api/v1/api-keys/${keyId}` },
  { method: "POST", url: `/api/v1/api-keys/${keyId}/rotate` },
  { method: "DELETE", url: `/api/v1/api-keys/${keyId}` },
];

const me: RouteCase = { method: "GET", url: "/api/v1/auth/me" };

describeAuthCases("users, API keys and sessions", {
  async setup(t) {
    const res = await t.request({
      method: "POST",
      url: "/api/v1/api-keys",
      token: await t.adminToken(),
      body: { name: "auth-cases target", scopes: ["servers:read"] },
    });
    if (res.statusCode !== 201) throw new Error(`creating an API key failed: ${res.statusCode} ${res.body}`);
    return (res.json() as { id: string }).id;
  },
  routes: (keyId) => [...users, ...apiKeys(keyId), me],
  denied: [
    {
      who: "a security admin managing users",
      credentials: userWithRoles("auth-secadmin", ["security_admin"]),
      routes: () => users.filter((r) => r.method !== "GET"),
    },
    { who: "a developer reading users", credentials: userWithRoles("auth-dev", ["developer"]), routes: () => users },
    {
      who: "an API key without users or api-keys scopes",
      credentials: adminKeyWithScopes(["servers:read"]),
      routes: (keyId) => [...users, ...apiKeys(keyId)],
    },
  ],
});
