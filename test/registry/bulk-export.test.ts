import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CSV_COLUMNS } from "../../src/registry/export.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { expectAuthCases, parseCsv, serverBody } from "./fixtures.js";

describe("bulk registration and export", () => {
  let t: TestApp;
  let admin: string;
  let viewer: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.adminToken();
    viewer = await t.userToken("bulk-viewer", ["viewer"]);
  });
  afterAll(async () => t?.close());

  const bulk = (body: unknown, token = admin) =>
    t.request({ method: "POST", url: "/api/v1/servers/bulk", token, body });
  const count = async (search: string) =>
    (
      await t.request({
        method: "GET",
        url: `/api/v1/servers?search=${encodeURIComponent(search)}&include_total=true`,
        token: admin,
      })
    ).json().total as number;

  describe("POST /api/v1/servers/bulk", () => {
    it("transactional: one bad item → 400 with its index, nothing created", async () => {
      const res = await bulk({
        mode: "transactional",
        servers: [serverBody("tx-a"), serverBody("tx-b", { transport: "ftp" }), serverBody("tx-c")],
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details.items).toEqual([
        expect.objectContaining({
          index: 1,
          status: 400,
          error: expect.objectContaining({ code: "VALIDATION_FAILED" }),
        }),
      ]);
      expect(await count("tx-")).toBe(0);
    });

    it("transactional: a name already registered → 409, nothing created", async () => {
      expect(
        (await t.request({ method: "POST", url: "/api/v1/servers", token: admin, body: serverBody("txd-taken") }))
          .statusCode,
      ).toBe(201);
      const res = await bulk({ servers: [serverBody("txd-new"), serverBody("TXD-TAKEN")] });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.details.items[0].index).toBe(1);
      expect(await count("txd-")).toBe(1);
    });

    it("transactional: all valid → 201 with every server", async () => {
      const res = await bulk({ servers: [serverBody("txok-1"), serverBody("txok-2")] });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ mode: "transactional", total: 2, succeeded: 2, failed: 0 });
      expect(
        res.json().results.map((r: { status: number; server: { name: string } }) => [r.status, r.server.name]),
      ).toEqual([
        [201, "txok-1"],
        [201, "txok-2"],
      ]);
    });

    it("best_effort: per-item results; valid items are created", async () => {
      const res = await bulk({
        mode: "best_effort",
        servers: [
          serverBody("be-1"),
          serverBody("be-2", { endpoint: undefined }),
          "not an object",
          serverBody("be-1"),
          serverBody("txok-1"),
          serverBody("be-3"),
        ],
      });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ mode: "best_effort", total: 6, succeeded: 2, failed: 4 });
      expect(body.results.map((r: { index: number; status: number }) => [r.index, r.status])).toEqual([
        [0, 201],
        [1, 400],
        [2, 400],
        [3, 409],
        [4, 409],
        [5, 201],
      ]);
      expect(body.results[1].error.details.fields[0].path).toBe("body/servers/1/endpoint");
      expect(await count("be-")).toBe(2);
    });

    it("400 for an empty batch, more than 100 items, or an unknown mode", async () => {
      expect((await bulk({ servers: [] })).statusCode).toBe(400);
      const many = Array.from({ length: 101 }, (_, i) => serverBody(`many-${i}`));
      expect((await bulk({ servers: many })).statusCode).toBe(400);
      expect((await bulk({ mode: "yolo", servers: [serverBody("m")] })).statusCode).toBe(400);
    });

    it("401 without a token, 403 for a viewer", async () => {
      await expectAuthCases(
        t,
        { method: "POST", url: "/api/v1/servers/bulk", body: { servers: [serverBody("b-auth")] } },
        viewer,
      );
    });

    it("audits each registration and the batch", async () => {
      await bulk({ servers: [serverBody("aud-1"), serverBody("aud-2")] }, admin);
      await t.ctx.auditAdmin.flush();
      const rows = await t.ctx.database.db
        .withTables<{ audit_events: { event_type: string; details: unknown } }>()
        .selectFrom("audit_events")
        .select(["event_type", "details"])
        .where("event_type", "=", "server.bulk_registered")
        .execute();
      expect(rows.some((r) => (r.details as { registered: number; mode: string }).registered === 2)).toBe(true);
    });
  });

  describe("GET /api/v1/servers/export", () => {
    const tricky = {
      description: 'Line one, with "quotes"\r\nline two',
      metadata: { note: "a,b", nested: { q: '"' } },
      tags: ["x,y", "=cmd"],
    };

    beforeAll(async () => {
      const res = await t.request({
        method: "POST",
        url: "/api/v1/servers",
        token: admin,
        body: serverBody("=export-tricky", tricky),
      });
      expect(res.statusCode).toBe(201);
    });

    it("streams CSV of every server with RFC 4180 quoting and an attachment filename", async () => {
      const res = await t.request({ method: "GET", url: "/api/v1/servers/export?format=csv", token: viewer });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toContain("text/csv");
      expect(res.headers["content-disposition"]).toMatch(
        /^attachment; filename="sark-servers-\d{4}-\d{2}-\d{2}\.csv"$/,
      );
      const rows = parseCsv(res.body);
      expect(rows[0]).toEqual([...CSV_COLUMNS]);
      const total = (await t.request({ method: "GET", url: "/api/v1/servers?include_total=true", token: admin })).json()
        .total;
      expect(rows).toHaveLength(total + 1);
      const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
      const row = rows.find((r) => r[col("name")] === "'=export-tricky");
      expect(row).toBeDefined();
      expect(row?.[col("description")]).toBe(tricky.description);
      expect(JSON.parse(row?.[col("metadata")] ?? "")).toEqual(tricky.metadata);
      expect(JSON.parse(row?.[col("tags")] ?? "")).toEqual(tricky.tags);
      expect(row?.[col("tool_count")]).toBe("2");
    });

    it("streams JSON: full servers with tools, filters applied", async () => {
      const res = await t.request({
        method: "GET",
        url: "/api/v1/servers/export?format=json&search=tricky",
        token: admin,
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-disposition"]).toMatch(/filename="sark-servers-.*\.json"/);
      const items = JSON.parse(res.body);
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({
        name: "=export-tricky",
        description: tricky.description,
        metadata: tricky.metadata,
      });
      expect(items[0].tools).toHaveLength(2);
    });

    it("an empty export is a valid empty document", async () => {
      const res = await t.request({
        method: "GET",
        url: "/api/v1/servers/export?format=json&tag=none-such",
        token: admin,
      });
      expect(JSON.parse(res.body)).toEqual([]);
      const csv = await t.request({ method: "GET", url: "/api/v1/servers/export?tag=none-such", token: admin });
      expect(parseCsv(csv.body)).toEqual([[...CSV_COLUMNS]]);
    });

    it("400 for an unknown format; 401 without a token", async () => {
      const res = await t.request({ method: "GET", url: "/api/v1/servers/export?format=xml", token: admin });
      expect(res.statusCode).toBe(400);
      await expectAuthCases(t, { method: "GET", url: "/api/v1/servers/export" });
    });
  });
});
