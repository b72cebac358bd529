import type { Environment } from "./environment.js";
import { type Env, EnvReader } from "./parsers.js";

/** The HTTP server: where it listens, what it accepts, and how it drains on shutdown. */
export interface HttpConfig {
  readonly host: string;
  readonly port: number;
  readonly corsOrigins: readonly string[];
  readonly trustProxy: boolean;
  readonly bodyLimitBytes: number;
  /** Deepest nesting of objects/arrays accepted in a request (body, query, params); deeper is a 400. */
  readonly maxJsonDepth: number;
  readonly requestTimeoutMs: number;
  readonly readOnly: boolean;
  readonly shutdownGraceMs: number;
  /** After SIGTERM, keep serving (readiness 503, `Connection: close`) this long so load balancers drain. */
  readonly shutdownDelayMs: number;
}

/**
 * Reads the listener, request limits, read-only mode and shutdown timings. `environment` sets the
 * default shutdown delay: production pods sit behind a load balancer that needs time to route away.
 */
export function readHttpConfig(env: Env, problems: string[], environment: Environment): HttpConfig {
  const r = new EnvReader(env, problems);
  return {
    host: r.string("HOST", "0.0.0.0"),
    port: r.int("PORT", 8000, 0, 65535),
    corsOrigins: r.list("CORS_ORIGINS"),
    trustProxy: r.bool("TRUST_PROXY", false),
    bodyLimitBytes: r.int("BODY_LIMIT_BYTES", 1_048_576, 1024, 100 * 1_048_576),
    maxJsonDepth: r.int("MAX_JSON_DEPTH", 64, 8, 512),
    requestTimeoutMs: r.int("REQUEST_TIMEOUT_MS", 30_000, 100, 600_000),
    readOnly: r.bool("READ_ONLY_MODE", false),
    shutdownGraceMs: r.int("SHUTDOWN_GRACE_MS", 25_000, 0, 600_000),
    shutdownDelayMs: r.int("SHUTDOWN_DELAY_MS", environment === "production" ? 5000 : 0, 0, 600_000),
  };
}
