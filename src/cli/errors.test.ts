import { parseArgs } from "node:util";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../platform/config/index.js";
import { AppError, conflict, validationFailed } from "../platform/errors.js";
import { DatabaseUnreachableError, describeFailure, EXIT_CONFIG, EXIT_USAGE } from "./errors.js";

const CREATE_USER = ["admin", "create-user"];

function argumentError(): unknown {
  try {
    parseArgs({ args: ["--pass", "x"], options: { password: { type: "string" } } });
  } catch (e) {
    return e;
  }
  throw new Error("parseArgs accepted an unknown option");
}

describe("describeFailure", () => {
  it("prints one line per invalid field, naming the field and the rule, without a stack", () => {
    const e = validationFailed("user is not valid", [
      { path: "body/password", message: "must be 12-256 characters" },
      { path: "body/roles/1", message: "unknown role 'root'" },
    ]);
    const failure = describeFailure(e, CREATE_USER, false);
    expect(failure.text).toBe(
      "sark admin create-user: password: must be 12-256 characters\n" +
        "sark admin create-user: roles[1]: unknown role 'root'\n",
    );
    expect(failure.exitCode).toBe(1);
    expect(failure.text).not.toContain("AppError");
  });

  it("prints an AppError without fields as its message", () => {
    const failure = describeFailure(conflict("a user named 'bob' already exists"), CREATE_USER, false);
    expect(failure).toEqual({ text: "sark admin create-user: a user named 'bob' already exists\n", exitCode: 1 });
  });

  it("prints an unreachable database as one line", () => {
    const e = new DatabaseUnreachableError("cannot connect to PostgreSQL at db:5432/sark: connect ECONNREFUSED");
    expect(describeFailure(e, ["migrate", "up"], false)).toEqual({
      text: "sark migrate up: cannot connect to PostgreSQL at db:5432/sark: connect ECONNREFUSED\n",
      exitCode: 1,
    });
  });

  it("lists configuration problems and exits with EX_CONFIG", () => {
    const failure = describeFailure(new ConfigError(["PORT must be a number"]), ["serve"], false);
    expect(failure.exitCode).toBe(EXIT_CONFIG);
    expect(failure.text).toContain("PORT must be a number");
    expect(failure.text).not.toMatch(/\n\s+at /);
  });

  it("reports an unknown option as a usage error pointing at the command's help", () => {
    const failure = describeFailure(argumentError(), CREATE_USER, false);
    expect(failure.exitCode).toBe(EXIT_USAGE);
    expect(failure.text).toMatch(/^sark admin create-user: Unknown option '--pass'/);
    expect(failure.text).toContain("Run 'sark admin --help' for usage.");
  });

  it("keeps the stack of an unexpected error (a bug)", () => {
    const failure = describeFailure(new TypeError("cannot read properties of undefined"), ["migrate", "up"], false);
    expect(failure.exitCode).toBe(1);
    expect(failure.text).toMatch(/^sark: TypeError: cannot read properties of undefined\n\s+at /);
  });

  it("adds the stack to expected failures with DEBUG=true", () => {
    const e = new AppError("NOT_FOUND", "user 'x' not found");
    const failure = describeFailure(e, ["admin"], true);
    expect(failure.text).toMatch(/^sark admin: user 'x' not found\nAppError: user 'x' not found\n\s+at /);
  });
});
