import { ConfigError, loadConfig } from "./platform/config.js";
import { VERSION } from "./platform/version.js";

const USAGE = `usage: sark <command>
  serve                          start the API, MCP gateway, probes and metrics
  migrate up|down [n|all]|status manage the database schema
  admin create-user ...          create a local user
  policy test|eval|check ...     test, evaluate and compile Rego policies (no server needed)
  audit verify [--from --to]|maintain  check the audit hash chain / run partition maintenance
  version                        print the version
`;

/** A subcommand returns an exit code; `serve` keeps running until a signal. */
type Command = (args: string[]) => Promise<number | undefined>;

async function main(argv: string[]): Promise<number | undefined> {
  const [name = "serve", ...args] = argv;
  if (name === "version" || name === "--version") {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (name === "help" || name === "--help") {
    process.stdout.write(USAGE);
    return 0;
  }
  const config = loadConfig();
  // Each command loads its own modules: `sark policy test` in a policy repository's CI needs the
  // Rego engine, not Fastify, PGlite and the drivers (loading everything took about 1.4 s of a
  // 1.9 s `sark policy check` on a slow host).
  const commands: Record<string, Command> = {
    serve: async () => {
      const { serve } = await import("./cli/serve.js");
      await serve(config);
      return undefined;
    },
    migrate: async (a) => (await import("./cli/migrate.js")).migrate(config, a),
    admin: async (a) => (await import("./cli/admin.js")).admin(config, a),
    policy: async (a) => (await import("./cli/policy/index.js")).policy(a),
    audit: async (a) => (await import("./cli/audit.js")).audit(config, a),
  };
  const command = commands[name];
  if (!command) {
    process.stderr.write(`unknown command '${name}'\n${USAGE}`);
    return 2;
  }
  return command(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (e: unknown) => {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(78);
    }
    process.stderr.write(`sark: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
