/**
 * `npm run bench -- regex-engines`: the cost of linear-time regexes. Typical policy patterns
 * (the default policy's destructive-tool pattern, names, emails, paths) matched with JS's
 * backtracking RegExp (the engine's old path) and with re2js (today's path, via the builtin), plus
 * the catastrophic patterns the old path could not survive (measured for re2js only: JS's RegExp
 * needs minutes for 28 characters).
 */
import { RE2JS } from "re2js";
import { BUILTINS } from "../../src/policy/rego/builtins/index.js";
import type { BenchRow } from "../lib/results.js";
import { measureLoop } from "../lib/timing.js";

const CASES: Array<{ name: string; pattern: string; input: string }> = [
  {
    name: "destructive tool name (default policy)",
    pattern: "(^|[^a-z])(delete|drop|destroy|truncate|purge|wipe|erase|remove|shutdown|kill)",
    input: "github.list_repository_issues",
  },
  { name: "identifier", pattern: "^[a-z][a-z0-9_-]{2,63}$", input: "payments-api_v2" },
  { name: "email domain", pattern: "^[^@]+@(example\\.com|example\\.org)$", input: "alice.smith@example.org" },
  { name: "path prefix", pattern: "^/api/v[0-9]+/(users|teams)/[^/]+$", input: "/api/v1/users/5b0c8a4e" },
  { name: "1 KB parameter scan", pattern: "(?i)(password|secret|token)", input: `${"x".repeat(1024)}token` },
];

const OPTS = { warmupMs: 300, durationMs: 1500, samples: 20_000 };

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const builtin = BUILTINS["regex.match"];
  if (!builtin) throw new Error("regex.match is missing");
  const ctx = { nowNs: 0 };
  for (const c of CASES) {
    // The old path: a JS RegExp (flags translated), which is what the engine compiled before.
    const jsPattern = c.pattern.startsWith("(?i)") ? c.pattern.slice(4) : c.pattern;
    const js = new RegExp(jsPattern, c.pattern.startsWith("(?i)") ? "iu" : "u");
    const re2 = RE2JS.compile(c.pattern);
    if (js.test(c.input) !== re2.test(c.input)) throw new Error(`engines disagree on ${c.name}`);
    const a = measureLoop(() => js.test(c.input), OPTS);
    const b = measureLoop(() => re2.test(c.input), OPTS);
    const viaBuiltin = measureLoop(() => builtin.fn([c.pattern, c.input], ctx), OPTS);
    rows.push({ suite: "regex-engines", name: `${c.name}: JS RegExp`, ...a });
    rows.push({
      suite: "regex-engines",
      name: `${c.name}: re2js`,
      ...b,
      notes: `${(a.perSecond / b.perSecond).toFixed(1)}× slower than JS`,
    });
    rows.push({ suite: "regex-engines", name: `${c.name}: regex.match builtin`, ...viaBuiltin });
  }
  const evil = `${"a".repeat(28)}!`;
  for (const pattern of ["^((a+))+$", "^(a|a)+$"]) {
    const re2 = RE2JS.compile(pattern);
    rows.push({
      suite: "regex-engines",
      name: `${pattern} on 28 a's + '!': re2js`,
      ...measureLoop(() => re2.test(evil), OPTS),
      notes: "JS RegExp: did not finish (exponential)",
    });
  }
  return rows;
}
