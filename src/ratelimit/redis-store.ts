import type { Redis } from "ioredis";
import type { RedisCache } from "../platform/cache.js";
import { intervalUs } from "./gcra.js";
import type { LimitStore } from "./store.js";

/**
 * gcra.ts's `gcraStep` as one Lua script: read the TAT, decide, store the new TAT, atomically and
 * in one round trip. Numbers go back to Redis through `%d` because Lua would print a 16-digit
 * microsecond time in exponent notation and lose its last digits.
 */
const GCRA_LUA = `
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local period = tonumber(ARGV[3])
local count = tonumber(ARGV[4])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local granted = math.min(count, math.floor((period - (tat - now)) / interval))
if granted < 1 then return {0, tat - now} end
local new_tat = tat + granted * interval
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
return {granted, new_tat - now}
`;

/**
 * Claims "the first rejection this window": the value is when the window ends on the limiter's
 * clock (which tests control); the expiry only collects the key afterwards.
 */
const FIRST_REJECTION_LUA = `
local now = tonumber(ARGV[1])
local until_ms = tonumber(redis.call('GET', KEYS[1]))
if until_ms and until_ms > now then return 0 end
redis.call('SET', KEYS[1], string.format('%d', now + tonumber(ARGV[2])), 'PX', ARGV[2])
return 1
`;

interface LimitCommands {
  sarkGcra(key: string, nowUs: number, intervalUs: number, periodUs: number, count: number): Promise<[number, number]>;
  sarkFirstRejection(key: string, nowMs: number, windowMs: number): Promise<number>;
}

/**
 * Limit state in Redis, shared by every replica. Commands run under the cache's fail-fast rules,
 * so an unreachable Redis rejects at once with CacheUnavailableError and the limiter falls back
 * to memory. ioredis sends the script by hash (EVALSHA) and loads it on first use.
 */
export function createRedisLimitStore(cache: RedisCache): LimitStore {
  // defineCommand is idempotent per name on a client; the script text never changes at runtime.
  cache.client.defineCommand("sarkGcra", { numberOfKeys: 1, lua: GCRA_LUA });
  cache.client.defineCommand("sarkFirstRejection", { numberOfKeys: 1, lua: FIRST_REJECTION_LUA });
  const commands = (client: Redis) => client as unknown as LimitCommands;
  return {
    kind: "redis",
    async consume(key, limit, periodUs, nowUs, count = 1) {
      const interval = intervalUs(limit, periodUs);
      const [granted, resetUs] = await cache.run((c) =>
        commands(c).sarkGcra(key, Math.floor(nowUs), interval, periodUs, count),
      );
      return { allowed: granted >= 1, granted, resetUs };
    },
    async firstRejection(key, nowMs, windowMs) {
      return (await cache.run((c) => commands(c).sarkFirstRejection(key, Math.floor(nowMs), windowMs))) === 1;
    },
  };
}
