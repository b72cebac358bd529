import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContext } from "../../src/context.js";
import { loadConfig } from "../../src/platform/config.js";
import { BACKEND_LABEL, createTestSchema, TEST_DATABASE_URL } from "../helpers/backends.js";

function sark(args: string[], env: Record<string, string>) {
  const res = spawnSync(process.execPath, ["--import", "tsx", "src/main.ts", ...args], {
    env: { ...process.env, LOG_LEVEL: "warn", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

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
    env.SARK_DATA_DIR = mkdtempSync(join(tmpdir(), "sark-audit-cli-"));
    const schema = await createTestSchema();
    if (TEST_DATABASE_URL && schema) {
      const url = new URL(TEST_DATABASE_URL);
      url.searchParams.set("options", `-c search_path=${schema.schema}`);
      env.DATABASE_URL = url.toString();
      drop = schema.drop;
    }
    await withContext(async (ctx) => {
      await ctx.migrator.up();
      for (let i = 0; i < 4; i++)
        await ctx.audit.record({ event_type: "cli.test", outcome: "success", details: { i } });
      await ctx.flushAudit();
    });
  });
  afterAll(async () => drop?.());

  it("rejects bad dates with usage", () => {
    const bad = sark(["audit", "verify", "--from", "last tuesday"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--from");
  });

  it("runs partition maintenance", () => {
    const res = sark(["audit", "maintain"], env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain("partitioned");
  });

  it("verifies an intact chain, then reports the first broken link after a direct edit", async () => {
    const ok = sark(["audit", "verify"], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^ok: \d+ events verified \(seq 1\.\./);

    let tampered = "";
    await withContext(async (ctx) => {
      const res = await sql<{ id: string }>`
        update audit_events set outcome = 'failure'
        where seq = (select seq from audit_events order by seq offset 2 limit 1) returning id`.execute(ctx.database.db);
      tampered = res.rows[0]?.id ?? "";
    });
    const broken = sark(["audit", "verify"], env);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`BROKEN: event ${tampered}`);
    expect(broken.stdout).toContain("hash_mismatch");
  });
});
