import { sql } from "kysely";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.js";
import { type Context, createContext } from "../../src/context.js";
import { loadConfig } from "../../src/platform/config/index.js";
import type { AppInstance } from "../../src/platform/feature.js";
import { ADMIN, createTestApp, pgliteSnapshot, type TestApp } from "../helpers/app.js";
import { createTestSchema, TEST_DATABASE_URL, TEST_REDIS_URL, uniquePrefix } from "../helpers/backends.js";
import { eventually } from "../helpers/eventually.js";

// Issue 14 item 1, second half: a stored policy or data row that cannot be loaded once made every
// start exit 1 (a crash loop). It is now skipped and reported; a reload keeps the last good state.

const POLICY_ID = "01900000-0000-7000-8000-00000000e001";
const BROKEN_REGO = "package extra.rules\n\nallow if {";

type Db = Context["database"]["db"];

/** What an older version (or a hand edit) can leave behind: rows the API would refuse today. */
async function poison(db: Db): Promise<void> {
  await sql`insert into policies (id, name, description, active_version, created_at, updated_at)
    values (${POLICY_ID}, 'extra.rules', '', null, now(), now())`.execute(db);
  await sql`insert into policy_versions (policy_id, version, content, sha256, author, compile_status, compile_errors, test_status, test_results, created_at)
    values (${POLICY_ID}, 1, ${BROKEN_REGO}, 'x', 'old', 'ok', '[]'::jsonb, 'none', '[]'::jsonb, now())`.execute(db);
  await sql`update policies set active_version = 1 where id = ${POLICY_ID}`.execute(db);
  await sql`insert into policy_data (path, value, updated_at) values ('__proto__/x', ${'{"polluted":"yes"}'}::jsonb, now())`.execute(
    db,
  );
  // A good row next to them, which must still take effect: MFA for every level.
  await sql`insert into policy_data (path, value, updated_at) values ('sark/config', ${'{"mfa_required_for":["low","medium","high","critical"]}'}::jsonb, now())`.execute(
    db,
  );
  await sql`update policy_state set revision = revision + 1`.execute(db);
}

const lowTool = { action: "tool:invoke", tool: { name: "read_notes", sensitivity_level: "low" } };

describe("starting on a store with a poisoned policy row and a poisoned data row", () => {
  let ctx: Context | undefined;
  let app: AppInstance | undefined;
  let dropSchema: (() => Promise<void>) | undefined;
  const logs: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    const schema = await createTestSchema();
    dropSchema = schema?.drop;
    const config = loadConfig({
      LOG_LEVEL: "info",
      SARK_ADMIN_PASSWORD: ADMIN.password,
      ...(TEST_DATABASE_URL ? { DATABASE_URL: TEST_DATABASE_URL, DB_POOL_SIZE: "3" } : {}),
      ...(TEST_REDIS_URL ? { REDIS_URL: TEST_REDIS_URL } : {}),
    });
    const logger = pino(
      { level: "info" },
      {
        write: (chunk: string) => {
          for (const line of chunk.split("\n")) if (line.trim()) logs.push(JSON.parse(line));
        },
      },
    );
    ctx = await createContext(config, {
      logger,
      inMemoryDatabase: true,
      ...pgliteSnapshot(),
      databaseSchema: schema?.schema,
      cachePrefix: uniquePrefix(),
    });
    await ctx.migrator.up();
    await poison(ctx.database.db);
    await ctx.accounts.bootstrapAdmin();
    app = await buildApp(ctx);
    await app.ready();
    await ctx.start();
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await ctx?.stop();
    await dropSchema?.();
  });

  it("starts, pollutes nothing, serves evaluate with the rest and reports degraded", async () => {
    expect(Object.hasOwn(Object.prototype, "x")).toBe(false);
    if (!app) throw new Error("app did not start");
    const login = await app.inject({ method: "POST", url: "/api/v1/auth/login", payload: ADMIN });
    const token = login.json().access_token as string;
    const res = await app.inject({
      method: "POST",
      url: "/api/v1/policies/evaluate",
      headers: { authorization: `Bearer ${token}` },
      payload: lowTool,
    });
    expect(res.statusCode).toBe(200);
    // sark/config loaded: the admin's non-MFA session is refused a low tool.
    expect(res.json()).toMatchObject({ allow: false, policy_version: "sark.authz@v1" });
    expect(res.json().reasons.join(" ")).toContain("MFA");

    const health = (await app.inject({ method: "GET", url: "/health/detailed" })).json();
    expect(health.components.policy).toMatchObject({
      status: "degraded",
      policy: "sark.authz@v1",
      skipped: expect.arrayContaining([
        expect.objectContaining({ kind: "policy", ref: "extra.rules@v1", serving: null }),
        expect.objectContaining({ kind: "data", ref: "__proto__/x", serving: null }),
      ]),
    });
    const skippedLogs = logs.filter((l) => String(l.msg).startsWith("skipped stored"));
    expect(skippedLogs.map((l) => l.ref)).toEqual(expect.arrayContaining(["extra.rules@v1", "__proto__/x"]));
    expect(skippedLogs.every((l) => l.level === 50)).toBe(true);
  });
});

