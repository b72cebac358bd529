/**
 * The help text of every command, in one module that imports nothing: `sark <command> --help`
 * prints it without loading the command (and its database drivers) or a valid configuration.
 */
export const COMMAND_USAGE = {
  serve: `usage: sark serve
  Start the API, the MCP gateway, the probes and /metrics on HOST:PORT (default 0.0.0.0:8000).
  Outside production it applies pending migrations first. Configuration comes from the
  environment (docs/CONFIGURATION.md). SIGTERM/SIGINT drain in-flight requests and exit 0.
`,
  migrate: `usage: sark migrate <command>
  up              apply every pending migration
  down [n|all]    revert the last n migrations (default 1), or all of them
  status          list migrations: applied / pending / CHANGED (the default command)
`,
  admin: `usage: sark admin create-user --username U --password P [--role R]... [--email E]
  Create a local user. Roles: admin, security_admin, developer, analyst, viewer (default viewer);
  repeat --role for several. The password needs at least 12 characters.
`,
  policy: `usage: sark policy <command>
  test [path...]                          run test_* rules (and YAML suites) under the paths (default: policies/)
  eval --data DIR|FILE [--input FILE] Q   evaluate query Q (e.g. data.sark.authz.allow); prints JSON
  check FILE|DIR...                       compile only; prints file:line:col diagnostics
`,
  audit: `usage: sark audit <command>
  verify [--from RFC3339] [--to RFC3339]  recompute the audit hash chain; exit 1 at the first broken link
  maintain                                run partition maintenance once (create ahead, drop expired)
`,
  version: `usage: sark version
  Print the version.
`,
} as const;

export type CommandName = keyof typeof COMMAND_USAGE;

export const isCommandName = (name: string): name is CommandName => Object.hasOwn(COMMAND_USAGE, name);

/** `sark`, `sark help`, `sark --help`. */
export const USAGE = `usage: sark <command> [options]
  serve                          start the API, MCP gateway, probes and metrics
  migrate up|down [n|all]|status manage the database schema
  admin create-user ...          create a local user
  policy test|eval|check ...     test, evaluate and compile Rego policies (no server needed)
  audit verify|maintain          check the audit hash chain / run partition maintenance
  version                        print the version

Run 'sark <command> --help' for a command's options.
`;
