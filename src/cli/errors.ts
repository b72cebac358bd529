import { ConfigError } from "../platform/config/index.js";
import { isAppError } from "../platform/errors.js";

/** The database named in the configuration did not answer `select 1` before a command ran. */
export class DatabaseUnreachableError extends Error {
  override readonly name = "DatabaseUnreachableError";
}

/** What the CLI prints to stderr for a failed command, and the process exit code. */
export interface CliFailure {
  text: string;
  exitCode: number;
}

/** sysexits(3) EX_CONFIG: the configuration is invalid, retrying will not help. */
export const EXIT_CONFIG = 78;
/** Wrong arguments (as most CLIs do). */
export const EXIT_USAGE = 2;

/** node:util parseArgs rejects unknown or malformed options with these codes. */
const isArgumentError = (e: unknown): e is TypeError =>
  e instanceof TypeError && "code" in e && typeof e.code === "string" && e.code.startsWith("ERR_PARSE_ARGS_");

/** A request-part JSON pointer (`body/roles/0`) as the user knows it (`roles[0]`). */
function fieldName(path: string): string {
  const [, ...rest] = path.split("/");
  const segments = rest.length > 0 ? rest : [path];
  return segments.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

function fieldErrors(e: { details: unknown }): Array<{ path: string; message: string }> {
  const fields = (e.details as { fields?: unknown } | undefined)?.fields;
  return Array.isArray(fields) ? fields : [];
}

/** The lines for an expected failure (no stack), or undefined when `e` is a bug. */
function expectedFailure(e: unknown, prefix: string, help: string): CliFailure | undefined {
  if (e instanceof ConfigError) return { text: `${e.message}\n`, exitCode: EXIT_CONFIG };
  if (isArgumentError(e)) return { text: `${prefix}: ${e.message}\nRun '${help}' for usage.\n`, exitCode: EXIT_USAGE };
  if (e instanceof DatabaseUnreachableError) return { text: `${prefix}: ${e.message}\n`, exitCode: 1 };
  if (isAppError(e)) {
    const fields = fieldErrors(e);
    const lines = fields.length > 0 ? fields.map((f) => `${fieldName(f.path)}: ${f.message}`) : [e.message];
    return { text: lines.map((line) => `${prefix}: ${line}\n`).join(""), exitCode: 1 };
  }
  return undefined;
}

/**
 * How the CLI reports an error: expected failures (bad configuration, bad arguments, a service's
 * AppError, an unreachable database) as one line per problem, prefixed with the command; anything
 * else is a bug and keeps its stack trace. `debug` (DEBUG=true) adds the stack to every failure.
 */
export function describeFailure(e: unknown, command: readonly string[], debug: boolean): CliFailure {
  const prefix = ["sark", ...command].join(" ");
  const help = command[0] ? `sark ${command[0]} --help` : "sark --help";
  const expected = expectedFailure(e, prefix, help);
  const stack = e instanceof Error ? (e.stack ?? e.message) : String(e);
  if (!expected) return { text: `sark: ${stack}\n`, exitCode: 1 };
  return debug && e instanceof Error ? { ...expected, text: `${expected.text}${stack}\n` } : expected;
}
