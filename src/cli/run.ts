import { type Config, loadConfig } from "../platform/config/index.js";
import { VERSION } from "../platform/version.js";
import { ensureDatabaseReachable } from "./database-check.js";
import { describeFailure, EXIT_USAGE } from "./errors.js";
import { type CliIo, processIo } from "./io.js";
import { COMMAND_USAGE, type CommandName, isCommandName, USAGE } from "./usage.js";

/** A command returns its exit code; `serve` returns undefined and keeps running until a signal. */
type Command =
  | { usesDatabase: true; run(config: Config, args: string[], io: CliIo): Promise<number | undefined> }
  /** Commands that work on files only (policy) need neither a configuration nor a database. */
  | { usesDatabase: false; run(args: string[], io: CliIo): Promise<number> };

// Each command loads its own modules: `sark policy test` in a policy repository's CI needs the
// Rego engine, not Fastify, PGlite and the drivers (loading everything took about 1.4 s of a
// 1.9 s `sark policy check` on a slow host).
const COMMANDS: Record<CommandName, Command> = {
  serve: {
    usesDatabase: true,
    run: async (config, args, io) => {
      if (args.length > 0) return usageError(io, "serve", `unexpected argument '${args[0]}'`);
      await (await import("./serve.js")).serve(config);
      return undefined;
    },
  },
  migrate: { usesDatabase: true, run: async (config, args) => (await import("./migrate.js")).migrate(config, args) },
  admin: { usesDatabase: true, run: async (config, args) => (await import("./admin.js")).admin(config, args) },
  audit: { usesDatabase: true, run: async (config, args) => (await import("./audit.js")).audit(config, args) },
  policy: { usesDatabase: false, run: async (args, io) => (await import("./policy/index.js")).policy(args, io) },
  version: {
    usesDatabase: false,
    run: async (_args, io) => {
      io.out(`${VERSION}\n`);
      return 0;
    },
  },
};

const isHelpFlag = (arg: string): boolean => arg === "--help" || arg === "-h";

function usageError(io: CliIo, command: CommandName | undefined, problem: string): number {
  io.err(`sark${command ? ` ${command}` : ""}: ${problem}\n${command ? COMMAND_USAGE[command] : USAGE}`);
  return EXIT_USAGE;
}

/** `sark`, `sark help [command]`, `sark <command> --help`: the usage text, or undefined when not asked for. */
function helpRequest(argv: readonly string[], io: CliIo): number | undefined {
  const [name, ...args] = argv;
  if (name === undefined) {
    // No command is a usage error, not an implicit `serve`: a deployment that forgot the
    // command fails visibly instead of starting a server nobody asked for.
    io.err(USAGE);
    return EXIT_USAGE;
  }
  if (isHelpFlag(name) || name === "help") {
    const topic = args[0];
    if (topic === undefined) io.out(USAGE);
    else if (isCommandName(topic)) io.out(COMMAND_USAGE[topic]);
    else return usageError(io, undefined, `unknown command '${topic}'`);
    return 0;
  }
  if (isCommandName(name) && args.some(isHelpFlag)) {
    io.out(COMMAND_USAGE[name]);
    return 0;
  }
  return undefined;
}

/**
 * Runs one CLI invocation and returns its exit code (undefined: `serve` is running). Errors are
 * reported on `io.err` as describeFailure formats them; nothing is thrown.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo = processIo,
  env?: Record<string, string | undefined>,
): Promise<number | undefined> {
  const help = helpRequest(argv, io);
  if (help !== undefined) return help;
  const [given = "", ...args] = argv;
  const name = given === "--version" ? "version" : given;
  if (!isCommandName(name)) return usageError(io, undefined, `unknown command '${name}'`);
  const command = COMMANDS[name];
  let config: Config | undefined;
  try {
    if (!command.usesDatabase) return await command.run(args, io);
    config = loadConfig(env);
    await ensureDatabaseReachable(config.database);
    return await command.run(config, args, io);
  } catch (e) {
    const words = args[0] && !args[0].startsWith("-") ? [name, args[0]] : [name];
    const failure = describeFailure(e, words, config?.debug ?? false);
    io.err(failure.text);
    return failure.exitCode;
  }
}
