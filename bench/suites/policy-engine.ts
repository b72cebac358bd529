import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { compilePolicy, fromJS } from "../../src/policy/rego/index.js";
import { withBuiltinData } from "../../src/policy/store/builtin-data.js";
import type { BenchRow } from "../lib/results.js";
import { measureLoop } from "../lib/timing.js";
import { CEDAR_POLICIES, cedarRequest } from "./policy-engine-cedar.js";

const SUITE = "policy-engine";
const root = join(import.meta.dirname ?? ".", "..", "..");

/** A realistic decision input: a developer invoking a high-sensitivity tool with arguments. */
export const REALISTIC_INPUT = {
  user: {
    id: "0192f3e4-7b1c-7d2e-9f00-1234567890ab",
    username: "dana",
    email: "dana@example.com",
    roles: ["developer"],
    teams: ["platform", "payments"],
    groups: ["eng"],
    auth_method: "password",
    mfa: true,
  },
  action: "tool:invoke",
  server: {
    id: "0192f3e4-7b1c-7d2e-9f00-aaaaaaaaaaaa",
    name: "github",
    transport: "streamable-http",
    sensitivity_level: "high",
    owner_id: "0192f3e4-7b1c-7d2e-9f00-bbbbbbbbbbbb",
    team_id: "platform",
    tags: ["scm", "prod"],
  },
  tool: { name: "create_pull_request", sensitivity_level: "high", requires_approval: false, annotations: {} },
  parameters: { repo: "sark", title: "Fix", body: "…", token: "ghp_example" },
  context: {
    time: "2026-11-26T10:00:00Z",
    time_ns: 1795000000000000000,
    ip: "10.0.0.7",
    user_agent: "claude-desktop/1.0",
    request_id: "req-1",
    environment: "production",
  },
  server_name: "github",
  tool_name: "create_pull_request",
};

/** The outputs the policy service reads for one decision. */
function decider(modules: { path: string; source: string }[], pkg: string) {
  const policy = compilePolicy(modules);
  // data.sark.redaction, as the loader gives every evaluation (filtered_parameters reads it).
  const data = fromJS(withBuiltinData({}));
  const allow = policy.prepare(`data.${pkg}.allow`);
  const deny = policy.prepare(`data.${pkg}.deny`);
  const filtered = policy.prepare(`data.${pkg}.filtered_parameters`);
  return (input: unknown) => {
    const opts = { input, data, nowNs: 1795000000000000000 };
    return { allow: allow(opts), deny: deny(opts), filtered: filtered(opts) };
  };
}

/** 1,000 generated per-team/per-tool permits: only rule indexing keeps this fast. */
function generatedPolicy(rules: number): string {
  const lines = ["package bench.big", "import rego.v1", "default allow := false"];
  for (let i = 0; i < rules; i++) {
    lines.push(`allow if {\n\tinput.server.team_id == "team-${i % 50}"\n\tinput.tool.name == "tool-${i}"\n}`);
  }
  return lines.join("\n\n");
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const source = readFileSync(join(root, "policies/sark/authz.rego"), "utf8");
  const decide = decider([{ path: "policies/sark/authz.rego", source }], "sark.authz");
  const sanity = decide(REALISTIC_INPUT);
  if (sanity.allow !== true)
    throw new Error(`default policy should allow the benchmark input: ${JSON.stringify(sanity)}`);

  const rego = measureLoop(() => decide(REALISTIC_INPUT));
  rows.push({
    suite: SUITE,
    name: "built-in Rego, default policy (allow+deny+filtered_parameters)",
    perSecond: rego.perSecond,
    p50Ms: rego.p50Ms,
    p99Ms: rego.p99Ms,
    target: "≥ 100,000/s and p99 ≤ 20 µs",
    met: rego.perSecond >= 100_000 && rego.p99Ms <= 0.02,
  });

  cedar.preparsePolicySet("bench", { staticPolicies: CEDAR_POLICIES });
  const call = cedarRequest(REALISTIC_INPUT);
  const answer = cedar.statefulIsAuthorized(call);
  if (answer.type !== "success" || answer.response.decision !== "allow") {
    throw new Error(`cedar should allow the benchmark input: ${JSON.stringify(answer)}`);
  }
  // Each call builds its request from the input, as a service would per decision.
  const cedarResult = measureLoop(() => cedar.statefulIsAuthorized(cedarRequest(REALISTIC_INPUT)));
  const ratio = rego.perSecond / cedarResult.perSecond;
  rows.push({
    suite: SUITE,
    name: "@cedar-policy/cedar-wasm stateful, equivalent policy set",
    perSecond: cedarResult.perSecond,
    p50Ms: cedarResult.p50Ms,
    p99Ms: cedarResult.p99Ms,
    target: `Rego ≥ 10× Cedar: ${ratio.toFixed(1)}×`,
    met: ratio >= 10,
  });

  const big = compilePolicy([{ path: "generated.rego", source: generatedPolicy(1000) }]);
  const bigAllow = big.prepare("data.bench.big.allow");
  const hit = {
    ...REALISTIC_INPUT,
    server: { ...REALISTIC_INPUT.server, team_id: "team-7" },
    tool: { ...REALISTIC_INPUT.tool, name: "tool-757" },
  };
  const miss = { ...hit, tool: { ...hit.tool, name: "tool-unknown" } };
  if (bigAllow({ input: hit }) !== true || bigAllow({ input: miss }) !== false)
    throw new Error("generated policy is wrong");
  let flip = false;
  const bigResult = measureLoop(() => {
    flip = !flip;
    return bigAllow({ input: flip ? hit : miss });
  });
  rows.push({
    suite: SUITE,
    name: "built-in Rego, 1,000 generated rules (half hits, half misses)",
    perSecond: bigResult.perSecond,
    p50Ms: bigResult.p50Ms,
    p99Ms: bigResult.p99Ms,
    target: "≥ 20,000/s",
    met: bigResult.perSecond >= 20_000,
  });
  return rows;
}
