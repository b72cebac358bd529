import { parseArgs } from "node:util";
import { createContext } from "../context.js";
import type { Config } from "../platform/config/index.js";
import { COMMAND_USAGE } from "./usage.js";

/** `sark admin create-user --username U --password P --role R [--role R2] [--email E]`. */
export async function admin(config: Config, args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command !== "create-user") {
    process.stderr.write(COMMAND_USAGE.admin);
    return 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      username: { type: "string" },
      password: { type: "string" },
      role: { type: "string", multiple: true },
      email: { type: "string" },
    },
  });
  if (!values.username || !values.password) {
    process.stderr.write(`sark admin create-user: --username and --password are required\n${COMMAND_USAGE.admin}`);
    return 2;
  }
  const ctx = await createContext(config);
  try {
    if (config.environment !== "production") await ctx.migrator.up();
    const user = await ctx.accounts.createUser({
      username: values.username,
      password: values.password,
      roles: values.role ?? ["viewer"],
      ...(values.email ? { email: values.email } : {}),
    });
    process.stdout.write(`created user ${values.username} (${user.id})\n`);
    return 0;
  } finally {
    await ctx.stop();
  }
}
