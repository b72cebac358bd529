import { Redis } from "ioredis";

/**
 * BENCH_REDIS_URL (default: the local server on 127.0.0.1:6379) when it answers a PING within a
 * second, else undefined so suites can say what they skipped.
 */
export async function benchRedisUrl(): Promise<string | undefined> {
  const url = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/0";
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0 });
  try {
    await client.connect();
    await client.ping();
    return url;
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}
