import { join } from "node:path";
import { type BenchRow, printTable, writeResults } from "./lib/results.js";

/**
 * `npm run bench [-- suite…]`: runs the named suites (all by default), prints one table and writes
 * `bench/results/<suite>-<time>.json` per suite. Timings are asserted here, never in tests.
 */
type Suite = () => Promise<BenchRow[]>;

const SUITES: Record<string, () => Promise<{ run: Suite }>> = {
  "http-api": () => import("./suites/http-api.js"),
  "policy-engine": () => import("./suites/policy-engine.js"),
  "regex-engines": () => import("./suites/regex-engines.js"),
  "policy-http": () => import("./suites/policy-http.js"),
  "audit-ingest": () => import("./suites/audit-ingest.js"),
  "siem-forward": () => import("./suites/siem-forward.js"),
  "audit-export": () => import("./suites/audit-export.js"),
  "rate-limit": () => import("./suites/rate-limit.js"),
};

const requested = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const names = requested.length > 0 ? requested : Object.keys(SUITES);
const all: BenchRow[] = [];
for (const name of names) {
  const load = SUITES[name];
  if (!load) {
    process.stderr.write(`unknown suite '${name}' (known: ${Object.keys(SUITES).join(", ")})\n`);
    process.exit(2);
  }
  process.stdout.write(`\n== ${name}\n`);
  const rows = await (await load()).run();
  all.push(...rows);
  const file = writeResults(join(import.meta.dirname ?? "bench", "results"), name, rows);
  printTable(rows);
  process.stdout.write(`results: ${file}\n`);
}
process.stdout.write("\n== all suites\n");
printTable(all);
