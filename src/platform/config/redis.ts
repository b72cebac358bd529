import { type Env, EnvReader } from "./parsers.js";

/** Redis fails fast: a replica that cannot reach it answers from its fallbacks, not after a hang. */
export interface RedisTimeouts {
  readonly commandTimeoutMs: number;
  readonly connectTimeoutMs: number;
}

export interface RedisConfig extends RedisTimeouts {
  /** `undefined` keeps shared state (decision cache, revocation caches) in process memory. */
  readonly url: string | undefined;
}

/** Reads REDIS_URL and the Redis timeouts, recording invalid values in `problems`. */
export function readRedisConfig(env: Env, problems: string[]): RedisConfig {
  const r = new EnvReader(env, problems);
  return {
    url: r.url("REDIS_URL", ["redis:", "rediss:"]),
    commandTimeoutMs: r.int("REDIS_COMMAND_TIMEOUT_MS", 500, 10, 60_000),
    connectTimeoutMs: r.int("REDIS_CONNECT_TIMEOUT_MS", 2000, 10, 60_000),
  };
}
