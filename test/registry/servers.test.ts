import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { expectAuthCases, serverBody } from "./fixtures.js";

const UNKNOWN_ID = "01890000-0000-7000-8000-000000000000";

describe("/api/v1/servers", () => {
  let t: TestApp;
  let admin: string;
  let developer: string;
  let viewer: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.adminToken();
    developer = await t.userToken("reg-dev", ["developer"]);
    viewer = await t.userToken("reg-viewer", ["viewer"]);
  });
  afterAll(async () => t?.close());

  const post = (body: unknown, token = admin) => t.request({ method: "POST", url: "/api/v1/servers", token, body });

  it("acceptance: register → list → get with tools → 404 → validation → conflict", async () => {
    const created = await post(serverBody("acceptance"));
    expect(created.statusCode).toBe(201);
    const server = created.json();
    expect(server).toMatchObject({
      name: "acceptance",
      transport: "streamable-http",
      status: "registered",
      tool_count: 2,
    });
    expect(server.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(server.tools).toHaveLength(2);

    const list = await t.request({ method: "GET", url: "/api/v1/servers", token: admin });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((s: { id: string }) => s.id)).toContain(server.id);

    const one = await t.request({ method: "GET", url: `/api/v1/servers/${server.id}`, token: viewer });
    expect(one.statusCode).toBe(200);
    expect(one.json().tools.map((x: { name: string }) => x.name)).toEqual(["delete_file", "read_file"]);

    const missing = await t.request({ method: "GET", url: `/api/v1/servers/${UNKNOWN_ID}`, token: admin });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe("NOT_FOUND");

    expect((await post(serverBody("ftp", { transport: "ftp" }))).statusCode).toBe(400);
    const page = await t.request({ method: "GET", url: "/api/v1/servers?limit=201", token: admin });
    expect(page.statusCode).toBe(400);
    expect((await post(serverBody("x".repeat(256)))).statusCode).toBe(400);
    const dup = await post(serverBody("acceptance"));
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe("CONFLICT");
  });

  // The deployment guide registers `{"name", "endpoint"}`; an http(s) endpoint means Streamable HTTP.
  it("infers streamable-http from an http(s) endpoint when transport is left out, and never stdio", async () => {
    const created = await post({ name: "inferred-http", endpoint: "https://mcp.example.test/mcp" });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ name: "inferred-http", transport: "streamable-http" });

    for (const body of [{ name: "no-transport" }, { name: "command-only", command: "/usr/bin/mcp-server" }]) {
      const refused = await post(body);
      expect(refused.statusCode, body.name).toBe(400);
      expect(refused.json().error.details.fields).toEqual([
        {
          path: "body/transport",
          message: "is required unless endpoint is an http(s) URL (then it is streamable-http)",
        },
      ]);
    }
    const ftp = await post({ name: "ftp-endpoint", endpoint: "ftp://mcp.example.test/mcp" });
    expect(ftp.statusCode).toBe(400);
    expect(ftp.json().error.details.fields[0].path).toBe("body/transport");

    const bulk = await t.request({
      method: "POST",
      url: "/api/v1/servers/bulk",
      token: admin,
      body: { servers: [{ name: "bulk-inferred", endpoint: "http://mcp.example.test/mcp" }] },
    });
    expect(bulk.statusCode, bulk.body).toBe(201);
    const listed = await t.request({ method: "GET", url: "/api/v1/servers?search=bulk-inferred", token: admin });
    expect(listed.json().items[0]).toMatchObject({ name: "bulk-inferred", transport: "streamable-http" });
  });

  it("makes the registering developer the owner; an admin may name another owner", async () => {
    const own = await post(serverBody("dev-owned"), developer);
    expect(own.statusCode).toBe(201);
    const devId = own.json().owner_id;
    expect(devId).toBeTruthy();
    const forOther = await post(serverBody("dev-for-other", { owner_id: UNKNOWN_ID }), developer);
    expect(forOther.statusCode).toBe(403);
    const byAdmin = await post(serverBody("admin-for-dev", { owner_id: devId }));
    expect(byAdmin.statusCode).toBe(201);
    expect(byAdmin.json().owner_id).toBe(devId);
    const ghost = await post(serverBody("admin-for-ghost", { owner_id: UNKNOWN_ID }));
    expect(ghost.statusCode).toBe(400);
  });

  it.each([
    ["http transport without endpoint", { endpoint: undefined }, "/endpoint"],
    ["non-http endpoint", { endpoint: "ftp://example.test/x" }, "/endpoint"],
    ["credentials in the endpoint", { endpoint: "https://u:p@example.test/" }, "/endpoint"],
    ["command on an http transport", { command: "node" }, "/command"],
    ["stdio without command", { transport: "stdio", endpoint: undefined }, "/command"],
    ["stdio with endpoint", { transport: "stdio", command: "node" }, "/endpoint"],
    ["lower-case env name", { transport: "stdio", endpoint: undefined, command: "x", env: ["token"] }, "/env/0"],
    ["unknown field", { colour: "red" }, "/colour"],
    ["too many tags", { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, "/tags"],
    ["tag too long", { tags: ["t".repeat(65)] }, "/tags/0"],
    ["description too long", { description: "d".repeat(10_001) }, "/description"],
    ["metadata too large", { metadata: { blob: "m".repeat(70_000) } }, "/metadata"],
  ])("400 for %s", async (_label, overrides, path) => {
    const res = await post(serverBody(`bad-${Math.random()}`, overrides));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe("VALIDATION_FAILED");
    const paths: string[] = res.json().error.details.fields.map((f: { path: string }) => f.path);
    expect(paths.some((p) => p.endsWith(path))).toBe(true);
  });

  it("400 names the tool whose input_schema is not a JSON Schema", async () => {
    const tools = [{ name: "broken", input_schema: { type: "object", properties: { a: { type: "strin" } } } }];
    const res = await post(serverBody("bad-schema", { tools }));
    expect(res.statusCode).toBe(400);
    const field = res.json().error.details.fields[0];
    expect(field.path).toBe("body/tools/0/input_schema");
    expect(field.message).toContain("'broken'");
    const typo = await post(
      serverBody("bad-keyword", { tools: [{ name: "t", input_schema: { type: "object", propertiez: {} } }] }),
    );
    expect(typo.statusCode).toBe(400);
    const notObject = await post(serverBody("bad-top", { tools: [{ name: "t", input_schema: { type: "string" } }] }));
    expect(notObject.statusCode).toBe(400);
  });

  it("400 for duplicate tool names and too many tools", async () => {
    const dup = await post(serverBody("dup-tools", { tools: [{ name: "a" }, { name: "a" }] }));
    expect(dup.statusCode).toBe(400);
    const many = await post(
      serverBody("many-tools", { tools: Array.from({ length: 501 }, (_, i) => ({ name: `t${i}` })) }),
    );
    expect(many.statusCode).toBe(400);
  });

  it("accepts 2020-12 schemas with unknown formats", async () => {
    const input_schema = {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      properties: { url: { type: "string", format: "uri" }, n: { type: ["integer", "null"] } },
      $defs: { x: { type: "string" } },
    };
    expect((await post(serverBody("schema-2020", { tools: [{ name: "fetch", input_schema }] }))).statusCode).toBe(201);
  });

  it("non-UUID ids are 400 on every /{id} route", async () => {
    const res = await t.request({ method: "GET", url: "/api/v1/servers/not-a-uuid", token: admin });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe("VALIDATION_FAILED");
    const del = await t.request({ method: "DELETE", url: "/api/v1/servers/123", token: admin });
    expect(del.statusCode).toBe(400);
  });

  it("PATCH updates fields, keeps others, and audits", async () => {
    const id = (await post(serverBody("patch-me", { team: "blue" }))).json().id;
    const res = await t.request({
      method: "PATCH",
      url: `/api/v1/servers/${id}`,
      token: admin,
      body: { status: "active", tags: ["a", "b"], team: null, metadata: { owner_email: "x@example.test" } },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: "patch-me", status: "active", tags: ["a", "b"], team: null });
    expect(res.json().metadata).toEqual({ owner_email: "x@example.test" });
    expect(res.json().tools).toHaveLength(2);
    const other = (await post(serverBody("patch-other"))).json().id;
    const clash = await t.request({
      method: "PATCH",
      url: `/api/v1/servers/${other}`,
      token: admin,
      body: { name: "PATCH-ME" },
    });
    expect(clash.statusCode).toBe(409);
    const empty = await t.request({ method: "PATCH", url: `/api/v1/servers/${id}`, token: admin, body: {} });
    expect(empty.statusCode).toBe(400);
    const unknown = await t.request({
      method: "PATCH",
      url: `/api/v1/servers/${UNKNOWN_ID}`,
      token: admin,
      body: { status: "active" },
    });
    expect(unknown.statusCode).toBe(404);
  });

  it("DELETE → 204, then 404; its tools go with it", async () => {
    const id = (await post(serverBody("delete-me"))).json().id;
    const del = await t.request({ method: "DELETE", url: `/api/v1/servers/${id}`, token: admin });
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe("");
    expect((await t.request({ method: "GET", url: `/api/v1/servers/${id}`, token: admin })).statusCode).toBe(404);
    expect((await t.request({ method: "GET", url: `/api/v1/servers/${id}/tools`, token: admin })).statusCode).toBe(404);
    expect((await t.request({ method: "DELETE", url: `/api/v1/servers/${id}`, token: admin })).statusCode).toBe(404);
  });

  it("GET /{id}/tools lists the tools", async () => {
    const id = (await post(serverBody("tools-list"))).json().id;
    const res = await t.request({ method: "GET", url: `/api/v1/servers/${id}/tools`, token: viewer });
    expect(res.statusCode).toBe(200);
    expect(
      res.json().items.map((x: { name: string; sensitivity_level: string }) => [x.name, x.sensitivity_level]),
    ).toEqual([
      ["delete_file", "high"],
      ["read_file", "low"],
    ]);
  });

  it("records server.registered / updated / deleted audit events with actor and request id", async () => {
    const created = await t.request({
      method: "POST",
      url: "/api/v1/servers",
      token: admin,
      body: serverBody("audited"),
      headers: { "x-request-id": "req-audited-1" },
    });
    const id = created.json().id;
    await t.request({ method: "PATCH", url: `/api/v1/servers/${id}`, token: admin, body: { status: "inactive" } });
    await t.request({ method: "DELETE", url: `/api/v1/servers/${id}`, token: admin });
    await t.ctx.auditAdmin.flush();
    const rows = await t.ctx.database.db
      .withTables<{
        audit_events: {
          event_type: string;
          request_id: string | null;
          resource: unknown;
          actor: unknown;
          details: unknown;
        };
      }>()
      .selectFrom("audit_events")
      .select(["event_type", "request_id", "resource", "actor", "details"])
      .where("event_type", "like", "server.%")
      .execute();
    const mine = rows.filter((r) => (r.resource as { id?: string } | null)?.id === id);
    expect(mine.map((r) => r.event_type).sort()).toEqual(["server.deleted", "server.registered", "server.updated"]);
    const registered = mine.find((r) => r.event_type === "server.registered");
    expect(registered?.request_id).toBe("req-audited-1");
    expect(registered?.resource).toEqual({ type: "server", id, name: "audited" });
    expect(registered?.actor).toMatchObject({ username: "admin" });
    expect(mine.find((r) => r.event_type === "server.updated")?.details).toMatchObject({ changed: ["status"] });
  });

  it("owners and team members (developers) manage their servers through the default policy", async () => {
    const owned = (await post(serverBody("owner-managed"), developer)).json().id;
    const patched = await t.request({
      method: "PATCH",
      url: `/api/v1/servers/${owned}`,
      token: developer,
      body: { status: "active" },
    });
    expect(patched.statusCode).toBe(200);
    const teamToken = await t.userToken("reg-team-dev", ["developer"], ["payments"]);
    const teamServer = (await post(serverBody("team-managed", { team: "payments" }))).json().id;
    const byTeam = await t.request({
      method: "PATCH",
      url: `/api/v1/servers/${teamServer}`,
      token: teamToken,
      body: { tags: ["pci"] },
    });
    expect(byTeam.statusCode).toBe(200);
    const notTheirs = await t.request({
      method: "PATCH",
      url: `/api/v1/servers/${owned}`,
      token: teamToken,
      body: { tags: ["x"] },
    });
    expect(notTheirs.statusCode).toBe(403);
    const handOver = await t.request({
      method: "PATCH",
      url: `/api/v1/servers/${owned}`,
      token: developer,
      body: { owner_id: UNKNOWN_ID },
    });
    expect(handOver.statusCode).toBe(403);
    expect((await t.request({ method: "DELETE", url: `/api/v1/servers/${owned}`, token: developer })).statusCode).toBe(
      204,
    );
  });

  it("an API key needs servers:write to register; servers:read only reads", async () => {
    const created = await t.request({
      method: "POST",
      url: "/api/v1/api-keys",
      token: admin,
      body: { name: "registry-reader", scopes: ["servers:read"] },
    });
    expect(created.statusCode).toBe(201);
    const apiKey = created.json().key as string;
    expect((await t.request({ method: "GET", url: "/api/v1/servers", apiKey })).statusCode).toBe(200);
    const denied = await t.request({ method: "POST", url: "/api/v1/servers", apiKey, body: serverBody("by-key") });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe("POLICY_DENIED");
  });

  it("documents every registry route in the OpenAPI document", async () => {
    const res = await t.request({ method: "GET", url: "/openapi.json" });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json().paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/servers",
        "/api/v1/servers/export",
        "/api/v1/servers/bulk",
        "/api/v1/servers/{id}",
        "/api/v1/servers/{id}/tools",
        "/api/v1/servers/{id}/tools/{name}/sensitivity",
        "/api/v1/servers/{id}/tools/{name}/sensitivity/history",
        "/api/v1/tools/detect-sensitivity",
      ]),
    );
  });

  describe("auth", () => {
    it("POST: 401 without a token, 403 for a viewer", async () => {
      await expectAuthCases(t, { method: "POST", url: "/api/v1/servers", body: serverBody("auth-post") }, viewer);
    });
    it("GET list and one: 401 without a token", async () => {
      await expectAuthCases(t, { method: "GET", url: "/api/v1/servers" });
      await expectAuthCases(t, { method: "GET", url: `/api/v1/servers/${UNKNOWN_ID}` });
    });
    it("PATCH and DELETE: 403 for a developer on a server they do not manage, and for a viewer", async () => {
      const id = (await post(serverBody("auth-admin-owned"))).json().id;
      await expectAuthCases(
        t,
        { method: "PATCH", url: `/api/v1/servers/${id}`, body: { status: "active" } },
        developer,
      );
      await expectAuthCases(t, { method: "DELETE", url: `/api/v1/servers/${id}` }, developer);
      await expectAuthCases(t, { method: "DELETE", url: `/api/v1/servers/${id}` }, viewer);
      expect((await t.request({ method: "GET", url: `/api/v1/servers/${id}`, token: admin })).statusCode).toBe(200);
    });
  });
});
