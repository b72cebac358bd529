import { sql } from "kysely";
import { v7 as uuidv7 } from "uuid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.js";

// The evaluate API asks the auth and registry features for stored users, servers and tools.
// A long refresh keeps the registry's read cache from noticing changes made behind its back.
let t: TestApp;
let admin: string;
let member: string;

beforeAll(async () => {
  t = await createTestApp({ REGISTRY_CACHE_REFRESH_MS: "60000" });
  admin = await t.adminToken();
  member = await t.userToken("lk-member", ["developer"], ["payments"]);
  await t.userToken("lk-viewer", ["viewer"]);
});
afterAll(async () => t?.close());

const evaluate = (token: string, body: Record<string, unknown>) =>
  t.request({ method: "POST", url: "/api/v1/policies/evaluate", token, body });

async function register(body: Record<string, unknown>): Promise<string> {
  const res = await t.request({ method: "POST", url: "/api/v1/servers", token: admin, body });
  expect(res.statusCode).toBe(201);
  return res.json().id;
}

describe("evaluate on behalf of a stored user", () => {
  const viewerDenied = { allow: false, reasons: ["role(s) viewer may not server:register"] };

  it("finds the user by username in any case, or by id", async () => {
    const byName = await evaluate(admin, { action: "server:register", user: "LK-Viewer" });
    expect(byName.json()).toMatchObject(viewerDenied);
    const { rows } = await sql<{ id: string }>`select id from users where username = 'lk-viewer'`.execute(
      t.ctx.database.db,
    );
    const byId = await evaluate(admin, { action: "server:register", user: rows[0]?.id });
    expect(byId.json()).toMatchObject(viewerDenied);
  });

  it("answers 404 NOT_FOUND naming an unknown username or id", async () => {
    const name = await evaluate(admin, { action: "server:read", user: "lk-nobody" });
    expect(name.statusCode).toBe(404);
    expect(name.json().error).toMatchObject({ code: "NOT_FOUND", message: "user 'lk-nobody' not found" });
    const id = uuidv7();
    const byId = await evaluate(admin, { action: "server:read", user: id });
    expect(byId.statusCode).toBe(404);
    expect(byId.json().error).toMatchObject({ code: "NOT_FOUND", message: `user '${id}' not found` });
  });
});

describe("evaluate against a stored server and tool", () => {
  it("carries the server's team, so its members may manage it", async () => {
    const id = await register({ name: "lk-team-srv", transport: "stdio", command: "npx", team: "payments" });
    expect((await evaluate(member, { action: "server:update", server_id: id })).json().allow).toBe(true);
    const other = await register({ name: "lk-other-srv", transport: "stdio", command: "npx", team: "search" });
    expect((await evaluate(member, { action: "server:update", server_id: other })).json().allow).toBe(false);
  });

  it("answers 404 NOT_FOUND naming an unknown server or tool", async () => {
    const missing = uuidv7();
    const server = await evaluate(member, { action: "server:read", server_id: missing.toUpperCase() });
    expect(server.statusCode).toBe(404);
    expect(server.json().error).toMatchObject({ code: "NOT_FOUND", message: `server '${missing}' not found` });
    const id = await register({ name: "lk-no-tool", transport: "stdio", command: "npx" });
    const tool = await evaluate(member, { action: "tool:invoke", server_id: id, tool: "nope" });
    expect(tool.statusCode).toBe(404);
    expect(tool.json().error).toMatchObject({ code: "NOT_FOUND", message: "tool 'nope' not found" });
  });

  it("reads the tool as stored now, even when this replica's registry cache holds an older copy", async () => {
    const id = await register({
      name: "lk-fresh",
      transport: "stdio",
      command: "npx",
      tools: [{ name: "export_rows", sensitivity_level: "low" }],
    });
    const body = { action: "tool:invoke", server_id: id, tool: "export_rows" };
    expect((await evaluate(member, body)).json().allow).toBe(true);
    expect((await t.request({ method: "GET", url: `/api/v1/servers/${id}`, token: admin })).statusCode).toBe(200);
    // As a change made through another replica would arrive: straight to the database.
    await sql`update tools set sensitivity_level = 'critical' where server_id = ${id}`.execute(t.ctx.database.db);
    const res = await evaluate(member, body);
    expect(res.json()).toMatchObject({
      allow: false,
      reasons: ["tool 'export_rows' is critical; only admin and security_admin may invoke it"],
    });
  });
});

// The deployment guide asks `{"action": "server:read", "resource": "server-123"}`.
describe("evaluate a resource named by id, name or server/tool", () => {
  it("finds a registered server by name in any case, or by id, with its team", async () => {
    const id = await register({ name: "lk-res-payments", transport: "stdio", command: "npx", team: "payments" });
    await register({ name: "lk-res-search", transport: "stdio", command: "npx", team: "search" });
    for (const resource of ["LK-Res-Payments", id, id.toUpperCase()]) {
      const res = await evaluate(member, { action: "server:update", resource });
      expect(res.statusCode, resource).toBe(200);
      expect(res.json().allow, resource).toBe(true);
    }
    expect((await evaluate(member, { action: "server:update", resource: "lk-res-search" })).json().allow).toBe(false);
  });

  it("finds a registered tool as server/tool, and names an unknown tool or id with 404", async () => {
    const id = await register({
      name: "lk-res-tools",
      transport: "stdio",
      command: "npx",
      tools: [
        { name: "export_rows", sensitivity_level: "low" },
        { name: "drop_tables", sensitivity_level: "critical" },
      ],
    });
    expect((await evaluate(member, { action: "tool:invoke", resource: "lk-res-tools/export_rows" })).json().allow).toBe(
      true,
    );
    expect((await evaluate(member, { action: "tool:invoke", resource: `${id}/drop_tables` })).json().allow).toBe(false);
    const tool = await evaluate(member, { action: "tool:invoke", resource: "lk-res-tools/nope" });
    expect(tool.statusCode).toBe(404);
    expect(tool.json().error).toMatchObject({ code: "NOT_FOUND", message: "tool 'nope' not found" });
    const missing = uuidv7();
    const server = await evaluate(member, { action: "server:read", resource: missing });
    expect(server.statusCode).toBe(404);
    expect(server.json().error).toMatchObject({ code: "NOT_FOUND", message: `server '${missing}' not found` });
  });

  it("evaluates a name SARK does not know as an unregistered server at the strictest sensitivity", async () => {
    const guide = await evaluate(admin, { action: "server:read", resource: "server-123" });
    expect(guide.statusCode, guide.body).toBe(200);
    expect(guide.json()).toHaveProperty("allow");
    const strict = await evaluate(member, { action: "tool:invoke", resource: "lk-unknown/export_rows" });
    expect(strict.statusCode).toBe(200);
    const inlineCritical = await evaluate(member, {
      action: "tool:invoke",
      server: { name: "lk-unknown", sensitivity_level: "critical" },
      tool: "export_rows",
    });
    expect(strict.json().allow).toBe(false);
    expect(strict.json().allow).toBe(inlineCritical.json().allow);
    expect(strict.json().reasons).toEqual(inlineCritical.json().reasons);
  });

  it("refuses resource together with server_id, server or tool", async () => {
    for (const extra of [{ server_id: uuidv7() }, { server: { name: "x" } }, { tool: "t" }]) {
      const res = await evaluate(member, { action: "server:read", resource: "lk-res-search", ...extra });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details.fields).toEqual([
        { path: "body/resource", message: "cannot be combined with server_id, server or tool" },
      ]);
    }
  });
});
