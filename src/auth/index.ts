import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { AuditRecorder } from "../core/audit.js";
import type { Authorizer } from "../core/authorizer.js";
import type { CallerIdentity } from "../core/caller.js";
import type { UserLookup } from "../core/lookups.js";
import type { Cache } from "../platform/cache.js";
import type { Clock } from "../platform/clock.js";
import { environmentLabel } from "../platform/config/environment.js";
import type { Config } from "../platform/config/index.js";
import type { Database } from "../platform/db/database.js";
import type { Feature } from "../platform/feature.js";
import type { Logger } from "../platform/logger.js";
import type { Metrics } from "../platform/metrics.js";
import { randomBase62 } from "./api-keys/format.js";
import { apiKeysRoutes } from "./api-keys/routes.js";
import { createApiKeysService } from "./api-keys/service.js";
import { createApiKeyUsage } from "./api-keys/usage.js";
import { API_KEY_CACHE_TTL_MS, createAuthenticator } from "./authenticate.js";
import { createLoginProtection } from "./login-protection/protection.js";
import { createLocalProvider } from "./providers/local/local-provider.js";
import { deleteExpiredRevocations } from "./revocations/repository.js";
import { createRevocations } from "./revocations/revocations.js";
import { type AuthTables, isUniqueViolation } from "./tables.js";
import { deleteExpiredRefreshTokens } from "./tokens/refresh-repository.js";
import { authRoutes } from "./tokens/session-routes.js";
import { createSessionService } from "./tokens/sessions.js";
import { createTokenService } from "./tokens/token-service.js";
import { dummyPasswordHash } from "./users/passwords.js";
import { countUsers } from "./users/repository.js";
import { usersRoutes } from "./users/routes.js";
import { createUsersService, type UsersService } from "./users/service.js";
import { createUserLookup } from "./users/user-lookup.js";

export interface AuthDeps {
  config: Pick<Config, "jwt" | "admin" | "environment" | "loginProtection">;
  /** The resolved HS256 secret (from config, or generated for development). */
  jwtSecret: string;
  database: Database;
  cache: Cache;
  audit: AuditRecorder;
  authorizer: Authorizer;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
}

export interface AuthModule {
  /** Resolves the request's credential (Bearer JWT or X-API-Key) to who is calling; rejects with 401 otherwise. */
  authenticate(request: FastifyRequest): Promise<CallerIdentity>;
  /** First start: create the admin when no user exists. Returns the generated password, if any. */
  bootstrapAdmin(): Promise<{ created: boolean; username: string; generatedPassword?: string }>;
  createUser(input: { username: string; password: string; roles: string[]; email?: string }): Promise<{ id: string }>;
  /** Stored users as policy inputs, for other features (the policy evaluate API's "on behalf of"). */
  userLookup: UserLookup;
  feature: Feature;
}

const USAGE_FLUSH_MS = 10_000;
const REFRESH_CLEANUP_MS = 3_600_000;

/** Local identity: users, JWT sessions with rotating refresh tokens, API keys. */
export function createAuth(deps: AuthDeps): AuthModule {
  const { config, database, audit, authorizer, clock, logger } = deps;
  const db: Kysely<AuthTables> = database.db.withTables<AuthTables>();
  const envLabel = environmentLabel(config.environment);
  const logins = deps.metrics.counter({
    name: "sark_auth_logins_total",
    help: "Password logins by result (success, failure, throttled: refused unchecked during a backoff or lockout)",
    labelNames: ["result"],
  });
  const apiKeyResults = deps.metrics.counter({
    name: "sark_auth_api_key_total",
    help: "API-key authentications by result (success, malformed, invalid, revoked, expired, inactive_user)",
    labelNames: ["result"],
  });

  const revocations = createRevocations({
    db,
    cache: deps.cache,
    clock,
    logger,
    markerTtlSeconds: Math.max(config.jwt.accessTokenTtlSeconds, API_KEY_CACHE_TTL_MS / 1000) + 60,
  });
  const tokens = createTokenService({ config: config.jwt, secret: deps.jwtSecret, clock });
  const usage = createApiKeyUsage({ db, logger });
  const authenticator = createAuthenticator({ db, tokens, revocations, usage, clock, envLabel, apiKeyResults });
  const loginProtection = createLoginProtection({ db, audit, clock, config: config.loginProtection });
  const users = createUsersService({ db, audit, clock, revocations, loginProtection });
  const passwords = createLocalProvider(db);
  const sessions = createSessionService({
    db,
    audit,
    clock,
    tokens,
    passwords,
    protection: loginProtection,
    revocations,
    jwt: config.jwt,
    logins,
  });
  const apiKeys = createApiKeysService({
    db,
    audit,
    authorizer,
    clock,
    envLabel,
    usage,
    async invalidate(id) {
      authenticator.forgetApiKey(id);
      await revocations.markApiKeyChanged(id);
    },
  });
  let cleanup: NodeJS.Timeout | undefined;

  return {
    authenticate: (request) => authenticator.authenticate(request),
    bootstrapAdmin: () => bootstrapAdmin(db, users, config),
    createUser: async (input) => ({ id: (await users.create(input)).id }),
    userLookup: createUserLookup(db),
    feature: {
      name: "auth",
      routes: async (app) => {
        authRoutes(sessions)(app);
        usersRoutes(users, authorizer)(app);
        apiKeysRoutes(apiKeys)(app);
      },
      async start() {
        // Computed up front so the first unknown-user login costs what every other login costs.
        await dummyPasswordHash();
        usage.start(USAGE_FLUSH_MS);
        await revocations.start();
        const housekeeping = () => {
          const now = new Date(clock.now());
          deleteExpiredRefreshTokens(db, now).catch((e: unknown) =>
            logger.warn({ err: e }, "expired refresh token cleanup failed"),
          );
          deleteExpiredRevocations(db, now).catch((e: unknown) =>
            logger.warn({ err: e }, "expired revocation cleanup failed"),
          );
          loginProtection
            .deleteExpired()
            .catch((e: unknown) => logger.warn({ err: e }, "expired login throttle cleanup failed"));
        };
        // Once at start as well: processes restarted more often than hourly would never clean up.
        if (!cleanup) housekeeping();
        cleanup ??= setInterval(housekeeping, REFRESH_CLEANUP_MS);
        cleanup.unref();
      },
      async stop() {
        if (cleanup) clearInterval(cleanup);
        cleanup = undefined;
        revocations.stop();
        await usage.stop();
      },
    },
  };
}

/**
 * Creates the admin on an empty database. The password comes from SARK_ADMIN_PASSWORD (and must
 * meet the password rules) or is generated and returned once for `sark serve` to print.
 * Replicas racing on first start are fine: the unique username index lets exactly one win.
 */
async function bootstrapAdmin(
  db: Kysely<AuthTables>,
  users: UsersService,
  config: Pick<Config, "admin">,
): Promise<{ created: boolean; username: string; generatedPassword?: string }> {
  const { username, email } = config.admin;
  if ((await countUsers(db)) > 0) return { created: false, username };
  const generatedPassword = config.admin.password ? undefined : randomBase62(24);
  const password = config.admin.password ?? generatedPassword ?? "";
  try {
    await users.create({ username, password, email, full_name: "Administrator", roles: ["admin"] });
  } catch (e) {
    if (isUniqueViolation(e)) return { created: false, username };
    throw e;
  }
  return { created: true, username, ...(generatedPassword ? { generatedPassword } : {}) };
}
