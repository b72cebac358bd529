import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { eventually } from "../helpers/eventually.js";

// Issue 14 item 1: `PUT /api/v1/policies/data/__proto__/x` polluted Object.prototype (and every
// replica that loaded the row, at every restart).

let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await createTestApp({ POLICY_RELOAD_INTERVAL_MS: "100" });
  admin = await t.adminToken();
}, 180_000);
afterAll(async () => t?.close());

const PROBES = ["polluted", "x", "y"];
const prototypeIsClean = () => PROBES.every((k) => !Object.hasOwn(Object.prototype, k));
afterEach(() => {
  // Undo a pollution so a failure here cannot cascade into the rest of the run.
  for (const k of PROBES) delete (Object.prototype as Record<string, unknown>)[k];
});

const put = (path: string, body: unknown) =>
  t.request({ method: "PUT", url: `/api/v1/policies/data/${path}`, token: admin, body });

describe("policy data paths naming prototype machinery", () => {
  it("PUT /api/v1/policies/data/__proto__/x is a 400 naming the segment, and pollutes nothing", async () => {
    const res = await put("__proto__/x", { polluted: "yes" });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe("VALIDATION_FAILED");
    expect(res.json().error.message).toContain("'__proto__'");
    expect(prototypeIsClean()).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(["constructor/prototype", "a/constructor", "prototype/y", "a/b/__proto__"])(
    "rejects %s on PUT and DELETE",
    async (path) => {
      const res = await put(path, { polluted: "yes" });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toMatch(/'(__proto__|constructor|prototype)' is reserved/);
      const del = await t.request({ method: "DELETE", url: `/api/v1/policies/data/${path}`, token: admin });
      expect(del.statusCode).toBe(400);
      expect(prototypeIsClean()).toBe(true);
    },
  );

  it.each([
    '{"__proto__": {"polluted": "yes"}}',
    '{"constructor": {"prototype": {"polluted": "yes"}}}',
    '{"a": [{"constructor": {"prototype": {"polluted": "yes"}}}]}',
  ])("a body with prototype keys is a 400, not a 500: %s", async (payload) => {
    const res = await t.app.inject({
      method: "PUT",
      url: "/api/v1/policies/data/acme/proto_body",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      payload,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe("VALIDATION_FAILED");
    expect(prototypeIsClean()).toBe(true);
  });

  it("a row with such a path already in the database (an older version wrote it) is skipped on load", async () => {
    const db = t.ctx.database.db;
    await sql`insert into policy_data (path, value, updated_at) values ('__proto__/x', ${'{"polluted":"yes"}'}::jsonb, now())`.execute(
      db,
    );
    await sql`update policy_state set revision = revision + 1`.execute(db);
    const policy = t.ctx.features.find((f) => f.name === "policy");
    await eventually(async () => expect((await policy?.health?.())?.status).toBe("degraded"));
    expect(prototypeIsClean()).toBe(true);
    const health = await policy?.health?.();
    expect(health?.skipped).toEqual([expect.objectContaining({ kind: "data", ref: "__proto__/x", serving: null })]);
    // Still deciding, with everything else.
    const res = await t.request({
      method: "POST",
      url: "/api/v1/policies/evaluate",
      token: admin,
      body: { action: "server:read" },
    });
    expect(res.json()).toMatchObject({ allow: true });
    expect(prototypeIsClean()).toBe(true);
    await sql`delete from policy_data where path = '__proto__/x'`.execute(db);
    await sql`update policy_state set revision = revision + 1`.execute(db);
    await eventually(async () => expect((await policy?.health?.())?.status).toBe("healthy"));
  });
});
