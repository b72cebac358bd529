/**
 * `npx tsx bench/suites/rego-cpu.ts [decisions]`: decisions per second of CPU time for the default
 * policy (the policy-engine suite's decision: allow, deny and filtered_parameters with one options
 * object). CPU time, not wall-clock, so the figure holds on a loaded machine; profile it with
 * `node --cpu-prof --import tsx bench/suites/rego-cpu.ts`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compilePolicy, fromJS } from "../../src/policy/rego/index.js";
import { withBuiltinData } from "../../src/policy/store/builtin-data.js";
import { REALISTIC_INPUT } from "./policy-engine.js";

const root = join(import.meta.dirname ?? ".", "..", "..");
const source = readFileSync(join(root, "policies/sark/authz.rego"), "utf8");
const policy = compilePolicy([{ path: "policies/sark/authz.rego", source }]);
const allow = policy.prepare("data.sark.authz.allow");
const deny = policy.prepare("data.sark.authz.deny");
const filtered = policy.prepare("data.sark.authz.filtered_parameters");
// data.sark.redaction, as the loader gives every evaluation (filtered_parameters reads it).
const data = fromJS(withBuiltinData({}));
const decide = (input: unknown) => {
  const opts = { input, data, nowNs: 1795000000000000000 };
  return { allow: allow(opts), deny: deny(opts), filtered: filtered(opts) };
};

if (decide(REALISTIC_INPUT).allow !== true) throw new Error("the default policy should allow the benchmark input");
const n = Number(process.argv[2] ?? 200_000);
for (let i = 0; i < n / 2; i++) decide(REALISTIC_INPUT);
for (let round = 1; round <= 3; round++) {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) decide(REALISTIC_INPUT);
  const used = process.cpuUsage(start);
  const seconds = (used.user + used.system) / 1e6;
  process.stdout.write(
    `round ${round}: ${Math.round(n / seconds)} decisions/s of CPU time (${((seconds * 1e6) / n).toFixed(2)} µs each)\n`,
  );
}
