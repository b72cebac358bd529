import { adminKeyWithScopes, describeAuthCases, type RouteCase, userWithRoles } from "../helpers/auth-cases.js";

const CONTENT = "package authcase\n\nimport rego.v1\n\nallow if false\n";

const reads: RouteCase[] = [
  { method: "GET", url: "/api/v1/policies" },
  { method: "GET", url: "/api/v1/policies/data" },
  { method: "GET", url: "/api/v1/policies/sark.authz" },
];

const writes: RouteCase[] = [
  { method: "POST", url: "/api/v1/policies", body: { name: "authcase", content: CONTENT } },
  { method: "POST", url: "/api/v1/policies/validate", body: { content: CONTENT } },
  { method: "POST", url: "/api/v1/policies/test", body: { content: CONTENT } },
  { method: "PUT", url: "/api/v1/policies/data/authcase", body: { enabled: true } },
  { method: "DELETE", url: "/api/v1/policies/data/authcase" },
  { method: "PUT", url: "/api/v1/policies/sark.authz", body: { content: CONTENT } },
  { method: "POST", url: "/api/v1/policies/sark.authz/activate", body: { version: 1 } },
  { method: "DELETE", url: "/api/v1/policies/sark.authz" },
];

const evaluate: RouteCase = { method: "POST", url: "/api/v1/policies/evaluate", body: { action: "server:read" } };

describeAuthCases("policy", {
  setup: async () => undefined,
  routes: () => [...reads, ...writes, evaluate],
  denied: [
    {
      who: "a viewer writing or evaluating policies",
      credentials: userWithRoles("pol-viewer", ["viewer"]),
      routes: () => [...writes, evaluate],
    },
    {
      who: "an API key without a policies scope",
      credentials: adminKeyWithScopes(["servers:read"]),
      routes: () => [...reads, ...writes, evaluate],
    },
    {
      who: "an API key that may only read policies, writing them",
      credentials: adminKeyWithScopes(["policies:read"]),
      routes: () => writes,
    },
  ],
});
