import { parseArgs } from "node:util";
import { createContext } from "../context.js";
import type { Config } from "../platform/config/index.js";
import { COMMAND_USAGE } from "./usage.js";

const USAGE = COMMAND_USAGE.audit;

function parseDate(value: string | undefined, flag: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new RangeError(`${flag} is not a date: '${value}'`);
  return d;
}

/**
 * `sark audit verify`: recomputes the hash chain and reports the first broken link (exit 1).
 * `sark audit maintain`: one partition-maintenance run (cron, or after a long outage).
 */
export async function audit(config: Config, args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command !== "verify" && command !== "maintain") {
    process.stderr.write(USAGE);
    return 2;
  }
  let from: Date | undefined;
  let to: Date | undefined;
  try {
    const { values } = parseArgs({ args: rest, options: { from: { type: "string" }, to: { type: "string" } } });
    from = parseDate(values.from, "--from");
    to = parseDate(values.to, "--to");
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  const ctx = await createContext(config);
  try {
    if (command === "maintain") {
      const r = await ctx.auditAdmin.runMaintenance();
      if (!r.ran) process.stdout.write("another replica holds the maintenance lock; nothing done\n");
      else process.stdout.write(`${r.storage}: created ${r.created.length}, dropped ${r.dropped.length}\n`);
      return 0;
    }
    const result = await ctx.auditAdmin.verify({ from, to });
    if (result.ok) {
      const span = result.checked > 0 ? ` (seq ${result.first_seq}..${result.last_seq})` : "";
      const anchor = result.anchored_after_retention ? "; chain starts after signed retention markers" : "";
      const checkpoints = `; ${result.checkpoints_verified} checkpoints matched`;
      process.stdout.write(`ok: ${result.checked} events verified${span}${checkpoints}${anchor}\n`);
      return 0;
    }
    const b = result.broken;
    const what = b?.id ? `event ${b.id} (seq ${b.seq}, ${b.timestamp})` : `seq ${b?.seq}`;
    process.stdout.write(
      `BROKEN: ${what}: ${b?.problem}; expected ${b?.expected}, found ${b?.actual}\n` +
        `${Math.max(result.checked - 1, 0)} events before it verified\n`,
    );
    return 1;
  } finally {
    await ctx.stop();
  }
}
