import { createContext } from "../context.js";
import type { Config } from "../platform/config/index.js";
import { COMMAND_USAGE } from "./usage.js";

/** `sark migrate up | down [n|all] | status`. */
export async function migrate(config: Config, args: string[]): Promise<number> {
  const [command = "status", countArg] = args;
  const ctx = await createContext(config);
  try {
    if (command === "up") {
      const applied = await ctx.migrator.up();
      process.stdout.write(applied.length ? `applied: ${applied.join(", ")}\n` : "already up to date\n");
    } else if (command === "down") {
      const steps = countArg === undefined ? 1 : countArg === "all" ? Number.POSITIVE_INFINITY : Number(countArg);
      if (!Number.isInteger(steps) && steps !== Number.POSITIVE_INFINITY) {
        process.stderr.write(`sark migrate down: takes a count or 'all' (got '${countArg}')\n`);
        return 2;
      }
      const reverted = await ctx.migrator.down(steps);
      process.stdout.write(reverted.length ? `reverted: ${reverted.join(", ")}\n` : "nothing to revert\n");
    } else if (command === "status") {
      for (const s of await ctx.migrator.status()) {
        const state = s.checksumMismatch ? "CHANGED" : s.applied ? "applied" : "pending";
        process.stdout.write(
          `${String(s.version).padStart(4, "0")}_${s.name}\t${state}\t${s.appliedAt?.toISOString() ?? ""}\n`,
        );
      }
    } else {
      process.stderr.write(`sark migrate: unknown command '${command}'\n${COMMAND_USAGE.migrate}`);
      return 2;
    }
    return 0;
  } finally {
    await ctx.stop();
  }
}
