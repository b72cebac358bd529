import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.js";

const GOOD = `package acme.extra

import rego.v1

default allow := false

allow if input.user.roles[_] == "auditor"

test_auditor_allowed if allow with input as {"user": {"roles": ["auditor"]}}
`;
const BROKEN = `package acme.extra

allow if {
  input.user ==
}
`;

let t: TestApp;
let admin: string;
let viewer: string;
let secAdmin: string;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.adminToken();
  viewer = await t.userToken("pviewer", ["viewer"]);
  secAdmin = await t.userToken("psec", ["security_admin"]);
});
afterAll(async () => t?.close());

const auditTypes = async (type: string): Promise<Array<{ details: Record<string, unknown> }>> => {
  await t.ctx.auditAdmin.flush();
  const res = await sql<{
    details: Record<string, unknown>;
  }>`select details from audit_events where event_type = ${type} order by seq`.execute(t.ctx.database.db);
  return res.rows;
};

describe("policy store API", () => {
  it("seeds the shipped default policy as active version 1 with passing tests", async () => {
    const list = await t.request({ method: "GET", url: "/api/v1/policies", token: viewer });
    expect(list.statusCode).toBe(200);
    const seeded = list.json().items.find((p: { name: string }) => p.name === "sark.authz");
    expect(seeded).toMatchObject({ active_version: 1, latest_version: 1, governs_api: true });
    const detail = await t.request({ method: "GET", url: `/api/v1/policies/${seeded.id}`, token: viewer });
    expect(detail.statusCode).toBe(200);
    const [v1] = detail.json().versions;
    expect(v1).toMatchObject({
      version: 1,
      active: true,
      author: "system",
      compile_status: "ok",
      test_status: "passed",
    });
    expect(v1.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(v1.content).toContain("package sark.authz");
  });

  it("requires authentication", async () => {
    expect((await t.request({ method: "GET", url: "/api/v1/policies" })).statusCode).toBe(401);
    expect(
      (await t.request({ method: "POST", url: "/api/v1/policies/evaluate", body: { action: "x" } })).statusCode,
    ).toBe(401);
  });

  it("denies writes to a viewer with the policy's reason", async () => {
    const res = await t.request({
      method: "POST",
      url: "/api/v1/policies",
      token: viewer,
      body: { name: "x", content: GOOD },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe("POLICY_DENIED");
    expect(res.json().error.message).toContain("viewer may not policy:write");
  });

  it("rejects a module with a syntax error with line and column, and the active policy keeps working", async () => {
    const res = await t.request({
      method: "POST",
      url: "/api/v1/policies",
      token: admin,
      body: { name: "broken", content: BROKEN },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe("VALIDATION_FAILED");
    expect(body.error.message).toMatch(/line 5, column 1/);
    expect(body.error.details.diagnostics[0]).toMatchObject({ line: 5, col: 1 });
    const put = await t.request({
      method: "PUT",
      url: "/api/v1/policies/sark.authz",
      token: admin,
      body: { content: BROKEN, activate: true },
    });
    expect(put.statusCode).toBe(400);
    const still = await t.request({ method: "GET", url: "/api/v1/policies", token: viewer });
    expect(still.statusCode).toBe(200);
    const denied = await t.request({
      method: "POST",
      url: "/api/v1/policies",
      token: viewer,
      body: { name: "y", content: GOOD },
    });
    expect(denied.statusCode).toBe(403);
  });

  it("validates the body", async () => {
    const noContent = await t.request({ method: "POST", url: "/api/v1/policies", token: admin, body: { name: "x" } });
    expect(noContent.statusCode).toBe(400);
    const badName = await t.request({
      method: "POST",
      url: "/api/v1/policies",
      token: admin,
      body: { name: "a b", content: GOOD },
    });
    expect(badName.statusCode).toBe(400);
    const reserved = await t.request({
      method: "POST",
      url: "/api/v1/policies",
      token: admin,
      body: { name: "Data", content: GOOD },
    });
    expect(reserved.statusCode).toBe(400);
    const badVersion = await t.request({
      method: "POST",
      url: "/api/v1/policies/sark.authz/activate",
      token: admin,
      body: { version: 0 },
    });
    expect(badVersion.statusCode).toBe(400);
  });

  it("creates, versions, activates, rolls back and deletes a policy", async () => {
    const created = await t.request({
      method: "POST",
      url: "/api/v1/policies",
      token: secAdmin,
      body: { name: "acme.extra", content: GOOD, description: "extra" },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    expect(created.json()).toMatchObject({
      name: "acme.extra",
      active_version: null,
      latest_version: 1,
      governs_api: false,
    });
    const dup = await t.request({
      method: "POST",
      url: "/api/v1/policies",
      token: admin,
      body: { name: "ACME.extra", content: GOOD },
    });
    expect(dup.statusCode).toBe(409);

    const v2 = await t.request({
      method: "PUT",
      url: `/api/v1/policies/${id}`,
      token: admin,
      body: { content: GOOD.replaceAll("auditor", "reviewer") },
    });
    expect(v2.statusCode).toBe(200);
    expect(v2.json().latest_version).toBe(2);

    const act = await t.request({
      method: "POST",
      url: `/api/v1/policies/${id}/activate`,
      token: admin,
      body: { version: 2 },
    });
    expect(act.statusCode).toBe(200);
    expect(act.json().active_version).toBe(2);
    const back = await t.request({
      method: "POST",
      url: `/api/v1/policies/${id}/activate`,
      token: admin,
      body: { version: 1 },
    });
    expect(back.json().active_version).toBe(1);
    const missing = await t.request({
      method: "POST",
      url: `/api/v1/policies/${id}/activate`,
      token: admin,
      body: { version: 9 },
    });
    expect(missing.statusCode).toBe(404);

    const detail = (await t.request({ method: "GET", url: `/api/v1/policies/${id}`, token: admin })).json();
    expect(detail.versions.map((v: { version: number; active: boolean }) => [v.version, v.active])).toEqual([
      [2, false],
      [1, true],
    ]);

    const activations = await auditTypes("policy.activated");
    expect(activations.map((e) => e.details.version)).toEqual([2, 1]);

    expect((await t.request({ method: "DELETE", url: `/api/v1/policies/${id}`, token: admin })).statusCode).toBe(204);
    expect((await t.request({ method: "GET", url: `/api/v1/policies/${id}`, token: admin })).statusCode).toBe(404);
  });

  it("refuses to delete the policy that governs the API", async () => {
    const res = await t.request({ method: "DELETE", url: "/api/v1/policies/sark.authz", token: admin });
    expect(res.statusCode).toBe(409);
  });

  it("never activates a version whose own tests fail", async () => {
    const failing = `${GOOD}\ntest_fails if false\n`;
    const created = await t.request({
      method: "POST",
      url: "/api/v1/policies",
      token: admin,
      body: { name: "acme.failing", content: failing },
    });
    expect(created.statusCode).toBe(201);
    const act = await t.request({
      method: "POST",
      url: "/api/v1/policies/acme.failing/activate",
      token: admin,
      body: { version: 1 },
    });
    expect(act.statusCode).toBe(422);
  });

  it("refuses an activation that would leave no policy for the governing package", async () => {
    const other = "package not_sark\n\nimport rego.v1\n\nallow := true\n";
    const put = await t.request({
      method: "PUT",
      url: "/api/v1/policies/sark.authz",
      token: admin,
      body: { content: other },
    });
    expect(put.statusCode).toBe(200);
    const version = put.json().latest_version as number;
    const act = await t.request({
      method: "POST",
      url: "/api/v1/policies/sark.authz/activate",
      token: admin,
      body: { version },
    });
    expect(act.statusCode).toBe(422);
    expect(act.json().error.message).toContain("sark.authz");
  });

  it("validates and tests modules without storing them", async () => {
    const ok = await t.request({
      method: "POST",
      url: "/api/v1/policies/validate",
      token: admin,
      body: { content: GOOD },
    });
    expect(ok.json()).toMatchObject({
      valid: true,
      packages: ["acme.extra"],
      tests: ["data.acme.extra.test_auditor_allowed"],
    });
    const bad = await t.request({
      method: "POST",
      url: "/api/v1/policies/validate",
      token: admin,
      body: { content: BROKEN },
    });
    expect(bad.json().valid).toBe(false);
    expect(bad.json().diagnostics[0]).toMatchObject({ line: 5, col: 1 });
    const tested = await t.request({
      method: "POST",
      url: "/api/v1/policies/test",
      token: admin,
      body: { content: `${GOOD}\ntest_fails if false\n` },
    });
    expect(tested.statusCode).toBe(200);
    expect(tested.json()).toMatchObject({ passed: 1, failed: 1 });
    const viewerTest = await t.request({
      method: "POST",
      url: "/api/v1/policies/test",
      token: viewer,
      body: { content: GOOD },
    });
    expect(viewerTest.statusCode).toBe(403);
  });

  it("stores policy data under a path and rejects bad paths", async () => {
    const put = await t.request({
      method: "PUT",
      url: "/api/v1/policies/data/acme/flags",
      token: admin,
      body: { beta: true },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ path: "acme/flags", value: { beta: true } });
    const overlap = await t.request({ method: "PUT", url: "/api/v1/policies/data/acme", token: admin, body: { x: 1 } });
    expect(overlap.statusCode).toBe(409);
    const bad = await t.request({
      method: "PUT",
      url: "/api/v1/policies/data/acme/bad-segment",
      token: admin,
      body: {},
    });
    expect(bad.statusCode).toBe(400);
    const list = await t.request({ method: "GET", url: "/api/v1/policies/data", token: viewer });
    expect(list.json().items).toContainEqual({ path: "acme/flags", value: { beta: true } });
    const viewerPut = await t.request({
      method: "PUT",
      url: "/api/v1/policies/data/acme/flags",
      token: viewer,
      body: {},
    });
    expect(viewerPut.statusCode).toBe(403);
    expect(
      (await t.request({ method: "DELETE", url: "/api/v1/policies/data/acme/flags", token: admin })).statusCode,
    ).toBe(204);
    expect(
      (await t.request({ method: "DELETE", url: "/api/v1/policies/data/acme/flags", token: admin })).statusCode,
    ).toBe(404);
  });

  it("paginates the list", async () => {
    const page = await t.request({ method: "GET", url: "/api/v1/policies?limit=1", token: admin });
    expect(page.json().items).toHaveLength(1);
    expect(page.json().has_more).toBe(true);
    const next = await t.request({
      method: "GET",
      url: `/api/v1/policies?limit=1&cursor=${page.json().next_cursor}`,
      token: admin,
    });
    expect(next.json().items[0].id).not.toBe(page.json().items[0].id);
    expect((await t.request({ method: "GET", url: "/api/v1/policies?cursor=zzz", token: admin })).statusCode).toBe(400);
  });
});
