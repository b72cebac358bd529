import { adminKeyWithScopes, describeAuthCases, type RouteCase, userWithRoles } from "../helpers/auth-cases.js";

const routes: RouteCase[] = [
  { method: "GET", url: "/api/v1/audit/events" },
  { method: "GET", url: "/api/v1/audit/events/0190b6a0-0000-7000-8000-000000000000" },
  { method: "GET", url: "/api/v1/audit/export?format=ndjson" },
  { method: "GET", url: "/api/v1/audit/stream" },
  { method: "GET", url: "/api/v1/audit/stats" },
];

describeAuthCases("audit", {
  setup: async () => undefined,
  routes: () => routes,
  denied: [
    { who: "a developer", credentials: userWithRoles("audit-dev", ["developer"]), routes: () => routes },
    {
      who: "an API key without the audit:read scope",
      credentials: adminKeyWithScopes(["servers:read"]),
      routes: () => routes,
    },
  ],
});
