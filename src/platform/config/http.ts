import { isIP } from "node:net";
import type { Environment } from "./environment.js";
import { type Env, EnvReader } from "./parsers.js";

export type TrustProxy = boolean | number | readonly string[];

/** The HTTP server: where it listens, what it accepts, and how it drains on shutdown. */
export interface HttpConfig {
  readonly host: string;
  readonly port: number;
  readonly corsOrigins: readonly string[];
  /**
   * Whose `X-Forwarded-For` to believe: `false` (the socket address is the client), a number of
   * proxy hops in front of SARK, or the proxies' addresses/CIDRs. `true` trusts any sender.
   */
  readonly trustProxy: TrustProxy;
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
    trustProxy: readTrustProxy(r),
    bodyLimitBytes: r.int("BODY_LIMIT_BYTES", 1_048_576, 1024, 100 * 1_048_576),
    maxJsonDepth: r.int("MAX_JSON_DEPTH", 64, 8, 512),
    requestTimeoutMs: r.int("REQUEST_TIMEOUT_MS", 30_000, 100, 600_000),
    readOnly: r.bool("READ_ONLY_MODE", false),
    shutdownGraceMs: r.int("SHUTDOWN_GRACE_MS", 25_000, 0, 600_000),
    shutdownDelayMs: r.int("SHUTDOWN_DELAY_MS", environment === "production" ? 5000 : 0, 0, 600_000),
  };
}

/**
 * TRUST_PROXY: `true`/`false`, a hop count (`1` behind one ingress: the client is the address that
 * ingress appended, whatever the client put in the header), or a comma-separated list of proxy
 * addresses or CIDRs. A hop count or list keeps clients from choosing their own address.
 */
function readTrustProxy(r: EnvReader): TrustProxy {
  const raw = r.raw("TRUST_PROXY");
  if (raw === undefined) return false;
  if (/^\d+$/.test(raw)) return r.int("TRUST_PROXY", 0, 0, 32);
  if (/^[a-z]+$/i.test(raw)) return r.bool("TRUST_PROXY", false);
  const entries = r.list("TRUST_PROXY");
  const invalid = entries.filter((e) => !isAddressOrCidr(e));
  if (invalid.length > 0) {
    r.problems.push(
      `TRUST_PROXY must be true, false, a hop count or proxy addresses/CIDRs (not '${invalid.join("', '")}')`,
    );
    return false;
  }
  return entries;
}

function isAddressOrCidr(entry: string): boolean {
  const [address = "", prefix, extra] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d+$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}
