import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { VERSION } from "../platform/version.js";
import { memoryIo } from "./io.js";
import { runCli } from "./run.js";
import { COMMAND_USAGE, USAGE } from "./usage.js";

async function run(argv: string[], env: Record<string, string> = {}) {
  const io = memoryIo();
  const code = await runCli(argv, io, env);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

/** A loopback port nothing listens on (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === "object" && address ? address.port : 1));
    });
  });
}

describe("sark help", () => {
  it("without a command prints the usage on stderr and exits 2 (never starts a server)", async () => {
    expect(await run([])).toEqual({ code: 2, stdout: "", stderr: USAGE });
  });

  it.each([["--help"], ["-h"], ["help"]])("%s prints the usage and exits 0", async (flag) => {
    expect(await run([flag])).toEqual({ code: 0, stdout: USAGE, stderr: "" });
  });

  it.each(Object.keys(COMMAND_USAGE))("sark %s --help prints that command's usage", async (name) => {
    const usage = COMMAND_USAGE[name as keyof typeof COMMAND_USAGE];
    expect(usage).toMatch(new RegExp(`^usage: sark ${name}`));
    // An invalid configuration proves help loads neither the configuration nor the command.
    for (const argv of [
      [name, "--help"],
      [name, "-h"],
      ["help", name],
    ]) {
      expect(await run(argv, { PORT: "eighty" })).toEqual({ code: 0, stdout: usage, stderr: "" });
    }
  });

  it("finds --help after a subcommand", async () => {
    expect((await run(["migrate", "down", "--help"])).stdout).toBe(COMMAND_USAGE.migrate);
    expect((await run(["admin", "create-user", "--help"])).stdout).toBe(COMMAND_USAGE.admin);
  });

  it("rejects an unknown command, and help for one, with exit 2", async () => {
    for (const argv of [["frobnicate"], ["help", "frobnicate"]]) {
      const res = await run(argv);
      expect(res.code).toBe(2);
      expect(res.stderr).toBe(`sark: unknown command 'frobnicate'\n${USAGE}`);
    }
  });
});

describe("runCli", () => {
  it("prints the version", async () => {
    for (const argv of [["version"], ["--version"]]) expect(await run(argv)).toMatchObject({ stdout: `${VERSION}\n` });
  });

  it("rejects arguments to serve instead of ignoring them", async () => {
    const res = await run(["serve", "--port", "9000"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(`sark serve: unexpected argument '--port'\n${COMMAND_USAGE.serve}`);
  });

  it("lists configuration problems with exit 78 before touching the database", async () => {
    const res = await run(["migrate", "status"], { PORT: "eighty", DB_SSL: "maybe" });
    expect(res.code).toBe(78);
    expect(res.stderr).toContain("PORT");
    expect(res.stderr).toContain("DB_SSL");
  });

  it("reports an unreachable PostgreSQL in one line: host, database, the driver's reason", async () => {
    const port = await closedPort();
    const env = { DATABASE_URL: `postgres://sark:s3cret@127.0.0.1:${port}/sark` };
    for (const command of [["migrate", "up"], ["audit", "verify"], ["serve"]]) {
      const res = await run(command, env);
      expect(res.code, res.stderr).toBe(1);
      expect(res.stderr).toBe(
        `sark ${command.join(" ")}: cannot connect to PostgreSQL at 127.0.0.1:${port}/sark: connect ECONNREFUSED 127.0.0.1:${port}\n`,
      );
    }
  });

  it("runs policy commands without a configuration", async () => {
    const res = await run(["policy", "check", "policies/sark/authz.rego"], { PORT: "eighty" });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^ok: 1 module\(s\)/);
  });
});
