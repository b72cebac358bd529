import { adminKeyWithScopes, describeAuthCases, type RouteCase, userWithRoles } from "../helpers/auth-cases.js";
import { serverBody } from "./fixtures.js";

const writes = (id: string): RouteCase[] => [
  { method: "POST", url: "/api/v1/servers", body: serverBody("auth-case-new") },
  { method: "POST", url: "/api/v1/servers/bulk", body: { servers: [serverBody("auth-case-bulk")] } },
  { method: "PATCH", url: `/api/v1/servers/${id}`, body: { description: "changed" } },
  { method: "DELETE", url: `/api/v1/servers/${id}` },
  {
    method: "PUT",
    url: `/api/v1/servers/${id}/tools/read_file/sensitivity`,
    body: { sensitivity_level: "high", reason: "auth case" },
  },
];

const reads = (id: string): RouteCase[] => [
  { method: "GET", url: "/api/v1/servers" },
  { method: "GET", url: "/api/v1/servers/export?format=json" },
  { method: "GET", url: `/api/v1/servers/${id}` },
  { method: "GET", url: `/api/v1/servers/${id}/tools` },
  { method: "GET", url: `/api/v1/servers/${id}/tools/read_file/sensitivity/history` },
  { method: "POST", url: "/api/v1/tools/detect-sensitivity", body: { name: "delete_file" } },
];

describeAuthCases("registry", {
  async setup(t) {
    const res = await t.request({
      method: "POST",
      url: "/api/v1/servers",
      token: await t.adminToken(),
      body: serverBody("auth-case-existing"),
    });
    if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`);
    return (res.json() as { id: string }).id;
  },
  routes: (id) => [...reads(id), ...writes(id)],
  denied: [
    { who: "a viewer changing the registry", credentials: userWithRoles("reg-viewer", ["viewer"]), routes: writes },
    {
      who: "an API key without a servers scope",
      credentials: adminKeyWithScopes(["audit:read"]),
      routes: (id) => [...reads(id), ...writes(id)],
    },
    {
      who: "an API key that may only read servers, changing them",
      credentials: adminKeyWithScopes(["servers:read"]),
      routes: writes,
    },
  ],
});
