import { resolve } from "node:path";
import { type Env, EnvReader } from "./parsers.js";

export interface DatabaseConfig {
  /** `undefined` selects the embedded PGlite database under `dataDir`. */
  readonly url: string | undefined;
  /** Embedded database files; the generated development JWT secret is kept here too. */
  readonly dataDir: string;
  /** Production refuses the embedded database unless this is set (single replica only). */
  readonly allowEmbeddedInProduction: boolean;
  readonly poolSize: number;
  readonly statementTimeoutMs: number;
  readonly ssl: "disable" | "require" | "verify-full";
  /** How long a request waits for a new connection before failing with 503 (never hangs). */
  readonly connectTimeoutMs: number;
  /** `application_name` of every connection: tells operators (and tests) whose backends they see. */
  readonly applicationName: string;
}

/** Reads DATABASE_URL (or builds it from POSTGRES_*), the data directory and the pool settings. */
export function readDatabaseConfig(env: Env, problems: string[]): DatabaseConfig {
  const r = new EnvReader(env, problems);
  return {
    dataDir: resolve(r.string("SARK_DATA_DIR", "./data")),
    allowEmbeddedInProduction: r.bool("SARK_ALLOW_EMBEDDED_IN_PRODUCTION", false),
    url: readDatabaseUrl(r),
    poolSize: r.int("DB_POOL_SIZE", 20, 1, 1000),
    statementTimeoutMs: r.int("DB_STATEMENT_TIMEOUT_MS", 30_000, 0, 3_600_000),
    ssl: r.oneOf("DB_SSL", ["disable", "require", "verify-full"] as const, "disable"),
    connectTimeoutMs: r.int("DB_CONNECT_TIMEOUT_MS", 5000, 100, 600_000),
    applicationName: r.string("DB_APPLICATION_NAME", "sark"),
  };
}

/** DATABASE_URL wins; POSTGRES_HOST and friends are the alternative, used only without it. */
function readDatabaseUrl(r: EnvReader): string | undefined {
  const url = r.url("DATABASE_URL", ["postgres:", "postgresql:"]);
  const host = r.optional("POSTGRES_HOST");
  if (url || !host) return url;
  const user = encodeURIComponent(r.string("POSTGRES_USER", "sark"));
  const password = r.optional("POSTGRES_PASSWORD");
  const auth = password ? `${user}:${encodeURIComponent(password)}` : user;
  const db = encodeURIComponent(r.string("POSTGRES_DB", "sark"));
  return `postgres://${auth}@${host}:${r.int("POSTGRES_PORT", 5432, 1, 65535)}/${db}`;
}
