import pino from "pino";
import { type Context, createContext } from "../../src/context.js";
import { loadConfig } from "../../src/platform/config/index.js";

/** An in-process SARK context (no HTTP) on PGlite (in memory) or the given PostgreSQL database. */
export async function benchContext(env: Record<string, string>, databaseUrl?: string): Promise<Context> {
  const config = loadConfig({ LOG_LEVEL: "silent", ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), ...env });
  const ctx = await createContext(config, { logger: pino({ level: "silent" }), inMemoryDatabase: true });
  await ctx.migrator.up();
  await ctx.start();
  return ctx;
}

/** A typical audit event: a policy decision on a tool call with a few details. */
export function sampleEvent(i: number) {
  return {
    event_type: "tool.invoked",
    severity: "medium" as const,
    outcome: "success" as const,
    actor: {
      user_id: "0192f3e4-7b1c-7d2e-9f00-1234567890ab",
      username: "dana",
      auth_method: "password",
      ip: "10.0.0.7",
    },
    action: "tool:invoke",
    resource: { type: "tool", id: `github/create_pull_request`, name: "create_pull_request" },
    decision: { allow: true, policy: "sark.authz@3", cached: false, eval_us: 9 },
    request_id: `req-${i}`,
    details: { server: "github", arguments: { repo: "sark", title: `change ${i}` } },
  };
}
