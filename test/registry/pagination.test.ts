import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { expectAuthCases } from "./fixtures.js";

interface ServerItem {
  id: string;
  name: string;
  status: string;
  tags: string[];
}

/** Page through a list URL with `limit`, returning every page's items. */
async function pages(t: TestApp, token: string, url: string): Promise<ServerItem[][]> {
  const out: ServerItem[][] = [];
  let cursor: string | null = null;
  do {
    const sep = url.includes("?") ? "&" : "?";
    const res = await t.request({
      method: "GET",
      url: cursor ? `${url}${sep}cursor=${encodeURIComponent(cursor)}` : url,
      token,
    });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { items: ServerItem[]; next_cursor: string | null; has_more: boolean };
    expect(body.has_more).toBe(body.next_cursor !== null);
    out.push(body.items);
    cursor = body.next_cursor;
    if (out.length > 10) throw new Error("pagination does not terminate");
  } while (cursor);
  return out;
}

describe("GET /api/v1/servers pagination and filters", () => {
  let t: TestApp;
  let admin: string;
  const names: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.adminToken();
    // 120 servers through two bulk calls: every third is "active" and tagged "even"/"odd" by index.
    const all = Array.from({ length: 120 }, (_, i) => ({
      name: `page-${String(i).padStart(3, "0")}`,
      description: i % 10 === 0 ? "Has 50% off_sale" : "plain",
      transport: "sse",
      endpoint: `https://mcp.example.test/${i}`,
      status: i % 3 === 0 ? "active" : "registered",
      tags: [i % 2 === 0 ? "even" : "odd"],
      team: i < 60 ? "alpha" : "beta",
    }));
    names.push(...all.map((s) => s.name));
    for (const chunk of [all.slice(0, 100), all.slice(100)]) {
      const res = await t.request({
        method: "POST",
        url: "/api/v1/servers/bulk",
        token: admin,
        body: { servers: chunk },
      });
      expect(res.statusCode).toBe(201);
    }
  });
  afterAll(async () => t?.close());

  it("120 servers page through with limit=50 in 3 pages: no duplicates, no gaps, creation order", async () => {
    const result = await pages(t, admin, "/api/v1/servers?limit=50");
    expect(result.map((p) => p.length)).toEqual([50, 50, 20]);
    const seen = result.flat().map((s) => s.name);
    expect(seen).toEqual(names);
  });

  it("pages stay gap-free with filters", async () => {
    const active = await pages(t, admin, "/api/v1/servers?limit=15&status=active");
    const expected = names.filter((_, i) => i % 3 === 0);
    expect(active.map((p) => p.length)).toEqual([15, 15, 10]);
    expect(active.flat().map((s) => s.name)).toEqual(expected);

    const combined = await pages(t, admin, "/api/v1/servers?limit=7&tag=even&team=beta&status=active,registered");
    expect(combined.flat().map((s) => s.name)).toEqual(names.filter((_, i) => i % 2 === 0 && i >= 60));
  });

  it("include_total counts every match, not the page", async () => {
    const res = await t.request({
      method: "GET",
      url: "/api/v1/servers?limit=5&tag=odd&include_total=true",
      token: admin,
    });
    expect(res.json()).toMatchObject({ total: 60, has_more: true });
    expect(res.json().items).toHaveLength(5);
    const none = await t.request({ method: "GET", url: "/api/v1/servers?limit=5", token: admin });
    expect(none.json().total).toBeUndefined();
  });

  it("search is case-insensitive over name and description, with % and _ literal", async () => {
    const byName = await t.request({ method: "GET", url: "/api/v1/servers?search=PAGE-11&limit=200", token: admin });
    expect(byName.json().items.map((s: ServerItem) => s.name)).toEqual(names.slice(110, 120));
    const literal = await t.request({
      method: "GET",
      url: `/api/v1/servers?search=${encodeURIComponent("50% OFF_")}`,
      token: admin,
    });
    expect(literal.json().items).toHaveLength(12);
    const wildcard = await t.request({
      method: "GET",
      url: `/api/v1/servers?search=${encodeURIComponent("_")}`,
      token: admin,
    });
    expect(wildcard.json().items).toHaveLength(12);
  });

  it("owner=me and owner=<id> filter by owner", async () => {
    const mine = await t.request({ method: "GET", url: "/api/v1/servers?owner=me&include_total=true", token: admin });
    expect(mine.json().total).toBe(120);
    const other = await t.request({
      method: "GET",
      url: "/api/v1/servers?owner=01890000-0000-7000-8000-000000000000&include_total=true",
      token: admin,
    });
    expect(other.json()).toMatchObject({ total: 0, items: [], has_more: false, next_cursor: null });
  });

  it.each([
    ["cursor=garbage", "INVALID_CURSOR"],
    [`cursor=${Buffer.from('{"id":"nope"}').toString("base64url")}`, "INVALID_CURSOR"],
    [`cursor=${Buffer.from('{"other":1}').toString("base64url")}`, "INVALID_CURSOR"],
    ["limit=0", "VALIDATION_FAILED"],
    ["limit=201", "VALIDATION_FAILED"],
    ["limit=abc", "VALIDATION_FAILED"],
    ["status=gone", "VALIDATION_FAILED"],
    ["sensitivity=extreme", "VALIDATION_FAILED"],
    ["owner=bob", "VALIDATION_FAILED"],
    ["sort=name", "VALIDATION_FAILED"],
  ])("400 for %s", async (query, code) => {
    const res = await t.request({ method: "GET", url: `/api/v1/servers?${query}`, token: admin });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe(code);
  });

  it("limit defaults to 50 and accepts 200", async () => {
    expect((await t.request({ method: "GET", url: "/api/v1/servers", token: admin })).json().items).toHaveLength(50);
    const max = await t.request({ method: "GET", url: "/api/v1/servers?limit=200", token: admin });
    expect(max.json()).toMatchObject({ has_more: false, next_cursor: null });
    expect(max.json().items).toHaveLength(120);
  });

  it("401 without a token", async () => {
    await expectAuthCases(t, { method: "GET", url: "/api/v1/servers?limit=5" });
  });
});
