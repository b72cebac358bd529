import { type AdminConfig, readAdminConfig } from "./admin.js";
import { type AuditConfig, readAuditConfig } from "./audit.js";
import { type DatabaseConfig, readDatabaseConfig } from "./database.js";
import { type EnvironmentConfig, readEnvironmentConfig } from "./environment.js";
import { type HttpConfig, readHttpConfig } from "./http.js";
import { type JwtConfig, readJwtConfig } from "./jwt.js";
import { type LoggingConfig, readLoggingConfig } from "./logging.js";
import type { Env } from "./parsers.js";
import { type PolicyConfig, readPolicyConfig } from "./policy.js";
import {
  type LoginProtectionConfig,
  type RateLimitConfig,
  readLoginProtectionConfig,
  readRateLimitConfig,
} from "./rate-limit.js";
import { type RedisConfig, readRedisConfig } from "./redis.js";
import { type RegistryConfig, readRegistryConfig } from "./registry.js";
import { checkProductionSecret } from "./secrets.js";
import { readSiemConfig, type SiemConfig } from "./siem.js";

/**
 * The whole configuration: the deployment mode (`environment`, `debug`) at the top, then one section
 * per feature, each read by its own file in this folder. Features receive only their section.
 */
export interface Config extends EnvironmentConfig {
  readonly logging: LoggingConfig;
  readonly http: HttpConfig;
  readonly database: DatabaseConfig;
  readonly redis: RedisConfig;
  readonly jwt: JwtConfig;
  readonly admin: AdminConfig;
  readonly registry: RegistryConfig;
  readonly policy: PolicyConfig;
  readonly audit: AuditConfig;
  readonly siem: SiemConfig;
  readonly rateLimit: RateLimitConfig;
  readonly loginProtection: LoginProtectionConfig;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

/**
 * Parses and validates the environment once. This is the only place that reads environment
 * variables; everything else receives the frozen result (or a slice of it). Every section records
 * its problems in one list, so a single error names every invalid variable.
 */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const mode = readEnvironmentConfig(env, problems);
  const config: Config = {
    ...mode,
    logging: readLoggingConfig(env, problems),
    http: readHttpConfig(env, problems, mode.environment),
    database: readDatabaseConfig(env, problems),
    redis: readRedisConfig(env, problems),
    jwt: readJwtConfig(env, problems),
    admin: readAdminConfig(env, problems),
    registry: readRegistryConfig(env, problems),
    policy: readPolicyConfig(env, problems),
    audit: readAuditConfig(env, problems),
    siem: readSiemConfig(env, problems),
    rateLimit: readRateLimitConfig(env, problems),
    loginProtection: readLoginProtectionConfig(env, problems),
  };
  if (config.environment === "production") checkProduction(config, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

/** Rules that span sections: production refuses weak secrets, debug mode and unguarded databases. */
function checkProduction(c: Config, problems: string[]): void {
  if (c.jwt.algorithm === "HS256") checkProductionSecret("JWT_SECRET_KEY", c.jwt.secret, "it signs tokens", problems);
  checkProductionSecret("AUDIT_CHECKPOINT_KEY", c.audit.checkpointKey, "it signs audit checkpoints", problems);
  if (c.debug) problems.push("DEBUG=true is not allowed in production");
  if (!c.database.url && !c.database.allowEmbeddedInProduction) {
    problems.push(
      "production needs DATABASE_URL (PostgreSQL); set SARK_ALLOW_EMBEDDED_IN_PRODUCTION=true to run on the embedded database",
    );
  }
  if (c.database.url && !new URL(c.database.url).password) {
    problems.push("DATABASE_URL has no password; production databases must require credentials");
  }
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === "object" && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
