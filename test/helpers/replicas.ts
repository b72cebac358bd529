import pino from "pino";
import { buildApp } from "../../src/app.js";
import { type Context, createContext } from "../../src/context.js";
import type { Clock } from "../../src/platform/clock.js";
import type { Config } from "../../src/platform/config/index.js";
import type { AppInstance } from "../../src/platform/feature.js";

/** One replica: a started Context and its HTTP app (`inject` only, no listening socket). */
export interface Replica {
  ctx: Context;
  app: AppInstance;
}

/**
 * Starts `count` replicas on one PostgreSQL schema and one Redis key prefix, as several pods share
 * a database and a Redis. The first migrates and creates the admin. Give `config` a JWT secret, so
 * every replica accepts the others' tokens.
 */
export async function startReplicas(
  config: Config,
  count: number,
  options: { schema: string | undefined; prefix: string; clock?: Clock },
): Promise<Replica[]> {
  const replicas: Replica[] = [];
  for (let i = 0; i < count; i++) {
    const ctx = await createContext(config, {
      logger: pino({ level: "silent" }),
      ...(options.clock ? { clock: options.clock } : {}),
      inMemoryDatabase: true,
      databaseSchema: options.schema,
      cachePrefix: options.prefix,
    });
    if (i === 0) {
      await ctx.migrator.up();
      await ctx.accounts.bootstrapAdmin();
    }
    const app = await buildApp(ctx);
    await app.ready();
    await ctx.start();
    replicas.push({ ctx, app });
  }
  return replicas;
}

export async function stopReplicas(replicas: readonly Replica[]): Promise<void> {
  for (const r of replicas) {
    await r.app.close();
    await r.ctx.stop();
  }
}
