import type { Cache } from "../platform/cache.js";
import type { Clock } from "../platform/clock.js";
import { isConnectionFailure } from "../platform/db/connection-errors.js";
import type { Database } from "../platform/db/database.js";
import type { Migrator } from "../platform/db/migrator.js";
import type { AppInstance, ComponentHealth, ComponentStatus, Feature } from "../platform/feature.js";
import type { Lifecycle } from "../platform/lifecycle.js";
import type { Metrics } from "../platform/metrics.js";

/** What the probes and `/health/detailed` look at: the process, its dependencies, the other features. */
export interface HealthDeps {
  version: string;
  environment: string;
  readOnly: boolean;
  clock: Clock;
  lifecycle: Lifecycle;
  database: Pick<Database, "ping">;
  cache: Pick<Cache, "kind" | "ping">;
  migrator: Pick<Migrator, "isCurrent">;
  metrics: Metrics;
  /** The `/metrics` exposition text. */
  metricsText(): Promise<string>;
  /** Features whose `health` feeds `/health/detailed`. */
  features: readonly Feature[];
}

const PUBLIC = { config: { public: true }, schema: { tags: ["health"] } } as const;
/** Probes: polled constantly by the kubelet and load balancers, so never rate limited. */
const PROBE = { config: { public: true, rateLimitExempt: true }, schema: { tags: ["health"] } } as const;

/**
 * Kubernetes probes. Liveness never touches dependencies (a slow database must not get pods
 * killed); readiness does, and fails while draining so the load balancer stops sending traffic.
 */
export function healthRoutes(deps: HealthDeps) {
  async function readiness(): Promise<{ ready: boolean; failing?: string; detail?: string }> {
    if (deps.lifecycle.draining) return { ready: false, failing: "lifecycle", detail: "shutting down" };
    if (!deps.lifecycle.started) return { ready: false, failing: "lifecycle", detail: "starting" };
    try {
      await deps.database.ping();
    } catch {
      return { ready: false, failing: "database", detail: "database is not answering" };
    }
    // Redis is deliberately not checked here. It only caches: revocations are durable in the
    // database and every cache caller falls back when Redis fails fast (platform/cache.ts), so a
    // replica without Redis still answers correctly. Failing readiness on it would turn a cache
    // outage into a total one, since every replica shares the same Redis. /health/detailed shows it.
    try {
      if (!(await deps.migrator.isCurrent()))
        return { ready: false, failing: "migrations", detail: "migrations pending" };
    } catch (e) {
      return { ready: false, failing: "migrations", detail: e instanceof Error ? e.message : "migration check failed" };
    }
    return { ready: true };
  }

  return (app: AppInstance) => {
    // "healthy" as the deployment guide's checks expect: this process answers (dependencies are
    // /ready's and /health/detailed's business).
    app.get("/health", PROBE, async () => ({
      status: "healthy",
      version: deps.version,
      environment: deps.environment,
      timestamp: new Date(deps.clock.now()).toISOString(),
    }));
    app.get("/health/live", PROBE, async () => ({ status: "alive" }));
    app.get("/health/startup", PROBE, async (_req, reply) =>
      deps.lifecycle.started ? { status: "started" } : reply.status(503).send({ status: "starting" }),
    );
    const ready = async (_req: unknown, reply: { status(code: number): { send(body: unknown): unknown } }) => {
      const r = await readiness();
      if (r.ready) return { status: "ready" };
      return reply.status(503).send({ status: "not_ready", component: r.failing, reason: r.detail });
    };
    app.get("/health/ready", PROBE, ready);
    app.get("/ready", PROBE, ready);
    app.get("/health/detailed", PUBLIC, async () => detailed(deps));
    app.get(
      "/metrics",
      { config: { public: true, rateLimitExempt: true }, schema: { hide: true } },
      async (_req, reply) => {
        reply.header("content-type", deps.metrics.registry.contentType);
        return deps.metricsText();
      },
    );
  };
}

async function detailed(deps: HealthDeps) {
  const components: Record<string, ComponentHealth> = {};
  components.database = await probe(async () => ({ status: "healthy", latency_ms: round(await deps.database.ping()) }));
  components.cache = await probe(async () => ({
    status: "healthy",
    backend: deps.cache.kind,
    latency_ms: round(await deps.cache.ping()),
  }));
  // Redis is a dependency of its own (revocations, shared caches): named so alerts can key on it.
  if (deps.cache.kind === "redis") components.redis = components.cache;
  for (const f of deps.features) {
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
    version: deps.version,
    environment: deps.environment,
    uptime_s: Math.round((deps.clock.now() - deps.lifecycle.startedAt) / 1000),
    read_only: deps.readOnly,
    draining: deps.lifecycle.draining,
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
