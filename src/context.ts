import { createHmac, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyRequest } from "fastify";
import { type AuditModule, createAudit } from "./audit/index.js";
import { type AuthModule, createAuth } from "./auth/index.js";
import type { AuditRecorder } from "./core/audit.js";
import type { Authorizer } from "./core/authorizer.js";
import type { CallerIdentity } from "./core/caller.js";
import { createHealth } from "./health/index.js";
import { type Cache, createMemoryCache, createRedisCache } from "./platform/cache.js";
import { type Clock, systemClock } from "./platform/clock.js";
import type { Config } from "./platform/config/index.js";
import { type Database, openDatabase } from "./platform/db/database.js";
import { createMigrator, type Migrator, readMigrations } from "./platform/db/migrator.js";
import type { Feature } from "./platform/feature.js";
import type { PipelineStep } from "./platform/http/pipeline.js";
import { createLifecycle, type Lifecycle } from "./platform/lifecycle.js";
import { createLogger, type Logger } from "./platform/logger.js";
import { createMetrics, type Metrics } from "./platform/metrics.js";
import { packageRoot } from "./platform/paths.js";
import { VERSION } from "./platform/version.js";
import { createPolicy } from "./policy/index.js";
import { createRateLimit } from "./ratelimit/index.js";
import { createRegistry } from "./registry/index.js";
import type { RegistryService } from "./registry/registry-services.js";
import { createSiem } from "./siem/index.js";

export interface Context {
  readonly version: string;
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly metrics: Metrics;
  /** The `/metrics` text: this process's registry. */
  metricsText(): Promise<string>;
  readonly database: Database;
  readonly cache: Cache;
  readonly migrator: Migrator;
  readonly lifecycle: Lifecycle;
  readonly audit: AuditRecorder;
  /** Chain verification, checkpoints, maintenance and flushing (the `sark audit` CLI, shutdown, tests). */
  readonly auditAdmin: Pick<AuditModule, "verify" | "checkpoint" | "runMaintenance" | "flush">;
  readonly authorizer: Authorizer;
  /** The request pipeline's authenticate step: the request's credential → who is calling (or a 401). */
  authenticate(request: FastifyRequest): Promise<CallerIdentity>;
  /** The request pipeline's rate-limit step; `undefined` with RATE_LIMIT_ENABLED=false. */
  readonly rateLimitStep: PipelineStep | undefined;
  /** Account operations the CLI and first start need (see README). */
  readonly accounts: Pick<AuthModule, "bootstrapAdmin" | "createUser">;
  /** The registry's services, for what builds on the registry (the MCP gateway). */
  readonly registry: RegistryService;
  readonly features: readonly Feature[];
  /** Starts background work (audit flushing, SIEM forwarding, maintenance). */
  start(): Promise<void>;
  /** Stops background work in reverse order, flushes, closes pools. Idempotent. */
  stop(): Promise<void>;
}

export interface ContextOptions {
  logger?: Logger;
  clock?: Clock;
  /** Keep PGlite in memory instead of under the data dir (tests). */
  inMemoryDatabase?: boolean;
  /** With `inMemoryDatabase`: start from this PGlite snapshot (tests: an already migrated database). */
  pgliteSnapshot?: Blob;
  /** PostgreSQL schema for this context (tests isolate parallel files). */
  databaseSchema?: string;
  /** Redis key prefix (tests isolate runs). */
  cachePrefix?: string;
}

/**
 * Picks and wires the backends from Config. This is the only place that knows which
 * implementation backs each seam; features receive exactly the deps they use.
 */
export async function createContext(config: Config, options: ContextOptions = {}): Promise<Context> {
  const logger = options.logger ?? createLogger(config);
  const clock = options.clock ?? systemClock;
  const metrics = createMetrics();
  const database = await openDatabase({
    config: config.database,
    dataDir: options.inMemoryDatabase ? undefined : config.database.dataDir,
    metrics,
    schema: options.databaseSchema,
    ...(options.pgliteSnapshot ? { pgliteSnapshot: options.pgliteSnapshot } : {}),
  });
  metrics.observeDbPool(() => database.poolStats());
  const metricsText = () => metrics.registry.metrics();
  const cache = config.redis.url
    ? createRedisCache(config.redis.url, options.cachePrefix, config.redis)
    : createMemoryCache();
  const migrator = createMigrator(database, readMigrations(join(packageRoot(), "migrations")));
  const lifecycle = createLifecycle(clock.now());
  const jwtSecret = resolveJwtSecret(config, options.inMemoryDatabase === true);

  const audit = createAudit({
    config: config.audit,
    database,
    logger,
    metrics,
    clock,
    checkpointKey: config.audit.checkpointKey ?? deriveAuditKey(jwtSecret),
  });
  const policy = createPolicy({
    config: config.policy,
    environment: config.environment,
    database,
    cache,
    audit: audit.recorder,
    logger,
    metrics,
    clock,
  });
  const deps = { database, cache, audit: audit.recorder, authorizer: policy.authorizer, logger, metrics, clock };
  const auth = createAuth({ ...deps, config, jwtSecret });
  const registry = createRegistry({ ...deps, cacheRefreshMs: config.registry.cacheRefreshMs });
  const siem = createSiem({ ...deps, config });
  const rateLimit = createRateLimit({ ...deps, config: config.rateLimit });

  const features: Feature[] = [
    audit.feature(policy.authorizer),
    policy.feature({ users: auth.userLookup, servers: registry.serverLookup }),
    auth.feature,
    registry.feature,
    siem.feature,
    rateLimit.feature,
  ];
  const health = createHealth({
    version: VERSION,
    environment: config.environment,
    readOnly: config.http.readOnly,
    clock,
    lifecycle,
    database,
    cache,
    migrator,
    metrics,
    metricsText,
    features,
  });
  let stopped = false;
  const ctx: Context = {
    version: VERSION,
    config,
    logger,
    clock,
    metrics,
    metricsText,
    database,
    cache,
    migrator,
    lifecycle,
    audit: audit.recorder,
    auditAdmin: audit,
    authorizer: policy.authorizer,
    registry: registry.service,
    authenticate: (request) => auth.authenticate(request),
    rateLimitStep: rateLimit.step,
    accounts: auth,
    features: [health, ...features],
    async start() {
      for (const f of features) await f.start?.();
      lifecycle.started = true;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      lifecycle.draining = true;
      for (const f of [...features].reverse()) {
        await f.stop?.().catch((e: unknown) => logger.error({ err: e, feature: f.name }, "feature stop failed"));
      }
      await cache.close();
      await database.close();
    },
  };
  return ctx;
}

/**
 * HS256 needs a secret. Production requires one (config validation); in development SARK
 * generates one and keeps it in the data dir so tokens survive restarts.
 */
function resolveJwtSecret(config: Config, ephemeral: boolean): string {
  if (config.jwt.secret) return config.jwt.secret;
  if (ephemeral) return randomBytes(32).toString("base64url");
  const file = join(config.database.dataDir, "jwt-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(config.database.dataDir, { recursive: true });
  const secret = randomBytes(48).toString("base64url");
  writeFileSync(file, secret, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

/**
 * Development only (production requires AUDIT_CHECKPOINT_KEY): a key derived from the JWT secret,
 * so every replica sharing that secret signs and verifies alike and it survives restarts.
 */
function deriveAuditKey(jwtSecret: string): string {
  return createHmac("sha256", jwtSecret).update("sark-audit-checkpoint-key").digest("base64url");
}
