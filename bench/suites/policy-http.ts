import { describeCpu, measureCpu } from "../lib/cpu-usage.js";
import { load } from "../lib/load.js";
import { createBenchDatabase } from "../lib/postgres.js";
import type { BenchRow } from "../lib/results.js";
import { adminToken, BENCH_ADMIN_PASSWORD } from "../lib/sark-client.js";
import { measureBare, startSark } from "../lib/servers.js";

const SUITE = "policy-http";

const TARGET = "≥ 8,000/s, p99 ≤ 10 ms";
const BODY = {
  action: "tool:invoke",
  server: { name: "github", sensitivity_level: "high", transport: "streamable-http", tags: ["scm"] },
  tool: { name: "create_pull_request", sensitivity_level: "high" },
  parameters: { repo: "sark", title: "Fix", token: "ghp_example" },
};

/**
 * Issue target: `POST /api/v1/policies/evaluate` with a Bearer token, decision cache off, audit
 * on, PostgreSQL: ≥ 8,000 req/s with p99 ≤ 10 ms (load generator on the same 2 cores), and the
 * ratio to a bare route in the same run.
 */
export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const bare = await measureBare(SUITE, 16);
  rows.push({ ...bare.row, notes: describeCpu(bare.cpu) });
  rows.push(await measureEvaluate(bare.rps));
  return rows;
}

async function measureEvaluate(bareRps: number): Promise<BenchRow> {
  const db = await createBenchDatabase();
  const sark = await startSark({
    SARK_ADMIN_PASSWORD: BENCH_ADMIN_PASSWORD,
    POLICY_CACHE_ENABLED: "false",
    ...(db ? { DATABASE_URL: db.url } : {}),
  });
  try {
    const token = await adminToken(sark.url);
    const probe = await fetch(`${sark.url}/api/v1/policies/evaluate`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(BODY),
    });
    if (!probe.ok) throw new Error(`evaluate failed: ${probe.status} ${await probe.text()}`);
    const durationS = 10;
    const run = (seconds: number) =>
      load({
        url: `${sark.url}/api/v1/policies/evaluate`,
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
        body: BODY,
        connections: 16,
        durationS: seconds,
      });
    // A few seconds first, so the measured run sees optimised code rather than V8's tiers warming up.
    await run(3);
    const { result: r, cpu } = await measureCpu(sark.pid, durationS, () => run(durationS));
    return {
      suite: SUITE,
      name: `POST /api/v1/policies/evaluate, cache off, audit on (${db ? "PostgreSQL" : "PGlite"})`,
      perSecond: r.rps,
      p50Ms: r.p50Ms,
      p99Ms: r.p99Ms,
      target: TARGET,
      met: r.rps >= 8000 && r.p99Ms <= 10 && r.errors + r.non2xx === 0 && db !== undefined,
      notes: `${((r.rps / bareRps) * 100).toFixed(0)}% of bare; ${describeCpu(cpu)}; errors ${r.errors}, non-2xx ${r.non2xx}`,
    };
  } finally {
    await sark.stop();
    await db?.drop();
  }
}