describe("a reload (another replica's change) that brings poisoned rows", () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await createTestApp({ POLICY_RELOAD_INTERVAL_MS: "100" });
    admin = await t.adminToken();
  }, 180_000);
  afterAll(async () => t?.close());

  const evaluateLow = async () =>
    (await t.request({ method: "POST", url: "/api/v1/policies/evaluate", token: admin, body: lowTool })).json();
  const policyHealth = async () => t.ctx.features.find((f) => f.name === "policy")?.health?.();

  it("keeps the last good value of each poisoned row and still applies the good changes", async () => {
    const db = t.ctx.database.db;
    const put = (path: string, body: unknown) =>
      t.request({ method: "PUT", url: `/api/v1/policies/data/${path}`, token: admin, body });
    expect((await put("sark/config", { mfa_required_for: ["low"] })).statusCode).toBe(200);
    const extra = await t.request({
      method: "POST",
      url: "/api/v1/policies",
      token: admin,
      body: { name: "extra.rules", content: "package extra.rules\n\nflag := true\n", activate: true },
    });
    expect(extra.statusCode).toBe(201);
    expect((await evaluateLow()).allow).toBe(false);

    // What an older replica could write: a too-deep config, a polluting path, a broken module.
    let deep: unknown = "leaf";
    for (let i = 0; i < 200; i++) deep = { d: deep };
    await sql`update policy_data set value = ${JSON.stringify({ mfa_required_for: deep })}::jsonb where path = 'sark/config'`.execute(
      db,
    );
    await sql`insert into policy_data (path, value, updated_at) values ('constructor/prototype', ${'{"polluted":"yes"}'}::jsonb, now())`.execute(
      db,
    );
    await sql`update policy_versions set content = ${BROKEN_REGO} where policy_id = ${extra.json().id}`.execute(db);
    // …and a good change in the same revision, which must still arrive.
    await sql`insert into policy_data (path, value, updated_at) values ('sark/teams', ${'{"t1":{"members":["x"]}}'}::jsonb, now())`.execute(
      db,
    );
    await sql`update policy_state set revision = revision + 1`.execute(db);

    await eventually(async () => expect((await policyHealth())?.status).toBe("degraded"));
    const health = await policyHealth();
    expect(health?.skipped).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "data", ref: "sark/config", serving: "previous value" }),
        expect.objectContaining({ kind: "data", ref: "constructor/prototype", serving: null }),
        expect.objectContaining({ kind: "policy", ref: "extra.rules@v1", serving: "extra.rules@v1" }),
      ]),
    );
    expect(Object.hasOwn(Object.prototype, "polluted")).toBe(false);
    // The previous sark/config is still in force, the good row of the same revision arrived.
    expect((await evaluateLow()).allow).toBe(false);
    const teamUpdate = await t.request({
      method: "POST",
      url: "/api/v1/policies/evaluate",
      token: admin,
      body: {
        action: "server:update",
        user: { id: "x", roles: ["developer"] },
        server: { name: "s", owner_id: null, team_id: "t1" },
      },
    });
    expect(teamUpdate.json()).toMatchObject({ allow: true });
    expect(health?.revision).toBe(
      Number((await sql<{ r: string }>`select revision as r from policy_state`.execute(db)).rows[0]?.r),
    );
    // Repairing the rows makes the replica healthy again.
    await sql`delete from policy_data where path in ('sark/config', 'constructor/prototype')`.execute(db);
    await sql`update policy_versions set content = 'package extra.rules' where policy_id = ${extra.json().id}`.execute(
      db,
    );
    await sql`update policy_state set revision = revision + 1`.execute(db);
    await eventually(async () => expect((await policyHealth())?.status).toBe("healthy"));
    expect((await evaluateLow()).allow).toBe(true);
  });
});
