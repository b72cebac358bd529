import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Context } from "../../src/context.js";
import type { Caller } from "../../src/core/caller.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { TEST_DATABASE_URL } from "../helpers/backends.js";
import { eventually } from "../helpers/eventually.js";

const viewer: Caller = {
  principal: {
    id: "00000000-0000-7000-8000-000000000001",
    username: "replica-viewer",
    email: null,
    roles: ["viewer"],
    teams: [],
    groups: [],
  },
  auth: { method: "password", mfa: false },
  request: { ip: "127.0.0.1", userAgent: null, requestId: "reload-test" },
};

let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await createTestApp({ POLICY_RELOAD_INTERVAL_MS: "200" });
  admin = await t.adminToken();
});
afterAll(async () => t?.close());

/** A new version of sark.authz that also lets viewers register servers (stored, not yet active). */
async function storeLenientVersion(): Promise<number> {
  const detail = (await t.request({ method: "GET", url: "/api/v1/policies/sark.authz", token: admin })).json();
  const active = detail.versions.find((v: { active: boolean }) => v.active);
  const content = `${active.content}\nallow if {\n\thas_role("viewer")\n\tinput.action == "server:register"\n}\n`;
  const res = await t.request({ method: "PUT", url: "/api/v1/policies/sark.authz", token: admin, body: { content } });
  expect(res.statusCode).toBe(200);
  return res.json().latest_version as number;
}

describe("cross-replica reload", () => {
  it.runIf(TEST_DATABASE_URL)(
    "an activation on one context reaches a second context on the same database",
    async () => {
      const second: Context = await t.replica();
      try {
        await second.start();
        const before = await second.authorizer.authorize(viewer, "server:register");
        expect(before.allow).toBe(false);
        const version = await storeLenientVersion();
        const act = await t.request({
          method: "POST",
          url: "/api/v1/policies/sark.authz/activate",
          token: admin,
          body: { version },
        });
        expect(act.statusCode).toBe(200);
        await eventually(async () =>
          expect((await second.authorizer.authorize(viewer, "server:register")).allow).toBe(true),
        );
        const after = await second.authorizer.authorize(viewer, "server:register");
        expect(after.policyVersion).toBe(`sark.authz@v${version}`);
        await t.request({
          method: "POST",
          url: "/api/v1/policies/sark.authz/activate",
          token: admin,
          body: { version: 1 },
        });
        await eventually(async () =>
          expect((await second.authorizer.authorize(viewer, "server:register")).allow).toBe(false),
        );
      } finally {
        await second.stop();
      }
    },
  );

  it("the poller picks up a change another replica wrote to the store", async () => {
    const version = await storeLenientVersion();
    expect((await t.ctx.authorizer.authorize(viewer, "server:register")).allow).toBe(false);
    // What another replica's activation leaves in the database: a new active version and a new revision.
    await sql`update policies set active_version = ${version} where name = 'sark.authz'`.execute(t.ctx.database.db);
    await sql`update policy_state set revision = revision + 1`.execute(t.ctx.database.db);
    await eventually(async () =>
      expect((await t.ctx.authorizer.authorize(viewer, "server:register")).allow).toBe(true),
    );
    const health = await t.ctx.features.find((f) => f.name === "policy")?.health?.();
    expect(health).toMatchObject({ status: "healthy", policy: `sark.authz@v${version}` });
  });

  it("keeps the loaded policy and reports unhealthy when the stored active set does not compile", async () => {
    await sql`update policy_versions set content = 'package sark.authz\n\nallow if {' where version = 1`.execute(
      t.ctx.database.db,
    );
    await sql`update policies set active_version = 1 where name = 'sark.authz'`.execute(t.ctx.database.db);
    await sql`update policy_state set revision = revision + 1`.execute(t.ctx.database.db);
    const feature = t.ctx.features.find((f) => f.name === "policy");
    await eventually(async () => expect((await feature?.health?.())?.status).toBe("unhealthy"));
    // Still the previously loaded (lenient) version.
    expect((await t.ctx.authorizer.authorize(viewer, "server:register")).allow).toBe(true);
  });
});
