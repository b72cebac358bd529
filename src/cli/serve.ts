import { buildApp } from "../app.js";
import { createContext } from "../context.js";
import type { Config } from "../platform/config.js";

/**
 * `sark serve`: migrate (outside production), bootstrap the admin, listen, and shut down
 * gracefully on SIGTERM/SIGINT: fail readiness, stop accepting, drain in-flight requests, flush
 * the audit buffer, close pools, exit 0.
 */
export async function serve(config: Config): Promise<void> {
  const ctx = await createContext(config);
  const { logger } = ctx;
  if (config.environment !== "production") {
    const applied = await ctx.migrator.up();
    if (applied.length > 0) logger.info({ applied }, "migrations applied");
  } else if (!(await ctx.migrator.isCurrent())) {
    logger.warn("migrations are pending; run `sark migrate up` (readiness stays 503 until then)");
  }
  const admin = await ctx.bootstrapAdmin().catch((e: unknown) => {
    logger.warn({ err: e }, "admin bootstrap skipped");
    return undefined;
  });
  const app = await buildApp(ctx);
  await app.listen({ host: config.host, port: config.port });
  await ctx.start();

  const url = `http://${config.host === "0.0.0.0" ? "localhost" : config.host}:${config.port}`;
  const storage = config.database.url ? "PostgreSQL" : `embedded PGlite (${config.dataDir})`;
  process.stdout.write(`SARK ${ctx.version} listening on ${url} (${config.environment}, ${storage})\n`);
  if (admin?.created) {
    process.stdout.write(`Created admin user '${admin.username}'.\n`);
    if (admin.generatedPassword) {
      process.stdout.write(`Generated admin password (shown once): ${admin.generatedPassword}\n`);
    }
  }

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, "shutting down: readiness off, draining requests");
    ctx.lifecycle.draining = true;
    if (config.shutdownDelayMs > 0) await new Promise((r) => setTimeout(r, config.shutdownDelayMs));
    const force = setTimeout(() => {
      logger.warn("grace period over; closing remaining connections");
      app.server.closeAllConnections();
    }, config.shutdownGraceMs);
    force.unref();
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
