import { buildApp } from "../app.js";
import { type Context, createContext } from "../context.js";
import type { Config } from "../platform/config/index.js";
import { closeConnectionsAfterResponse, stopAcceptingAndDrain } from "../platform/http/drain.js";

type BootstrappedAdmin = Awaited<ReturnType<Context["accounts"]["bootstrapAdmin"]>> | undefined;

/**
 * `sark serve`: migrate (outside production), bootstrap the admin, listen, and shut down
 * gracefully on SIGTERM/SIGINT: fail readiness, stop accepting, drain in-flight requests, flush
 * the audit buffer, close pools, exit 0. One process per pod: scale by replicas
 * (docs/OPERATIONS.md, "Scaling").
 */
export async function serve(config: Config): Promise<void> {
  const ctx = await createContext(config);
  const admin = await prepareDatabase(ctx);
  await listenAndServe(ctx);
  printBanner(ctx, admin);
}

/** The one-time steps before serving: migrations (outside production) and the bootstrap admin. */
async function prepareDatabase(ctx: Context): Promise<BootstrappedAdmin> {
  const { config, logger } = ctx;
  if (config.environment !== "production") {
    const applied = await ctx.migrator.up();
    if (applied.length > 0) logger.info({ applied }, "migrations applied");
  } else if (!(await ctx.migrator.isCurrent())) {
    logger.warn("migrations are pending; run `sark migrate up` (readiness stays 503 until then)");
  }
  return ctx.accounts.bootstrapAdmin().catch((e: unknown) => {
    logger.warn({ err: e }, "admin bootstrap skipped");
    return undefined;
  });
}

/** The startup lines on stdout (the generated admin password is shown only here, once). */
function printBanner(ctx: Pick<Context, "config" | "version">, admin: BootstrappedAdmin): void {
  const { config } = ctx;
  const url = `http://${config.http.host === "0.0.0.0" ? "localhost" : config.http.host}:${config.http.port}`;
  const storage = config.database.url ? "PostgreSQL" : `embedded PGlite (${config.database.dataDir})`;
  process.stdout.write(`SARK ${ctx.version} listening on ${url} (${config.environment}, ${storage})\n`);
  if (admin?.created) {
    process.stdout.write(`Created admin user '${admin.username}'.\n`);
    if (admin.generatedPassword) {
      process.stdout.write(`Generated admin password (shown once): ${admin.generatedPassword}\n`);
    }
  }
}

async function listenAndServe(ctx: Context): Promise<void> {
  const { config, logger } = ctx;
  const app = await buildApp(ctx);
  await app.listen({ host: config.http.host, port: config.http.port });
  await ctx.start();

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, "shutting down: readiness off, draining requests");
    ctx.lifecycle.draining = true;
    closeConnectionsAfterResponse(app.server);
    // Keep accepting and serving through the delay, so requests the load balancer still routes
    // here (while it notices readiness failing) are answered rather than refused.
    if (config.http.shutdownDelayMs > 0) await new Promise((r) => setTimeout(r, config.http.shutdownDelayMs));
    await stopAcceptingAndDrain(app.server, config.http.shutdownGraceMs, () =>
      logger.warn("grace period over; closing remaining connections"),
    );
    try {
      await app.close();
      await ctx.stop();
      logger.info("shutdown complete");
      process.exit(0);
    } catch (e) {
      logger.error({ err: e }, "shutdown failed");
      process.exit(1);
    }
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}
