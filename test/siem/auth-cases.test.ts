import { adminKeyWithScopes, describeAuthCases, type RouteCase, userWithRoles } from "../helpers/auth-cases.js";

const status: RouteCase = { method: "GET", url: "/api/v1/siem/status" };
const sendTest: RouteCase = { method: "POST", url: "/api/v1/siem/test" };

describeAuthCases("siem", {
  setup: async () => undefined,
  routes: () => [status, sendTest],
  denied: [
    { who: "a developer", credentials: userWithRoles("siem-dev", ["developer"]), routes: () => [status, sendTest] },
    {
      who: "an API key without a siem scope",
      credentials: adminKeyWithScopes(["audit:read"]),
      routes: () => [status, sendTest],
    },
    {
      who: "an API key that may only read the SIEM status, sending a test",
      credentials: adminKeyWithScopes(["siem:read"]),
      routes: () => [sendTest],
    },
  ],
});
