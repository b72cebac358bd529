import { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import type { RedisTimeouts } from "./config/redis.js";

/**
 * Shared short-lived state (decision cache, token revocation, usage counters). In-process for one
 * replica; Redis when several replicas must agree. Values are JSON-serialisable. Redis operations
 * reject with {@link CacheUnavailableError} when Redis cannot answer quickly.
 */
export interface Cache {
  readonly kind: "memory" | "redis";
  get<T>(key: string): Promise<T | undefined>;
  /**
   * The same read, answered synchronously: only in-process caches have it. Hot paths use it to skip
   * a promise per lookup; with Redis they take the async path.
   */
  getSync?<T>(key: string): T | undefined;
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
  ping(): Promise<number>;
  close(): Promise<void>;
}

export function createMemoryCache(maxEntries = 100_000): Cache {
  // biome-ignore lint/complexity/noBannedTypes: LRUCache needs an object type bound; values are plain JSON.
  const lru = new LRUCache<string, { v: unknown } & Object>({ max: maxEntries, ttlAutopurge: false });
  return {
    kind: "memory",
    get: async <T>(key: string) => lru.get(key)?.v as T | undefined,
    getSync: <T>(key: string) => lru.get(key)?.v as T | undefined,
    async set(key, value, ttlSeconds) {
      lru.set(key, { v: value }, { ttl: Math.max(1, ttlSeconds * 1000) });
    },
    async delete(key) {
      lru.delete(key);
    },
    ping: async () => 0,
    async close() {
      lru.clear();
    },
  };
}

/**
 * A cache operation could not be answered (Redis unreachable, slow or refusing). Thrown quickly
 * (within `REDIS_COMMAND_TIMEOUT_MS`) instead of waiting for a reconnect. Callers fall back:
 * caches treat it as a miss, revocation checks ask the database.
 */
export class CacheUnavailableError extends Error {
  override readonly name = "CacheUnavailableError";
}

/** Defaults of REDIS_COMMAND_TIMEOUT_MS / REDIS_CONNECT_TIMEOUT_MS (see config/redis.ts). */
export const DEFAULT_REDIS_TIMEOUTS: RedisTimeouts = { commandTimeoutMs: 500, connectTimeoutMs: 2000 };

/** Reconnect pacing: quick at first, then every 2 s for as long as Redis stays away. */
const reconnectDelayMs = (attempt: number): number => Math.min(100 * 2 ** Math.min(attempt, 5), 2000);

/** The Redis-backed cache, and its client for callers that need more than get/set (scripts). */
export interface RedisCache extends Cache {
  readonly kind: "redis";
  readonly client: Redis;
  /**
   * Runs commands on the client under the cache's fail-fast rules: rejects with
   * {@link CacheUnavailableError} when Redis is not connected or the command fails.
   */
  run<T>(op: (client: Redis) => Promise<T>): Promise<T>;
}

/**
 * Opens a Redis client; `keyPrefix` namespaces every key (tests isolate runs this way).
 *
 * Fail fast: while the client is not connected, commands reject at once (no offline queue that
 * would hold requests until a reconnect), commands in flight when the connection drops are not
 * resent, and every command has a timeout. Only during the first `connectTimeoutMs` after start do
 * commands wait for the initial connection, so a starting replica does not miss its first requests.
 */
export function createRedisCache(
  url: string,
  keyPrefix = "sark:",
  timeouts: RedisTimeouts = DEFAULT_REDIS_TIMEOUTS,
): RedisCache {
  const client = new Redis(url, {
    keyPrefix,
    // No auto-pipelining: a request's commands (revocation check, rate limit) are issued in
    // different ticks, so it wrapped nearly every command in a pipeline of its own. Measured on
    // /auth/me with the limiter (docs/PERFORMANCE.md): 147 → 114 µs of server CPU per request.
    enableAutoPipelining: false,
    lazyConnect: false,
    connectTimeout: timeouts.connectTimeoutMs,
    commandTimeout: timeouts.commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: reconnectDelayMs,
  });
  // Connection errors surface through commands and health; an unhandled 'error' event would crash.
  client.on("error", () => {});
  const startupUntil = Date.now() + timeouts.connectTimeoutMs;
  const firstReady = new Promise<void>((resolve) => client.once("ready", () => resolve()));

  const connected = (): boolean => client.status === "ready";

  async function whenConnected(): Promise<void> {
    if (connected()) return;
    const wait = startupUntil - Date.now();
    if (wait > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([firstReady, new Promise((r) => (timer = setTimeout(r, wait)))]);
      clearTimeout(timer);
      if (connected()) return;
    }
    throw new CacheUnavailableError(`redis is not connected (${client.status})`);
  }

  /** Runs one command; every failure becomes a CacheUnavailableError carrying the cause. */
  async function command<T>(op: (c: Redis) => Promise<T>): Promise<T> {
    await whenConnected();
    try {
      return await op(client);
    } catch (e) {
      throw new CacheUnavailableError("redis command failed", { cause: e });
    }
  }

  return {
    kind: "redis",
    client,
    run: command,
    async get<T>(key: string) {
      const raw = await command(() => client.get(key));
      return raw === null ? undefined : (JSON.parse(raw) as T);
    },
    async set(key, value, ttlSeconds) {
      await command(() => client.set(key, JSON.stringify(value), "EX", Math.max(1, Math.ceil(ttlSeconds))));
    },
    async delete(key) {
      await command(() => client.del(key));
    },
    async ping() {
      const t = performance.now();
      await command(() => client.ping());
      return performance.now() - t;
    },
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

/** Every cache key prefix SARK uses, in one place so collisions are visible. */
export const CACHE_KEYS = {
  revokedToken: (jti: string) => `auth:revoked:${jti}`,
  policyDecision: (hash: string) => `policy:decision:${hash}`,
  policyVersion: "policy:version",
  /** Limit state of one identity: an API key's id, a user's id or a client address, never a secret. */
  rateLimit: (kind: string, id: string) => `ratelimit:${kind}:${id}`,
  /** Marks that an identity's rejection in the current window has been audited. */
  rateLimitRejected: (kind: string, id: string) => `ratelimit:rejected:${kind}:${id}`,
} as const;
