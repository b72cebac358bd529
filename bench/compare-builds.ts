import { resolve } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { processTicks, TICK_MS } from "./lib/cpu-usage.js";
import { createBenchDatabase } from "./lib/postgres.js";
import { adminToken, BENCH_ADMIN_PASSWORD } from "./lib/sark-client.js";
import { type RunningServer, startSark } from "./lib/servers.js";

/**
 * `npx tsx bench/compare-builds.ts <buildA> <buildB> [--request evaluate|me|health]`: server CPU per
 * request of two builds (directories of `tsc -p tsconfig.build.json --outDir <dir>`), run side by
 * side. `evaluate` is the policy-http suite's request, `me` an authenticated `GET /api/v1/auth/me`
 * (the request pipeline and token check, no database), `health` a public `GET /health` (the bare route).
 *
 * On a shared 2-core host, CPU speed swings by 2× within seconds, so two builds measured one after
 * the other differ by more than most changes do. Here both run at the same time, each with its own
 * PostgreSQL database and its own load at the same fixed rate (below saturation, so neither starves
 * the other), and every swing hits both. Comparing a build with itself shows the noise floor (±3%
 * seen). This measures CPU, not throughput: `npm run bench -- policy-http` gives the target's numbers.
 * `--request me` measures the http-api suite's `GET /api/v1/auth/me` instead of evaluate.
 */
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rate: { type: "string", default: "800" },
    seconds: { type: "string", default: "15" },
    rounds: { type: "string", default: "3" },
    request: { type: "string", default: "evaluate" },
  },
});
if (positionals.length !== 2) {
  process.stderr.write(
    "usage: tsx bench/compare-builds.ts <buildA> <buildB> [--rate 800] [--seconds 15] [--rounds 3] [--request evaluate|me|health]\n",
  );
  process.exit(2);
}
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
if (![rate, seconds, rounds].every((n) => Number.isInteger(n) && n > 0)) {
  process.stderr.write("--rate, --seconds and --rounds take positive integers\n");
  process.exit(2);
}

// The policy-http suite's request: evaluate a tool call, decision cache off, audit on.
const EVALUATE_BODY = JSON.stringify({
  action: "tool:invoke",
  server: { name: "github", sensitivity_level: "high", transport: "streamable-http", tags: ["scm"] },
  tool: { name: "create_pull_request", sensitivity_level: "high" },
  parameters: { repo: "sark", title: "Fix", token: "ghp_example" },
});
const ROUTES: Record<string, { method: "GET" | "POST"; path: string; body?: string }> = {
  evaluate: { method: "POST", path: "/api/v1/policies/evaluate", body: EVALUATE_BODY },
  me: { method: "GET", path: "/api/v1/auth/me" },
  health: { method: "GET", path: "/health" },
};
const chosen = ROUTES[values.request];
if (!chosen) {
  process.stderr.write(`--request takes one of ${Object.keys(ROUTES).join(", ")}\n`);
  process.exit(2);
}
const route = chosen;

interface Side {
  label: string;
  server: RunningServer;
  token: string;
  drop(): Promise<void>;
  /** Server CPU ticks and completed requests over the measured rounds. */
  ticks: number;
  requests: number;
}

async function startSide(label: string, build: string): Promise<Side> {
  const db = await createBenchDatabase();
  if (!db) throw new Error("compare-builds needs PostgreSQL (BENCH_DATABASE_URL, default 127.0.0.1:5432)");
  const server = await startSark(
    { SARK_ADMIN_PASSWORD: BENCH_ADMIN_PASSWORD, POLICY_CACHE_ENABLED: "false", DATABASE_URL: db.url },
    resolve(build, "src", "main.js"),
  );
  return { label, server, token: await adminToken(server.url), drop: () => db.drop(), ticks: 0, requests: 0 };
}

/** Load at `rate` for `durationS`; resolves with the requests that completed. */
async function drive(side: Side, durationS: number): Promise<number> {
  const r = await autocannon({
    url: `${side.server.url}${route.path}`,
    method: route.method,
    headers: {
      ...(route.body ? { "content-type": "application/json" } : {}),
      authorization: `Bearer ${side.token}`,
    },
    ...(route.body ? { body: route.body } : {}),
    connections: 8,
    duration: durationS,
    overallRate: rate,
  });
  const failed = r.errors + r.timeouts;
  if (failed + r.non2xx > 0) throw new Error(`${side.label}: ${failed} errors or timeouts, ${r.non2xx} non-2xx`);
  return r.requests.total;
}

/** Server CPU per request over one run of both sides at once. */
async function measureRound(sides: readonly Side[]): Promise<number[]> {
  const before = sides.map((s) => processTicks(s.server.pid) ?? Number.NaN);
  const requests = await Promise.all(sides.map((s) => drive(s, seconds)));
  return sides.map((s, i) => {
    const ticks = (processTicks(s.server.pid) ?? Number.NaN) - (before[i] ?? Number.NaN);
    s.ticks += ticks;
    s.requests += requests[i] ?? 0;
    return (ticks * TICK_MS * 1000) / (requests[i] ?? 0);
  });
}

const perRequest = (s: Side) => (s.ticks * TICK_MS * 1000) / s.requests;
const describe = (a: number, b: number) =>
  `A ${a.toFixed(1)} µs/request, B ${b.toFixed(1)} µs/request, B/A ${(b / a).toFixed(3)}`;

const sides: Side[] = [];
try {
  sides.push(await startSide("A", positionals[0] ?? ""));
  sides.push(await startSide("B", positionals[1] ?? ""));
  // Warm-up: V8's tiers, the connection pools and the token cache.
  await Promise.all(sides.map((s) => drive(s, 5)));
  for (let round = 1; round <= rounds; round++) {
    const [a = Number.NaN, b = Number.NaN] = await measureRound(sides);
    process.stdout.write(`round ${round}: ${describe(a, b)}\n`);
  }
  const [a, b] = sides.map(perRequest);
  process.stdout.write(`all rounds: ${describe(a ?? Number.NaN, b ?? Number.NaN)}\n`);
} finally {
  await Promise.all(sides.map((s) => s.server.stop()));
  await Promise.all(sides.map((s) => s.drop()));
}
