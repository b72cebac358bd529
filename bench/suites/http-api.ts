import { constantRate } from "../lib/constant-rate.js";
import { load } from "../lib/load.js";
import { createBenchDatabase } from "../lib/postgres.js";
import type { BenchRow } from "../lib/results.js";
import { adminToken, BENCH_ADMIN_PASSWORD, sarkJson } from "../lib/sark-client.js";
import { measureBare, startSark } from "../lib/servers.js";

const SUITE = "http-api";

/**
 * Issue targets: `/auth/me` with a Bearer token ≥ 50% of a bare Fastify route's requests/s
 * (verified tokens cached), and `GET /servers/{id}` on PostgreSQL p99 ≤ 10 ms at 2,000 req/s.
 */
export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const bare = await measureBare(SUITE);
  rows.push(bare.row);

  const pgdb = await createBenchDatabase();
  const sark = await startSark({
    SARK_ADMIN_PASSWORD: BENCH_ADMIN_PASSWORD,
    ...(pgdb ? { DATABASE_URL: pgdb.url } : {}),
  });
  const backend = pgdb ? "PostgreSQL" : "PGlite (no PostgreSQL reachable)";
  try {
    const token = await adminToken(sark.url);
    const auth = { authorization: `Bearer ${token}` };
    const server = await sarkJson<{ id: string }>(`${sark.url}/api/v1/servers`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({
        name: "bench-server",
        transport: "streamable-http",
        endpoint: "https://mcp.example.test/mcp",
        tools: [{ name: "read_file", description: "Read a file", input_schema: { type: "object" } }],
      }),
    });

    const me = await load({ url: `${sark.url}/api/v1/auth/me`, headers: auth });
    const ratio = me.rps / bare.rps;
    rows.push({
      suite: SUITE,
      name: `GET /api/v1/auth/me (Bearer, ${backend})`,
      perSecond: me.rps,
      p50Ms: me.p50Ms,
      p99Ms: me.p99Ms,
      target: `≥ 50% of bare: ${(ratio * 100).toFixed(0)}%`,
      met: ratio >= 0.5 && me.errors + me.non2xx === 0,
      notes: `errors ${me.errors}, non-2xx ${me.non2xx}`,
    });

    const byIdMax = await load({ url: `${sark.url}/api/v1/servers/${server.id}`, headers: auth });
    rows.push({
      suite: SUITE,
      name: `GET /api/v1/servers/{id} max throughput (${backend})`,
      perSecond: byIdMax.rps,
      p50Ms: byIdMax.p50Ms,
      p99Ms: byIdMax.p99Ms,
      notes: `errors ${byIdMax.errors}, non-2xx ${byIdMax.non2xx}`,
    });
    // Evenly spaced arrivals (constant-rate.ts says why not autocannon's rate option).
    const byId = await constantRate({
      url: `${sark.url}/api/v1/servers/${server.id}`,
      headers: auth,
      rate: 2000,
      durationS: 10,
    });
    rows.push({
      suite: SUITE,
      name: `GET /api/v1/servers/{id} at 2,000 req/s, evenly spaced (${backend})`,
      perSecond: byId.rps,
      p50Ms: byId.p50Ms,
      p99Ms: byId.p99Ms,
      target: "p99 ≤ 10 ms",
      met: byId.p99Ms <= 10 && byId.errors + byId.non2xx === 0 && pgdb !== undefined,
      notes: `max ${byId.maxMs.toFixed(1)} ms; errors ${byId.errors}, non-2xx ${byId.non2xx}`,
    });
  } finally {
    await sark.stop();
    await pgdb?.drop();
  }
  return rows;
}
