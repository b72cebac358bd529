import { readFileSync } from "node:fs";
import pg from "pg";
import { benchContext } from "../lib/context.js";
import { createBenchDatabase } from "../lib/postgres.js";
import type { BenchRow } from "../lib/results.js";
import { adminToken, BENCH_ADMIN_PASSWORD } from "../lib/sark-client.js";
import { startSark } from "../lib/servers.js";

const SUITE = "audit-export";
const EVENTS = 1_000_000;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** Bulk rows straight into the table (export does not check the chain; this is about streaming). */
async function seed(url: string, events: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `insert into audit_events (id, timestamp, event_type, severity, outcome, actor, action, resource, decision,
         request_id, details, hash, prev_hash)
       select gen_random_uuid(), now() - (g * interval '50 milliseconds'), 'tool.invoked', 'medium', 'success',
         jsonb_build_object('user_id', '0192f3e4-7b1c-7d2e-9f00-1234567890ab', 'username', 'dana', 'ip', '10.0.0.7'),
         'tool:invoke', jsonb_build_object('type', 'tool', 'id', 'github/create_pull_request'),
         jsonb_build_object('allow', true, 'policy', 'sark.authz@3'), 'req-' || g,
         jsonb_build_object('server', 'github', 'arguments', jsonb_build_object('repo', 'sark', 'n', g)),
         md5(g::text) || md5(g::text), md5((g - 1)::text) || md5((g - 1)::text)
       from generate_series(1, $1) g`,
      [events],
    );
  } finally {
    await client.end();
  }
}

/**
 * Issue target: exporting 1,000,000 events as NDJSON grows the server's RSS by ≤ 100 MB
 * (streamed in keyset batches, never buffered).
 */
export async function run(): Promise<BenchRow[]> {
  const db = await createBenchDatabase();
  if (!db) return [{ suite: SUITE, name: "NDJSON export", notes: "skipped: needs PostgreSQL" }];
  try {
    const migrate = await benchContext({}, db.url);
    await migrate.stop();
    await seed(db.url, EVENTS);
    const sark = await startSark({ DATABASE_URL: db.url, SARK_ADMIN_PASSWORD: BENCH_ADMIN_PASSWORD });
    try {
      const token = await adminToken(sark.url);
      const baseline = rssMb(sark.pid);
      let peak = baseline;
      const sampler = setInterval(() => {
        peak = Math.max(peak, rssMb(sark.pid));
      }, 100);
      const start = performance.now();
      const res = await fetch(`${sark.url}/api/v1/audit/export?format=ndjson`, {
        headers: { authorization: `Bearer ${token}` },
      });
      let lines = 0;
      let bytes = 0;
      if (!res.body) throw new Error(`export failed: ${res.status}`);
      for await (const chunk of res.body) {
        bytes += chunk.length;
        for (const b of chunk) if (b === 10) lines++;
      }
      const seconds = (performance.now() - start) / 1000;
      clearInterval(sampler);
      const growth = peak - baseline;
      return [
        {
          suite: SUITE,
          name: `NDJSON export of ${EVENTS.toLocaleString("en-US")} events (PostgreSQL)`,
          perSecond: lines / seconds,
          target: `RSS growth ≤ 100 MB: ${growth.toFixed(0)} MB`,
          met: growth <= 100 && lines >= EVENTS,
          notes: `${lines.toLocaleString("en-US")} lines, ${(bytes / 2 ** 20).toFixed(0)} MiB in ${seconds.toFixed(1)} s; RSS ${baseline.toFixed(0)} → ${peak.toFixed(0)} MB`,
        },
      ];
    } finally {
      await sark.stop();
    }
  } finally {
    await db.drop();
  }
}
