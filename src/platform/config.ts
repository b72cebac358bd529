import { resolve } from "node:path";
import { type Env, EnvReader } from "./config-parsers.js";

export type Environment = "development" | "staging" | "production";

import type { Sensitivity } from "../core/sensitivity.js";

export interface DatabaseConfig {
  /** `undefined` selects the embedded PGlite database under `dataDir`. */
  readonly url: string | undefined;
  readonly poolSize: number;
  readonly statementTimeoutMs: number;
  readonly ssl: "disable" | "require" | "verify-full";
  /** How long a request waits for a new connection before failing with 503 (never hangs). */
  readonly connectTimeoutMs: number;
  /** `application_name` of every connection: tells operators (and tests) whose backends they see. */
  readonly applicationName: string;
}

/** Redis fails fast: a replica that cannot reach it answers from its fallbacks, not after a hang. */
export interface RedisConfig {
  readonly commandTimeoutMs: number;
  readonly connectTimeoutMs: number;
}

export interface JwtConfig {
  readonly algorithm: "HS256" | "RS256" | "ES256";
  /** HS256 secret; `undefined` in development means "generate one and keep it in the data dir". */
  readonly secret: string | undefined;
  readonly privateKeyPem: string | undefined;
  readonly publicKeyPem: string | undefined;
  readonly issuer: string;
  readonly audience: string;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
}

export interface PolicyConfig {
  readonly engine: "builtin" | "opa";
  readonly package: string;
  readonly opaUrl: string | undefined;
  readonly opaPolicyPath: string;
  readonly opaTimeoutMs: number;
  readonly evalTimeoutMs: number;
  readonly cacheEnabled: boolean;
  readonly cacheMaxEntries: number;
  readonly cacheTtlSeconds: Readonly<Record<Sensitivity, number>>;
  readonly reloadIntervalMs: number;
}

export interface AuditConfig {
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly bufferMax: number;
  readonly retentionDays: number;
  readonly compressAfterDays: number;
  readonly partitionsAheadDays: number;
  readonly maintenanceIntervalMs: number;
  /**
   * HMAC key that signs audit checkpoints and retention markers (AUDIT_CHECKPOINT_KEY). Required in
   * production; in development SARK derives one from the JWT secret (src/context.ts).
   */
  readonly checkpointKey: string | undefined;
}

export interface SiemConfig {
  readonly splunk:
    | { url: string; token: string; index: string; sourcetype: string; source: string; verifyTls: boolean }
    | undefined;
  readonly datadog: { apiKey: string; site: string; url: string; service: string; tags: string } | undefined;
  readonly webhook: { url: string; secret: string | undefined } | undefined;
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly maxBackoffMs: number;
  readonly circuitFailureThreshold: number;
  readonly circuitResetMs: number;
}

