import { Redis } from "ioredis";
import { LRUCache } from "lru-cache";

/**
 * Shared short-lived state (decision cache, token revocation, usage counters). In-process for one
 * replica; Redis when several replicas must agree. Values are JSON-serialisable.
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

/** Opens a Redis client; `keyPrefix` namespaces every key (tests isolate runs this way). */
export function createRedisCache(url: string, keyPrefix = "sark:"): Cache & { client: Redis } {
  const client = new Redis(url, { keyPrefix, maxRetriesPerRequest: 2, enableAutoPipelining: true, lazyConnect: false });
  // Connection errors surface through commands and health; an unhandled 'error' event would crash.
  client.on("error", () => {});
  return {
    kind: "redis",
    client,
    async get<T>(key: string) {
      const raw = await client.get(key);
      return raw === null ? undefined : (JSON.parse(raw) as T);
    },
    async set(key, value, ttlSeconds) {
      await client.set(key, JSON.stringify(value), "EX", Math.max(1, Math.ceil(ttlSeconds)));
    },
    async delete(key) {
      await client.del(key);
    },
    async ping() {
      const t = performance.now();
      await client.ping();
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
} as const;
