import { Redis } from "ioredis";
import { measureCpu } from "../lib/cpu-usage.js";
import { load } from "../lib/load.js";
import type { BenchRow } from "../lib/results.js";
import { adminToken, BENCH_ADMIN_PASSWORD } from "../lib/sark-client.js";
import { type RunningServer, startSark } from "../lib/servers.js";

const SUITE = "rate-limit";
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/0";
const DURATION_S = 8;
/** Each build is measured this many times, alternating, so neither always runs first. */
const ROUNDS = 3;

interface Side {
  label: string;
  sark: RunningServer;
  token: string;
  rps: number[];
  serverUs: number[];
  p99Ms: number[];
  redisCommands: number;
  requests: number;
  failures: number;
}

/**
 * Issue target: the limiter's cost on `GET /api/v1/auth/me` (Bearer) with Redis, against the same
 * build with RATE_LIMIT_ENABLED=false in the same run: ≤ 10% more server CPU per request, and at
 * most one Redis round trip per request (counted from Redis's own command statistics).
 * Both servers run side by side; runs alternate between them.
 */
export async function run(): Promise<BenchRow[]> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await redis.connect();
  } catch {
    redis.disconnect();
    return [{ suite: SUITE, name: "rate limiter on /auth/me", notes: `no Redis at ${REDIS_URL}: not measured` }];
  }
  const common = { SARK_ADMIN_PASSWORD: BENCH_ADMIN_PASSWORD, REDIS_URL };
  const sides: Side[] = [];
  try {
    for (const [label, enabled] of [
      ["limiter on", "true"],
      ["limiter off", "false"],
    ] as const) {
      const sark = await startSark({ ...common, RATE_LIMIT_ENABLED: enabled });
      const empty = { rps: [], serverUs: [], p99Ms: [], redisCommands: 0, requests: 0, failures: 0 };
      sides.push({ label, sark, token: await adminToken(sark.url), ...empty });
    }
    const drive = (side: Side, seconds: number) =>
      load({
        url: `${side.sark.url}/api/v1/auth/me`,
        headers: { authorization: `Bearer ${side.token}` },
        durationS: seconds,
      });
    for (const side of sides) await drive(side, 3); // warm-up: measure optimised code, not V8's tiers
    for (let round = 0; round < ROUNDS; round++) {
      for (const side of round % 2 ? [...sides].reverse() : sides) {
        const before = await commandCount(redis);
        const { result, cpu } = await measureCpu(side.sark.pid, DURATION_S, () => drive(side, DURATION_S));
        side.redisCommands += (await commandCount(redis)) - before - 1; // minus this INFO call
        side.requests += result.rps * DURATION_S;
        side.failures += result.errors + result.non2xx;
        side.rps.push(result.rps);
        side.p99Ms.push(result.p99Ms);
        if (cpu) side.serverUs.push(cpu.serverUs);
      }
    }
  } finally {
    for (const side of sides) await side.sark.stop();
    redis.disconnect();
  }
  return report(sides);
}

function report(sides: Side[]): BenchRow[] {
  const [on, off] = sides as [Side, Side];
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const cpuRatio = mean(on.serverUs) / mean(off.serverUs);
  const rpsRatio = mean(on.rps) / mean(off.rps);
  const roundTrips = (on.redisCommands - off.redisCommands * (on.requests / Math.max(1, off.requests))) / on.requests;
  const row = (side: Side): BenchRow => ({
    suite: SUITE,
    name: `GET /api/v1/auth/me (Bearer, Redis), ${side.label}`,
    perSecond: mean(side.rps),
    p99Ms: mean(side.p99Ms),
    notes: `server CPU per request ${mean(side.serverUs).toFixed(0)} µs; Redis commands per request ${(side.redisCommands / side.requests).toFixed(2)}; errors + non-2xx ${side.failures}`,
  });
  return [
    row(on),
    row(off),
    {
      suite: SUITE,
      name: "rate limiter cost (on ÷ off, same run)",
      target: "≤ 10% more CPU per request, ≤ 1 Redis round trip per request",
      met: cpuRatio <= 1.1 && roundTrips <= 1.05 && on.failures + off.failures === 0,
      notes: `server CPU per request ×${cpuRatio.toFixed(3)}, throughput ×${rpsRatio.toFixed(3)}, limiter Redis commands per request ${roundTrips.toFixed(2)}`,
    },
  ];
}

/**
 * Round trips clients have made to Redis so far, from INFO commandstats: every top-level command
 * except those a script runs inside Redis (the limiter's EVALSHA runs a GET and a SET, which
 * commandstats also counts, without another round trip). Nothing is rejected in this run, so every
 * script call runs exactly one GET and one SET, subtracted here.
 */
async function commandCount(redis: Redis): Promise<number> {
  const info = await redis.info("commandstats");
  const calls = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
  let total = 0;
  for (const m of info.matchAll(/calls=(\d+)/g)) total += Number(m[1]);
  return total - 2 * (calls("evalsha") + calls("eval"));
}