export interface Config {
  readonly environment: Environment;
  readonly debug: boolean;
  readonly logLevel: "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly allowEmbeddedInProduction: boolean;
  readonly database: DatabaseConfig;
  readonly redisUrl: string | undefined;
  readonly redis: RedisConfig;
  readonly jwt: JwtConfig;
  readonly corsOrigins: readonly string[];
  readonly readOnly: boolean;
  readonly shutdownGraceMs: number;
  /** After SIGTERM, keep serving (readiness 503, `Connection: close`) this long so load balancers drain. */
  readonly shutdownDelayMs: number;
  readonly trustProxy: boolean;
  readonly bodyLimitBytes: number;
  /** Deepest nesting of objects/arrays accepted in a request (body, query, params); deeper is a 400. */
  readonly maxJsonDepth: number;
  readonly requestTimeoutMs: number;
  /** How often a replica checks whether the registry changed elsewhere; 0 turns its read cache off. */
  readonly registryCacheRefreshMs: number;
  readonly admin: { readonly username: string; readonly password: string | undefined; readonly email: string };
  readonly policy: PolicyConfig;
  readonly audit: AuditConfig;
  readonly siem: SiemConfig;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

/** Example secrets from docs and templates that must never protect a production deployment. */
const KNOWN_EXAMPLE_SECRETS = new Set([
  "changeme",
  "change-me",
  "secret",
  "your-secret-key",
  "your-secret-key-here",
  "dev-secret-key-change-in-production",
  "development-secret-key-change-in-production-please",
  "change-this-to-a-long-random-secret-in-production!!",
]);

/** Words that make up placeholder secrets ("changeme-changeme-…", "your-jwt-secret-key-here"). */
const PLACEHOLDER_WORDS =
  /change|me|secret|password|passwd|example|default|placeholder|your|key|here|replace|insecure|sark|jwt|token|test|development|dev|production|prod|please|todo|xxx/g;

/**
 * Why a long HS256 secret is still guessable, or `undefined`. Length alone is not strength: 36 × `a`
 * or `changeme` four times pass a length check. The thresholds leave real random secrets alone:
 * 32 hex characters from a CSPRNG have fewer than 8 distinct characters with negligible probability
 * (none in 200,000 draws), whereas "fewer than 16" would refuse about a quarter of
 * `openssl rand -hex 32` outputs, which have only 16 possible characters.
 */
export function secretWeakness(secret: string): string | undefined {
  const distinct = new Set(secret).size;
  if (distinct < 8) return `it uses only ${distinct} distinct characters (at least 8 needed)`;
  for (let period = 1; period <= secret.length / 2; period++) {
    // The message names the period, never the characters: config errors are printed and logged.
    if (isPeriodic(secret, period)) return `it repeats a pattern of ${period} characters`;
  }
  const remainder = secret
    .toLowerCase()
    .replace(PLACEHOLDER_WORDS, "")
    .replace(/[^a-z0-9]/g, "");
  if (remainder.length < 16) return "it is made of placeholder words (change, secret, password, key, …)";
  return undefined;
}

/** True when every character equals the one `period` places before it. */
function isPeriodic(s: string, period: number): boolean {
  for (let i = period; i < s.length; i++) if (s[i] !== s[i - period]) return false;
  return true;
}

/**
 * Parses and validates the environment once. This is the only place that reads environment
 * variables; everything else receives the frozen result (or a slice of it).
 */
export function loadConfig(env: Env = process.env): Config {
  const r = new EnvReader(env);
  const environment = r.oneOf("ENVIRONMENT", ["development", "staging", "production"] as const, "development");
  const production = environment === "production";
  const config: Config = {
    environment,
    debug: r.bool("DEBUG", false),
    logLevel: r.oneOf("LOG_LEVEL", ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const, "info"),
    host: r.string("HOST", "0.0.0.0"),
    port: r.int("PORT", 8000, 0, 65535),
    dataDir: resolve(r.string("SARK_DATA_DIR", "./data")),
    allowEmbeddedInProduction: r.bool("SARK_ALLOW_EMBEDDED_IN_PRODUCTION", false),
    database: readDatabase(r),
    redisUrl: r.url("REDIS_URL", ["redis:", "rediss:"]),
    redis: {
      commandTimeoutMs: r.int("REDIS_COMMAND_TIMEOUT_MS", 500, 10, 60_000),
      connectTimeoutMs: r.int("REDIS_CONNECT_TIMEOUT_MS", 2000, 10, 60_000),
    },
    jwt: readJwt(r),
    corsOrigins: r.list("CORS_ORIGINS"),
    readOnly: r.bool("READ_ONLY_MODE", false),
    shutdownGraceMs: r.int("SHUTDOWN_GRACE_MS", 25_000, 0, 600_000),
    shutdownDelayMs: r.int("SHUTDOWN_DELAY_MS", production ? 5000 : 0, 0, 600_000),
    trustProxy: r.bool("TRUST_PROXY", false),
    bodyLimitBytes: r.int("BODY_LIMIT_BYTES", 1_048_576, 1024, 100 * 1_048_576),
    maxJsonDepth: r.int("MAX_JSON_DEPTH", 64, 8, 512),
    requestTimeoutMs: r.int("REQUEST_TIMEOUT_MS", 30_000, 100, 600_000),
    registryCacheRefreshMs: r.int("REGISTRY_CACHE_REFRESH_MS", 1000, 0, 60_000),
    admin: {
      username: r.string("SARK_ADMIN_USERNAME", "admin"),
      password: r.optional("SARK_ADMIN_PASSWORD"),
      email: r.string("SARK_ADMIN_EMAIL", "admin@localhost"),
    },
    policy: readPolicy(r),
    audit: readAudit(r),
    siem: readSiem(r),
  };
  if (production) checkProduction(config, r.problems);
  if (config.jwt.algorithm !== "HS256" && (!config.jwt.privateKeyPem || !config.jwt.publicKeyPem)) {
    r.problems.push(`JWT_ALGORITHM=${config.jwt.algorithm} needs JWT_PRIVATE_KEY and JWT_PUBLIC_KEY (PEM)`);
  }
  if (config.policy.engine === "opa" && !config.policy.opaUrl) r.problems.push("POLICY_ENGINE=opa needs OPA_URL");
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return deepFreeze(config);
}

/** A production signing secret: present, long enough, not a published example, not predictable. */
function checkProductionSecret(name: string, secret: string | undefined, purpose: string, problems: string[]): void {
  if (!secret) problems.push(`${name} is required in production (${purpose})`);
  else if (secret.length < 32) problems.push(`${name} must be at least 32 characters in production`);
  else if (KNOWN_EXAMPLE_SECRETS.has(secret.toLowerCase())) problems.push(`${name} is a published example value`);
  else {
    const weakness = secretWeakness(secret);
    if (weakness) problems.push(`${name} is too predictable for production: ${weakness}`);
  }
}

function checkProduction(c: Config, problems: string[]): void {
  if (c.jwt.algorithm === "HS256") checkProductionSecret("JWT_SECRET_KEY", c.jwt.secret, "it signs tokens", problems);
  checkProductionSecret("AUDIT_CHECKPOINT_KEY", c.audit.checkpointKey, "it signs audit checkpoints", problems);
  if (c.debug) problems.push("DEBUG=true is not allowed in production");
  if (!c.database.url && !c.allowEmbeddedInProduction) {
    problems.push(
      "production needs DATABASE_URL (PostgreSQL); set SARK_ALLOW_EMBEDDED_IN_PRODUCTION=true to run on the embedded database",
    );
  }
  if (c.database.url && !new URL(c.database.url).password) {
    problems.push("DATABASE_URL has no password; production databases must require credentials");
  }
}

function readDatabase(r: EnvReader): DatabaseConfig {
  let url = r.url("DATABASE_URL", ["postgres:", "postgresql:"]);
  const host = r.optional("POSTGRES_HOST");
  if (!url && host) {
    const user = encodeURIComponent(r.string("POSTGRES_USER", "sark"));
    const password = r.optional("POSTGRES_PASSWORD");
    const auth = password ? `${user}:${encodeURIComponent(password)}` : user;
    const db = encodeURIComponent(r.string("POSTGRES_DB", "sark"));
    url = `postgres://${auth}@${host}:${r.int("POSTGRES_PORT", 5432, 1, 65535)}/${db}`;
  }
  return {
    url,
    poolSize: r.int("DB_POOL_SIZE", 20, 1, 1000),
    statementTimeoutMs: r.int("DB_STATEMENT_TIMEOUT_MS", 30_000, 0, 3_600_000),
    ssl: r.oneOf("DB_SSL", ["disable", "require", "verify-full"] as const, "disable"),
    connectTimeoutMs: r.int("DB_CONNECT_TIMEOUT_MS", 5000, 100, 600_000),
    applicationName: r.string("DB_APPLICATION_NAME", "sark"),
  };
}

function readJwt(r: EnvReader): JwtConfig {
  const pem = (name: string) => r.optional(name)?.replace(/\\n/g, "\n");
  return {
    algorithm: r.raw("JWT_ALGORITHM")
      ? (r
          .oneOf("JWT_ALGORITHM", ["hs256", "rs256", "es256"] as const, "hs256")
          .toUpperCase() as JwtConfig["algorithm"])
      : "HS256",
    secret: r.optional("JWT_SECRET_KEY"),
    privateKeyPem: pem("JWT_PRIVATE_KEY"),
    publicKeyPem: pem("JWT_PUBLIC_KEY"),
    issuer: r.string("JWT_ISSUER", "sark"),
    audience: r.string("JWT_AUDIENCE", "sark-api"),
    accessTokenTtlSeconds: r.durationSeconds("ACCESS_TOKEN_TTL", 15 * 60),
    refreshTokenTtlSeconds: r.durationSeconds("REFRESH_TOKEN_TTL", 7 * 86400),
  };
}

function readPolicy(r: EnvReader): PolicyConfig {
  return {
    engine: r.oneOf("POLICY_ENGINE", ["builtin", "opa"] as const, "builtin"),
    package: r.string("POLICY_PACKAGE", "sark.authz"),
    opaUrl: r.url("OPA_URL", ["http:", "https:"]),
    opaPolicyPath: r.string("OPA_POLICY_PATH", "/v1/data/sark/authz"),
    opaTimeoutMs: r.int("OPA_TIMEOUT_MS", 1000, 1, 60_000),
    evalTimeoutMs: r.int("POLICY_EVAL_TIMEOUT_MS", 100, 1, 60_000),
    cacheEnabled: r.bool("POLICY_CACHE_ENABLED", true),
    cacheMaxEntries: r.int("POLICY_CACHE_MAX_ENTRIES", 10_000, 1, 10_000_000),
    cacheTtlSeconds: {
      low: r.int("POLICY_CACHE_TTL_LOW", 300, 0, 86_400),
      medium: r.int("POLICY_CACHE_TTL_MEDIUM", 180, 0, 86_400),
      high: r.int("POLICY_CACHE_TTL_HIGH", 60, 0, 86_400),
      critical: r.int("POLICY_CACHE_TTL_CRITICAL", 30, 0, 86_400),
    },
    reloadIntervalMs: r.int("POLICY_RELOAD_INTERVAL_MS", 2000, 100, 60_000),
  };
}

function readAudit(r: EnvReader): AuditConfig {
  return {
    batchSize: r.int("AUDIT_BATCH_SIZE", 500, 1, 10_000),
    flushIntervalMs: r.int("AUDIT_FLUSH_INTERVAL_MS", 200, 1, 60_000),
    bufferMax: r.int("AUDIT_BUFFER_MAX", 20_000, 1, 10_000_000),
    retentionDays: r.int("AUDIT_RETENTION_DAYS", 90, 1, 36_500),
    compressAfterDays: r.int("AUDIT_COMPRESS_AFTER_DAYS", 7, 1, 36_500),
    partitionsAheadDays: r.int("AUDIT_PARTITIONS_AHEAD_DAYS", 3, 3, 365),
    maintenanceIntervalMs: r.int("AUDIT_MAINTENANCE_INTERVAL_MS", 3_600_000, 1000, 86_400_000),
    checkpointKey: r.optional("AUDIT_CHECKPOINT_KEY"),
  };
}

function readSiem(r: EnvReader): SiemConfig {
  const splunkUrl = r.url("SPLUNK_HEC_URL", ["http:", "https:"]);
  const splunkToken = r.optional("SPLUNK_HEC_TOKEN");
  if (splunkUrl && !splunkToken) r.problems.push("SPLUNK_HEC_URL is set but SPLUNK_HEC_TOKEN is missing");
  const ddKey = r.optional("DATADOG_API_KEY");
  const ddSite = r.string("DATADOG_SITE", "datadoghq.com");
  const webhookUrl = r.url("SIEM_WEBHOOK_URL", ["http:", "https:"]);
  return {
    splunk:
      splunkUrl && splunkToken
        ? {
            url: splunkUrl,
            token: splunkToken,
            index: r.string("SPLUNK_INDEX", "sark_audit"),
            sourcetype: r.string("SPLUNK_SOURCETYPE", "sark:audit"),
            source: r.string("SPLUNK_SOURCE", "sark"),
            verifyTls: r.bool("SPLUNK_VERIFY_TLS", true),
          }
        : undefined,
    datadog: ddKey
      ? {
          apiKey: ddKey,
          site: ddSite,
          url: r.url("DATADOG_LOGS_URL", ["http:", "https:"]) ?? `https://http-intake.logs.${ddSite}/api/v2/logs`,
          service: r.string("DATADOG_SERVICE", "sark"),
          tags: r.string("DATADOG_TAGS", ""),
        }
      : undefined,
    webhook: webhookUrl ? { url: webhookUrl, secret: r.optional("SIEM_WEBHOOK_SECRET") } : undefined,
    batchSize: r.int("SIEM_BATCH_SIZE", 500, 1, 10_000),
    flushIntervalMs: r.int("SIEM_FLUSH_INTERVAL_MS", 1000, 10, 600_000),
    maxBackoffMs: r.int("SIEM_MAX_BACKOFF_MS", 30_000, 10, 3_600_000),
    circuitFailureThreshold: r.int("SIEM_CIRCUIT_FAILURE_THRESHOLD", 5, 1, 1000),
    circuitResetMs: r.int("SIEM_CIRCUIT_RESET_MS", 30_000, 10, 3_600_000),
  };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === "object" && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** Short environment label used in API key prefixes (`sark_dev_…`). */
export function environmentLabel(e: Environment): "dev" | "stg" | "prod" {
  return e === "production" ? "prod" : e === "staging" ? "stg" : "dev";
}
