import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { expectAuthCases, serverBody } from "./fixtures.js";

describe("tool sensitivity", () => {
  let t: TestApp;
  let admin: string;
  let viewer: string;
  let developer: string;
  let serverId: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.adminToken();
    viewer = await t.userToken("sens-viewer", ["viewer"]);
    developer = await t.userToken("sens-dev", ["developer"]);
    const tools = [
      { name: "read_file" },
      { name: "get_api_key", description: "Returns the API key" },
      { name: "deploy", sensitivity_level: "critical", requires_approval: true },
    ];
    const res = await t.request({
      method: "POST",
      url: "/api/v1/servers",
      token: admin,
      body: serverBody("sens", { tools }),
    });
    expect(res.statusCode).toBe(201);
    serverId = res.json().id;
  });
  afterAll(async () => t?.close());

  const url = (tool: string, suffix = "") => `/api/v1/servers/${serverId}/tools/${tool}/sensitivity${suffix}`;
  const put = (tool: string, body: unknown, token = admin) => t.request({ method: "PUT", url: url(tool), token, body });

  it("defaults by the classifier, keeps declared levels", async () => {
    const res = await t.request({ method: "GET", url: `/api/v1/servers/${serverId}/tools`, token: viewer });
    const levels = Object.fromEntries(
      res
        .json()
        .items.map((x: { name: string; sensitivity_level: string; sensitivity_source: string }) => [
          x.name,
          `${x.sensitivity_level}/${x.sensitivity_source}`,
        ]),
    );
    expect(levels).toEqual({ read_file: "low/auto", get_api_key: "critical/auto", deploy: "critical/declared" });
  });

  it("an override changes the level and keeps who/when/why, newest first", async () => {
    const first = await put("read_file", { sensitivity_level: "high", reason: "reads /etc" });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      name: "read_file",
      sensitivity_level: "high",
      sensitivity_source: "override",
    });
    const second = await put("read_file", { sensitivity_level: "medium", reason: "sandboxed now" });
    expect(second.statusCode).toBe(200);

    const history = await t.request({ method: "GET", url: url("read_file", "/history"), token: viewer });
    expect(history.statusCode).toBe(200);
    const items = history.json().items;
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({ previous_level: "high", new_level: "medium", reason: "sandboxed now" });
    expect(items[1]).toMatchObject({ previous_level: "low", new_level: "high", reason: "reads /etc" });
    expect(items[0].changed_by).toMatchObject({ username: "admin" });
    expect(items[0].changed_by.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(items[0].changed_at)).toBeGreaterThanOrEqual(Date.parse(items[1].changed_at));
  });

  it("audits tool.sensitivity_changed with previous/new level and reason", async () => {
    await put("get_api_key", { sensitivity_level: "low", reason: "returns a masked key" });
    await t.ctx.auditAdmin.flush();
    const rows = await t.ctx.database.db
      .withTables<{ audit_events: { event_type: string; severity: string; details: unknown; resource: unknown } }>()
      .selectFrom("audit_events")
      .select(["event_type", "severity", "details", "resource"])
      .where("event_type", "=", "tool.sensitivity_changed")
      .execute();
    const event = rows.find((r) => (r.details as { tool: string }).tool === "get_api_key");
    expect(event?.details).toMatchObject({
      previous_level: "critical",
      new_level: "low",
      reason: "returns a masked key",
    });
    expect(event?.resource).toMatchObject({ type: "server", id: serverId, name: "sens" });
    expect(event?.severity).toBe("high");
  });

  it("400 without a reason or with an unknown level; 404 for unknown tool or server", async () => {
    expect((await put("deploy", { sensitivity_level: "high" })).statusCode).toBe(400);
    expect((await put("deploy", { sensitivity_level: "high", reason: "" })).statusCode).toBe(400);
    expect((await put("deploy", { sensitivity_level: "severe", reason: "x" })).statusCode).toBe(400);
    expect((await put("nope", { sensitivity_level: "high", reason: "x" })).statusCode).toBe(404);
    const unknownServer = await t.request({
      method: "PUT",
      url: "/api/v1/servers/01890000-0000-7000-8000-000000000000/tools/deploy/sensitivity",
      token: admin,
      body: { sensitivity_level: "high", reason: "x" },
    });
    expect(unknownServer.statusCode).toBe(404);
    expect((await t.request({ method: "GET", url: url("nope", "/history"), token: admin })).statusCode).toBe(404);
  });

  it("401 without a token; 403 for a viewer and for a developer who does not manage the server", async () => {
    const body = { sensitivity_level: "low", reason: "x" };
    await expectAuthCases(t, { method: "PUT", url: url("deploy"), body }, viewer);
    await expectAuthCases(t, { method: "PUT", url: url("deploy"), body }, developer);
    await expectAuthCases(t, { method: "GET", url: url("deploy", "/history") });
  });

  describe("POST /api/v1/tools/detect-sensitivity", () => {
    it("classifies by keywords and reports the rule", async () => {
      const res = await t.request({
        method: "POST",
        url: "/api/v1/tools/detect-sensitivity",
        token: viewer,
        body: { name: "drop_table", description: "Drops a table" },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ sensitivity_level: "high", rule: "destructive", matched: ["drop", "drops"] });
    });

    it("400 without a name; 401 without a token", async () => {
      const res = await t.request({ method: "POST", url: "/api/v1/tools/detect-sensitivity", token: viewer, body: {} });
      expect(res.statusCode).toBe(400);
      await expectAuthCases(t, { method: "POST", url: "/api/v1/tools/detect-sensitivity", body: { name: "x" } });
    });
  });
});
