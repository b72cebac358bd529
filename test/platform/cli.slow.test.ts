import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKEND_LABEL } from "../helpers/backends.js";
import { cliDatabaseEnv, freePort, runSark } from "../helpers/process.js";

describe("sark CLI", () => {
  it("prints its version", () => {
    const res = runSark(["version"]);
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("refuses to start in production with a short JWT secret, naming the variable", () => {
    const res = runSark(["serve"], { ENVIRONMENT: "production", JWT_SECRET_KEY: "short" });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain("JWT_SECRET_KEY");
  });

  it("lists every configuration problem before exiting", () => {
    const res = runSark(["serve"], { PORT: "eighty", DB_SSL: "maybe" });
    expect(res.code).toBe(78);
    expect(res.stderr).toContain("PORT");
    expect(res.stderr).toContain("DB_SSL");
  });

  it("rejects unknown commands with usage", () => {
    const res = runSark(["frobnicate"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("usage: sark");
  });

  it("prints the usage without a command instead of starting a server", () => {
    const res = runSark([]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("usage: sark <command>");
    expect(res.stdout).not.toContain("listening on");
  });

  it("prints a command's help", () => {
    const res = runSark(["migrate", "--help"]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^usage: sark migrate/);
  });

  it("reports an unreachable PostgreSQL in one line, without a stack", async () => {
    const port = await freePort();
    const res = runSark(["migrate", "up"], { DATABASE_URL: `postgres://sark:secret@127.0.0.1:${port}/sark` });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      `sark migrate up: cannot connect to PostgreSQL at 127.0.0.1:${port}/sark: connect ECONNREFUSED 127.0.0.1:${port}\n`,
    );
  });
});

describe(`sark migrate (${BACKEND_LABEL})`, () => {
  let env: Record<string, string> = {};
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ env, drop } = await cliDatabaseEnv("sark-cli-"));
  });
  afterAll(async () => drop?.());

  // Five CLI processes (each starts Node, tsx and the database): allow for a loaded machine.
  it("goes up, down to zero and up again, reporting status", { timeout: 180_000 }, () => {
    const up = runSark(["migrate", "up"], env);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain("applied:");
    expect(runSark(["migrate", "status"], env).stdout).not.toContain("pending");

    const down = runSark(["migrate", "down", "all"], env);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain("reverted:");
    const status = runSark(["migrate", "status"], env).stdout;
    expect(status).toContain("pending");
    expect(status).not.toContain("applied\t");

    const again = runSark(["migrate", "up"], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("applied:");
  });

  it("rejects a bad step count", () => {
    expect(runSark(["migrate", "down", "lots"], env).code).toBe(2);
  });

  it("reports an invalid user as field and rule, without a stack", { timeout: 120_000 }, () => {
    const res = runSark(["admin", "create-user", "--username", "bob", "--password", "short"], env);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe("sark admin create-user: password: must be 12-256 characters\n");
  });
});
