import type { Context } from "../context.js";
import { isConnectionFailure } from "../platform/db/connection-errors.js";
import type { AppInstance, ComponentHealth, ComponentStatus } from "../platform/feature.js";

const PUBLIC = { config: { public: true }, schema: { tags: ["health"] } } as const;

/**
 * Kubernetes probes. Liveness never touches dependencies (a slow database must not get pods
 * killed); readiness does, and fails while draining so the load balancer stops sending traffic.
 */
export function healthRoutes(ctx: Context) {
  async function readiness(): Promise<{ ready: boolean; failing?: string; detail?: string }> {
    if (ctx.lifecycle.draining) return { ready: false, failing: "lifecycle", detail: "shutting down" };
    if (!ctx.lifecycle.started) return { ready: false, failing: "lifecycle", detail: "starting" };
    try {
      await ctx.database.ping();
    } catch {
      return { ready: false, failing: "database", detail: "database is not answering" };
    }
    // Redis is deliberately not checked here. It only caches: revocations are durable in the
    // database and every cache caller falls back when Redis fails fast (platform/cache.ts), so a
    // replica without Redis still answers correctly. Failing readiness on it would turn a cache
    // outage into a total one, since every replica shares the same Redis. /health/detailed shows it.
    try {
      if (!(await ctx.migrator.isCurrent()))
        return { ready: false, failing: "migrations", detail: "migrations pending" };
    } catch (e) {
      return { ready: false, failing: "migrations", detail: e instanceof Error ? e.message : "migration check failed" };
    }
    return { ready: true };
  }

  return (app: AppInstance) => {
    app.get("/health", PUBLIC, async () => ({
      status: "ok",
      version: ctx.version,
      environment: ctx.config.environment,
      timestamp: new Date(ctx.clock.now()).toISOString(),
    }));
    app.get("/health/live", PUBLIC, async () => ({ status: "alive" }));
    app.get("/health/startup", PUBLIC, async (_req, reply) =>
      ctx.lifecycle.started ? { status: "started" } : reply.status(503).send({ status: "starting" }),
    );
    const ready = async (_req: unknown, reply: { status(code: number): { send(body: unknown): unknown } }) => {
      const r = await readiness();
      if (r.ready) return { status: "ready" };
      return reply.status(503).send({ status: "not_ready", component: r.failing, reason: r.detail });
    };
    app.get("/health/ready", PUBLIC, ready);
    app.get("/ready", PUBLIC, ready);
    app.get("/health/detailed", PUBLIC, async () => detailed(ctx));
    app.get("/metrics", { config: { public: true }, schema: { hide: true } }, async (_req, reply) => {
      reply.header("content-type", ctx.metrics.registry.contentType);
      return ctx.metricsText();
    });
  };
}

async function detailed(ctx: Context) {
  const components: Record<string, ComponentHealth> = {};
  components.database = await probe(async () => ({ status: "healthy", latency_ms: round(await ctx.database.ping()) }));
  components.cache = await probe(async () => ({
    status: "healthy",
    backend: ctx.cache.kind,
    latency_ms: round(await ctx.cache.ping()),
  }));
  // Redis is a dependency of its own (revocations, shared caches): named so alerts can key on it.
  if (ctx.cache.kind === "redis") components.redis = components.cache;
  for (const f of ctx.features) {
    if (f.health) components[f.name] = await probe(() => f.health?.() ?? Promise.resolve({ status: "healthy" }));
  }
  const statuses = Object.values(components).map((c) => c.status);
  const status: ComponentStatus =
    components.database?.status === "unhealthy"
      ? "unhealthy"
      : statuses.some((s) => s !== "healthy")
        ? "degraded"
        : "healthy";
  return {
    status,
    version: ctx.version,
    environment: ctx.config.environment,
    uptime_s: Math.round((ctx.clock.now() - ctx.lifecycle.startedAt) / 1000),
    read_only: ctx.config.readOnly,
    draining: ctx.lifecycle.draining,
    components,
  };
}

async function probe(fn: () => Promise<ComponentHealth>): Promise<ComponentHealth> {
  try {
    return await fn();
  } catch (e) {
    // The endpoint is public: a driver's text (host names, addresses) is not shown, only its kind.
    const error = isConnectionFailure(e) ? "not reachable" : e instanceof Error ? e.message : String(e);
    return { status: "unhealthy", error };
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;
