import { sql } from "kysely";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContext } from "../../src/context.js";
import { loadConfig } from "../../src/platform/config/index.js";
import { BACKEND_LABEL } from "../helpers/backends.js";
import { cliDatabaseEnv, runSark } from "../helpers/process.js";

describe(`sark audit verify | maintain (${BACKEND_LABEL})`, () => {
  const env: Record<string, string> = { SARK_ADMIN_PASSWORD: "admin-password-for-tests-1" };
  let drop: (() => Promise<void>) | undefined;

  /** Opens the same database the CLI uses (PGlite allows one process at a time: closed after). */
  async function withContext(fn: (ctx: Awaited<ReturnType<typeof createContext>>) => Promise<void>) {
    const ctx = await createContext(loadConfig({ ...env, LOG_LEVEL: "silent" }), { logger: pino({ level: "silent" }) });
    try {
      await fn(ctx);
    } finally {
      await ctx.stop();
    }
  }

  beforeAll(async () => {
    const database = await cliDatabaseEnv("sark-audit-cli-");
    Object.assign(env, database.env);
    drop = database.drop;
    await withContext(async (ctx) => {
      await ctx.migrator.up();
      for (let i = 0; i < 4; i++)
        await ctx.audit.record({ event_type: "cli.test", outcome: "success", details: { i } });
      await ctx.auditAdmin.flush();
    });
  });
  afterAll(async () => drop?.());

  it("rejects bad dates with usage", () => {
    const bad = runSark(["audit", "verify", "--from", "last tuesday"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--from");
  });

  it("runs partition maintenance", () => {
    const res = runSark(["audit", "maintain"], env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain("partitioned");
  });

  it("verifies an intact chain, then reports the first broken link after a direct edit", async () => {
    const ok = runSark(["audit", "verify"], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^ok: \d+ events verified \(seq 1\.\./);

    let tampered = "";
    await withContext(async (ctx) => {
      const res = await sql<{ id: string }>`
        update audit_events set outcome = 'failure'
        where seq = (select seq from audit_events order by seq offset 2 limit 1) returning id`.execute(ctx.database.db);
      tampered = res.rows[0]?.id ?? "";
    });
    const broken = runSark(["audit", "verify"], env);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`BROKEN: event ${tampered}`);
    expect(broken.stdout).toContain("hash_mismatch");
  });
});
