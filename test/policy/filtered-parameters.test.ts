import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PolicyInput } from "../../src/core/policy-input.js";
import { packageRoot } from "../../src/platform/paths.js";
import { loadPolicy } from "../../src/policy/builtin-engine.js";
import { tryCompile } from "../../src/policy/compile.js";
import { shippedPolicy } from "../../src/policy/index.js";
import { builtinData, withBuiltinData } from "../../src/policy/store/builtin-data.js";
import { createTestApp, type TestApp } from "../helpers/app.js";

// Issue 14 (weak bullet): the default policy's filtered_parameters passed pwd, pass_phrase, nested
// api-key, secrets inside lists, Bearer JWTs, URL credentials and SARK API keys through to the tool.

// Fixtures assembled at runtime so no scanner mistakes this file for a leak.
const JWT = ["eyJhbGciOiJIUzI1NiJ9", "eyJzdWIiOiJ1LTEifQ", "c2lnbmF0dXJlLWJ5dGVz"].join(".");
const SARK_KEY = ["sark", "prod", "0123456789abcdef", "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg"].join("_");
const R = "[REDACTED]";

/** Each listed case: the parameters sent, and what the tool may see. */
const CASES: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
  ["pwd", { path: "/x", pwd: "hunter2" }, { path: "/x" }],
  ["pass_phrase", { path: "/x", pass_phrase: "correct horse" }, { path: "/x" }],
  ["nested api-key", { db: { conn: { "api-key": "k", region: "eu" } } }, { db: { conn: { region: "eu" } } }],
  [
    "secrets inside lists",
    { items: [{ name: "a", password: "p" }, "plain", [{ token: "t", ok: 1 }], `Bearer ${JWT}`] },
    { items: [{ name: "a" }, "plain", [{ ok: 1 }], R] },
  ],
  ["Bearer JWT", { note: "x", header: `Bearer ${JWT}`, raw: JWT }, { note: "x", header: R, raw: R }],
  [
    "URL credentials",
    { dsn: "https://user:pass@db.example.com/x", plain: "https://db.example.com/x" },
    { dsn: R, plain: "https://db.example.com/x" },
  ],
  ["SARK API key", { args: [`--key=${SARK_KEY}`], text: `use ${SARK_KEY}` }, { args: [R], text: R }],
];

function input(parameters: Record<string, unknown>): PolicyInput {
  return {
    user: {
      id: "u-1",
      username: "dev",
      email: null,
      roles: ["developer"],
      teams: [],
      groups: [],
      auth_method: "password",
      mfa: false,
    },
    action: "tool:invoke",
    server: null,
    tool: { name: "read_file", sensitivity_level: "low", requires_approval: false, annotations: {} },
    parameters,
    context: { time: "", time_ns: 0, ip: null, user_agent: null, request_id: null, environment: "test" },
    server_name: null,
    tool_name: "read_file",
  } as unknown as PolicyInput;
}

describe("the default policy's filtered_parameters, through the engine", () => {
  const shipped = shippedPolicy();
  const outcome = tryCompile([{ path: "authz.rego", source: shipped.content }]);
  if (!outcome.ok) throw new Error("the shipped policy does not compile");
  const policy = loadPolicy(outcome.compiled, "sark.authz", withBuiltinData({}), {
    label: "sark.authz@test",
    revision: 1,
    evalTimeoutMs: 5_000,
  });

  it.each(CASES)("filters %s", (_name, parameters, expected) => {
    const result = policy.evaluate(input(parameters));
    expect(result.allow).toBe(true);
    expect(result.filteredParameters).toEqual(expected);
  });

  it("without data.sark.redaction (a remote OPA not given the file) tool calls are denied, not passed on", () => {
    const bare = loadPolicy(outcome.compiled, "sark.authz", {}, { label: "x", revision: 1, evalTimeoutMs: 5_000 });
    const result = bare.evaluate(input({ password: "p" }));
    expect(result.deny.join(" ")).toContain("data.sark.redaction");
    expect(result.filteredParameters).toBeUndefined();
  });
});

describe("policies/redaction-data.json (data.sark.redaction for a remote OPA)", () => {
  it("is exactly what SARK injects, generated from src/core/redaction.ts", () => {
    const shipped = JSON.parse(readFileSync(join(packageRoot(), "policies", "redaction-data.json"), "utf8"));
    // On drift, regenerate: JSON.stringify(builtinData(), null, 2) from src/policy/store/builtin-data.ts.
    expect(shipped).toEqual(builtinData());
  });
});

describe("withBuiltinData", () => {
  it("adds data.sark.redaction beside a stored data.sark document without changing it", () => {
    const stored = JSON.parse('{"sark": {"config": {"a": 1}, "redaction": "mine", "__proto__": {"x": 1}}}');
    const doc = withBuiltinData(stored) as { sark: Record<string, unknown> };
    expect(doc.sark.config).toEqual({ a: 1 });
    expect(doc.sark.redaction).toEqual(builtinData().sark.redaction);
    expect(stored.sark.redaction).toBe("mine");
    expect(Object.hasOwn(Object.prototype, "x")).toBe(false);
    expect(Object.hasOwn(doc.sark, "__proto__")).toBe(true);
  });
});

describe("POST /api/v1/policies/evaluate filters tool arguments", () => {
  let t: TestApp;
  let developer: string;
  beforeAll(async () => {
    t = await createTestApp();
    developer = await t.userToken("fpdev", ["developer"]);
  }, 180_000);
  afterAll(async () => t?.close());

  it("removes and masks every listed case in one call", async () => {
    // Neutral top-level keys: the case names themselves ("pwd", "Bearer JWT") name secrets.
    const parameters = Object.fromEntries(CASES.map(([, p], i) => [`case${i}`, p]));
    const res = await t.request({
      method: "POST",
      url: "/api/v1/policies/evaluate",
      token: developer,
      body: { action: "tool:invoke", tool: { name: "read_file", sensitivity_level: "low" }, parameters },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ allow: true });
    expect(res.json().filtered_parameters).toEqual(
      Object.fromEntries(CASES.map(([, , want], i) => [`case${i}`, want])),
    );
    expect(JSON.stringify(res.json())).not.toContain(JWT.split(".")[2]);
    expect(JSON.stringify(res.json())).not.toContain("hunter2");
  });

  it("data.sark.redaction is SARK's: storing policy data there is a 400", async () => {
    const admin = await t.adminToken();
    for (const path of ["sark/redaction", "sark/redaction/value_patterns"]) {
      const res = await t.request({ method: "PUT", url: `/api/v1/policies/data/${path}`, token: admin, body: {} });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toContain("provided by SARK");
    }
  });
});
