import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.js";

let t: TestApp;
let admin: string;
let developer: string;
let viewer: string;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.adminToken();
  developer = await t.userToken("edev", ["developer"], ["payments"]);
  viewer = await t.userToken("eviewer", ["viewer"]);
});
afterAll(async () => t?.close());

const evaluate = (token: string, body: Record<string, unknown>) =>
  t.request({ method: "POST", url: "/api/v1/policies/evaluate", token, body });

const criticalTool = {
  action: "tool:invoke",
  server: { name: "vault", sensitivity_level: "critical" },
  tool: { name: "rotate_keys", sensitivity_level: "critical" },
};

describe("authorization through the default policy", () => {
  it("a viewer cannot register a server: 403 POLICY_DENIED with the reason", async () => {
    const res = await t.request({
      method: "POST",
      url: "/api/v1/servers",
      token: viewer,
      body: { name: "viewer-srv", transport: "stdio", command: "npx" },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe("POLICY_DENIED");
    expect(res.json().error.message).toBe("role(s) viewer may not server:register");
  });

  it("a developer can register a server", async () => {
    const res = await t.request({
      method: "POST",
      url: "/api/v1/servers",
      token: developer,
      body: { name: "dev-srv", transport: "stdio", command: "npx" },
    });
    expect(res.statusCode).toBe(201);
  });
});

describe("POST /api/v1/policies/evaluate", () => {
  it("denies a developer a critical tool and allows an admin", async () => {
    const dev = await evaluate(developer, criticalTool);
    expect(dev.statusCode).toBe(200);
    expect(dev.json()).toMatchObject({ decision: "deny", allow: false, policy_version: "sark.authz@v1" });
    expect(dev.json().reasons[0]).toContain("critical");
    const adm = await evaluate(admin, criticalTool);
    expect(adm.json()).toMatchObject({ decision: "allow", allow: true, reasons: [] });
  });

  it("drops credential-like parameters", async () => {
    const res = await evaluate(developer, {
      action: "tool:invoke",
      tool: { name: "query_db", sensitivity_level: "low" },
      parameters: { sql: "select 1", password: "hunter2", api_key: "k", nested: { ok: true } },
    });
    expect(res.json()).toMatchObject({ allow: true, filtered_parameters: { sql: "select 1", nested: { ok: true } } });
    expect(res.json().filtered_parameters).not.toHaveProperty("password");
  });

  it("serves the second identical evaluation from the cache", async () => {
    const body = { action: "server:read", server: { name: "cache-me", sensitivity_level: "low" } };
    const first = await evaluate(developer, body);
    expect(first.json().cached).toBe(false);
    const second = await evaluate(developer, body);
    expect(second.json()).toMatchObject({ cached: true, allow: true, policy_version: first.json().policy_version });
  });

  it("looks up servers and tools by id", async () => {
    const srv = await t.request({
      method: "POST",
      url: "/api/v1/servers",
      token: admin,
      body: {
        name: "lookup-srv",
        transport: "stdio",
        command: "npx",
        sensitivity_level: "low",
        tools: [{ name: "drop_table", sensitivity_level: "low" }],
      },
    });
    expect(srv.statusCode).toBe(201);
    const id = srv.json().id as string;
    const res = await evaluate(developer, { action: "tool:invoke", server_id: id, tool: "drop_table" });
    expect(res.json().allow).toBe(false);
    expect(res.json().reasons.join()).toContain("destructive");
    const missing = await evaluate(developer, { action: "tool:invoke", server_id: id, tool: "nope" });
    expect(missing.statusCode).toBe(404);
  });

  it("lets only admins evaluate on behalf of another user", async () => {
    const asViewer = await evaluate(developer, { action: "server:read", user: "eviewer" });
    expect(asViewer.statusCode).toBe(403);
    const byAdmin = await evaluate(admin, { action: "server:register", user: "eviewer" });
    expect(byAdmin.json()).toMatchObject({ allow: false, reasons: ["role(s) viewer may not server:register"] });
    const inline = await evaluate(admin, { action: "server:register", user: { id: "x", roles: ["developer"] } });
    expect(inline.json().allow).toBe(true);
    const self = await evaluate(developer, { action: "server:register", user: "edev" });
    expect(self.json().allow).toBe(true);
  });

  it("switches on MFA through policy data", async () => {
    const put = await t.request({
      method: "PUT",
      url: "/api/v1/policies/data/sark/config",
      token: admin,
      body: { mfa_required_for: ["critical"] },
    });
    expect(put.statusCode).toBe(200);
    const res = await evaluate(admin, criticalTool);
    expect(res.json()).toMatchObject({ allow: false, cached: false });
    expect(res.json().reasons[0]).toContain("MFA");
    await t.request({ method: "DELETE", url: "/api/v1/policies/data/sark/config", token: admin });
    expect((await evaluate(admin, criticalTool)).json().allow).toBe(true);
  });

  it("validates the body and requires policy:evaluate", async () => {
    expect((await evaluate(developer, {})).statusCode).toBe(400);
    expect((await evaluate(developer, { action: "x", server_id: "not-a-uuid" })).statusCode).toBe(400);
    const res = await evaluate(viewer, { action: "server:read" });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe("POLICY_DENIED");
  });

  it("checks an API key's scopes before the policy", async () => {
    const created = await t.request({
      method: "POST",
      url: "/api/v1/api-keys",
      token: admin,
      body: { name: "ro", scopes: ["servers:read"] },
    });
    expect(created.statusCode).toBe(201);
    const apiKey = created.json().key as string;
    expect((await t.request({ method: "GET", url: "/api/v1/servers", apiKey })).statusCode).toBe(200);
    const res = await t.request({
      method: "POST",
      url: "/api/v1/policies/evaluate",
      apiKey,
      body: { action: "server:read" },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toContain("API key lacks scope policies:evaluate");
  });

  it("records every decision as a policy.decision audit event", async () => {
    await evaluate(developer, { action: "audit:read" });
    await t.ctx.auditAdmin.flush();
    const rows = await sql<{ action: string; outcome: string; decision: { allow: boolean; policy: string } }>`
      select action, outcome, decision from audit_events where event_type = 'policy.decision' and action = 'audit:read'`.execute(
      t.ctx.database.db,
    );
    expect(rows.rows.length).toBeGreaterThan(0);
    expect(rows.rows[0]).toMatchObject({ outcome: "denied", decision: { allow: false, policy: "sark.authz@v1" } });
  });

  it("exports policy metrics", async () => {
    const text = await t.ctx.metrics.registry.metrics();
    expect(text).toMatch(/sark_policy_evaluations_total\{engine="builtin",result="allow"\} \d+/);
    expect(text).toMatch(/sark_policy_cache_total\{result="hit"\} \d+/);
    expect(text).toContain("sark_policy_eval_duration_seconds_bucket");
  });
});
