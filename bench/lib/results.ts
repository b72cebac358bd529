import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";

/** One measured line of a benchmark table. */
export interface BenchRow {
  suite: string;
  name: string;
  /** Throughput: requests, decisions or events per second. */
  perSecond?: number;
  p50Ms?: number;
  p99Ms?: number;
  /** What the target was and whether it was met, e.g. "≥ 50% of bare: 63% ✓". */
  target?: string;
  met?: boolean;
  notes?: string;
}

const fmt = (n: number | undefined, digits = 0): string =>
  n === undefined ? "" : n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Prints rows as a Markdown table (pasteable into docs/PERFORMANCE.md). */
export function printTable(rows: BenchRow[]): void {
  const header = ["suite", "benchmark", "per second", "p50 ms", "p99 ms", "target", "notes"];
  const lines = rows.map((r) => [
    r.suite,
    r.name,
    fmt(r.perSecond),
    fmt(r.p50Ms, 3),
    fmt(r.p99Ms, 3),
    r.target ? `${r.target} ${r.met === undefined ? "" : r.met ? "✓" : "✗"}`.trim() : "",
    r.notes ?? "",
  ]);
  const out = [header, header.map(() => "---"), ...lines].map((l) => `| ${l.join(" | ")} |`).join("\n");
  process.stdout.write(`\n${out}\n`);
}

/** Writes `bench/results/<suite>-<timestamp>.json` with the machine facts next to the rows. */
export function writeResults(dir: string, suite: string, rows: BenchRow[]): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${suite}-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  const machine = {
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    memGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
  writeFileSync(file, `${JSON.stringify({ suite, at: new Date().toISOString(), machine, rows }, null, 2)}\n`);
  return file;
}

/** Latency percentiles (ms) of a list of samples in nanoseconds. */
export function percentilesNs(samples: BigInt64Array | number[], ...ps: number[]): number[] {
  const sorted = Array.from(samples, Number).sort((a, b) => a - b);
  return ps.map((p) => (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0) / 1e6);
}
