import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKEND_LABEL, createTestSchema, TEST_DATABASE_URL } from "../helpers/backends.js";

function sark(args: string[], env: Record<string, string> = {}) {
  const res = spawnSync(process.execPath, ["--import", "tsx", "src/main.ts", ...args], {
    env: { ...process.env, LOG_LEVEL: "warn", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

describe("sark CLI", () => {
  it("prints its version", () => {
    const res = sark(["version"]);
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("refuses to start in production with a short JWT secret, naming the variable", () => {
    const res = sark(["serve"], { ENVIRONMENT: "production", JWT_SECRET_KEY: "short" });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain("JWT_SECRET_KEY");
  });

  it("lists every configuration problem before exiting", () => {
    const res = sark(["serve"], { PORT: "eighty", DB_SSL: "maybe" });
    expect(res.code).toBe(78);
    expect(res.stderr).toContain("PORT");
    expect(res.stderr).toContain("DB_SSL");
  });

  it("rejects unknown commands with usage", () => {
    const res = sark(["frobnicate"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("usage: sark");
  });
});

describe(`sark migrate (${BACKEND_LABEL})`, () => {
  const env: Record<string, string> = {};
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    env.SARK_DATA_DIR = mkdtempSync(join(tmpdir(), "sark-cli-"));
    const schema = await createTestSchema();
    if (TEST_DATABASE_URL && schema) {
      // The CLI has no schema flag; point it at the isolated schema through the connection's options.
      const url = new URL(TEST_DATABASE_URL);
      url.searchParams.set("options", `-c search_path=${schema.schema}`);
      env.DATABASE_URL = url.toString();
      drop = schema.drop;
    }
  });
  afterAll(async () => drop?.());

  // Five CLI processes (each starts Node, tsx and the database): allow for a loaded machine.
  it("goes up, down to zero and up again, reporting status", { timeout: 180_000 }, () => {
    const up = sark(["migrate", "up"], env);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain("applied:");
    expect(sark(["migrate", "status"], env).stdout).not.toContain("pending");

    const down = sark(["migrate", "down", "all"], env);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain("reverted:");
    const status = sark(["migrate", "status"], env).stdout;
    expect(status).toContain("pending");
    expect(status).not.toContain("applied\t");

    const again = sark(["migrate", "up"], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("applied:");
  });

  it("rejects a bad step count", () => {
    expect(sark(["migrate", "down", "lots"], env).code).toBe(2);
  });
});
