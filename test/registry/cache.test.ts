import type { LightMyRequestResponse } from "fastify";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.js";
import type { Context } from "../../src/context.js";
import type { AppInstance } from "../../src/platform/feature.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { TEST_DATABASE_URL } from "../helpers/backends.js";
import { eventually } from "../helpers/eventually.js";
import { serverBody } from "./fixtures.js";

const REFRESH_MS = 100;

describe("registry read cache", () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    // A fixed secret, so the second replica below accepts this replica's tokens.
    t = await createTestApp({
      REGISTRY_CACHE_REFRESH_MS: String(REFRESH_MS),
      JWT_SECRET_KEY: "registry-cache-test-secret-that-is-long-enough-0123",
    });
    admin = await t.adminToken();
  });
  afterAll(async () => t?.close());

  const get = (id: string, app: { inject: AppInstance["inject"] } = t.app) =>
    app.inject({ method: "GET", url: `/api/v1/servers/${id}`, headers: { authorization: `Bearer ${admin}` } });
  const register = async (name: string): Promise<string> => {
    const res = await t.request({ method: "POST", url: "/api/v1/servers", token: admin, body: serverBody(name) });
    expect(res.statusCode).toBe(201);
    return res.json().id;
  };
  const revision = async (): Promise<number> =>
    Number(
      (await sql<{ r: string }>`select revision::text as r from registry_state`.execute(t.ctx.database.db)).rows[0]?.r,
    );

  it("a change through this replica is visible to its very next read", async () => {
    const id = await register("cache-own-writes");
    expect((await get(id)).json().description).toBe("The cache-own-writes server");
    const patched = await t.request({
      method: "PATCH",
      url: `/api/v1/servers/${id}`,
      token: admin,
      body: { description: "changed" },
    });
    expect(patched.statusCode).toBe(200);
    expect((await get(id)).json().description).toBe("changed");

    const sensitivity = await t.request({
      method: "PUT",
      url: `/api/v1/servers/${id}/tools/read_file/sensitivity`,
      token: admin,
      body: { sensitivity_level: "critical", reason: "holds customer data" },
    });
    expect(sensitivity.statusCode).toBe(200);
    const tool = (await get(id)).json().tools.find((x: { name: string }) => x.name === "read_file");
    expect(tool.sensitivity_level).toBe("critical");

    expect((await t.request({ method: "DELETE", url: `/api/v1/servers/${id}`, token: admin })).statusCode).toBe(204);
    expect((await get(id)).statusCode).toBe(404);
  });

  it("every write to servers or tools advances the registry revision in its transaction", async () => {
    const before = await revision();
    const id = await register("cache-revision");
    const afterInsert = await revision();
    expect(afterInsert).toBeGreaterThan(before);
    await sql`update tools set description = 'direct' where server_id = ${id}`.execute(t.ctx.database.db);
    expect(await revision()).toBeGreaterThan(afterInsert);
  });

  it("a change made outside this replica's routes is served within about one refresh", async () => {
    const id = await register("cache-outside-change");
    expect((await get(id)).json().description).toBe("The cache-outside-change server");
    // As another replica (or a cascade from deleting the owner) would: straight to the database.
    await sql`update servers set description = 'changed elsewhere' where id = ${id}`.execute(t.ctx.database.db);
    await eventually(async () => expect((await get(id)).json().description).toBe("changed elsewhere"));
  });

  it("reads are served from memory between refreshes (no database round trip)", async () => {
    const slow = await createTestApp({ REGISTRY_CACHE_REFRESH_MS: "60000" });
    try {
      const token = await slow.adminToken();
      const created = await slow.request({ method: "POST", url: "/api/v1/servers", token, body: serverBody("slow") });
      const id = created.json().id;
      const read = () => slow.request({ method: "GET", url: `/api/v1/servers/${id}`, token });
      expect((await read()).json().description).toBe("The slow server");
      await sql`update servers set description = 'not seen yet' where id = ${id}`.execute(slow.ctx.database.db);
      // The poll is a minute away, so this read can only have come from the cache.
      expect((await read()).json().description).toBe("The slow server");
    } finally {
      await slow.close();
    }
  });

  it.runIf(TEST_DATABASE_URL)("a second replica on the same database sees changes and deletions", async () => {
    const second: Context = await t.replica();
    const app = await buildApp(second);
    try {
      await app.ready();
      await second.start();
      const id = await register("cache-two-replicas");
      const onSecond = (): Promise<LightMyRequestResponse> => get(id, app);
      const first = await onSecond();
      expect(first.statusCode, first.body).toBe(200);
      expect(first.json().description).toBe("The cache-two-replicas server");

      const patched = await t.request({
        method: "PATCH",
        url: `/api/v1/servers/${id}`,
        token: admin,
        body: { description: "patched on the first replica" },
      });
      expect(patched.statusCode).toBe(200);
      await eventually(async () => expect((await onSecond()).json().description).toBe("patched on the first replica"));

      expect((await t.request({ method: "DELETE", url: `/api/v1/servers/${id}`, token: admin })).statusCode).toBe(204);
      await eventually(async () => expect((await onSecond()).statusCode).toBe(404));
    } finally {
      await app.close();
      await second.stop();
    }
  });
});
