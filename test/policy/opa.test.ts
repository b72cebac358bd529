import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PolicyInput } from "../../src/core/policy-input.js";
import { createOpaEngine } from "../../src/policy/opa/opa-engine.js";
import { PolicyEvalFailure } from "../../src/policy/types.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { type FakeOpa, startFakeOpa } from "./helpers/fake-opa.js";

const input: PolicyInput = {
  user: {
    id: "u",
    username: "u",
    email: null,
    roles: ["developer"],
    teams: [],
    groups: [],
    auth_method: "password",
    mfa: false,
  },
  action: "server:read",
  server: null,
  tool: null,
  parameters: {},
  context: {
    time: "2026-01-01T00:00:00.000Z",
    time_ns: 0,
    ip: null,
    user_agent: null,
    request_id: null,
    environment: "development",
  },
  server_name: null,
  tool_name: null,
};

let opa: FakeOpa;
beforeAll(async () => {
  opa = await startFakeOpa();
});
afterAll(async () => opa?.close());

describe("OPA engine adapter", () => {
  const engine = () => createOpaEngine({ url: opa.url, policyPath: "/v1/data/sark/authz", timeoutMs: 300 });

  it("POSTs {input} to the policy path and reads an object result", async () => {
    opa.requests.length = 0;
    opa.respond = () => ({ body: { result: { allow: false, deny: ["nope"], reason: "r", cache_ttl: 5 } } });
    const e = engine();
    expect(await e.evaluate(input)).toEqual({ allow: false, deny: ["nope"], reason: "r", cacheTtl: 5 });
    expect(opa.requests[0]).toMatchObject({ method: "POST", path: "/v1/data/sark/authz", body: { input } });
    await e.close?.();
  });

  it("accepts a bare boolean result", async () => {
    opa.respond = () => ({ body: { result: true } });
    expect(await engine().evaluate(input)).toEqual({ allow: true, deny: [] });
  });

  it("fails with a reason naming OPA when nothing listens", async () => {
    const down = createOpaEngine({ url: "http://127.0.0.1:9", policyPath: "/v1/data/sark/authz", timeoutMs: 300 });
    await expect(Promise.resolve(down.evaluate(input))).rejects.toThrow(/OPA at http:\/\/127\.0\.0\.1:9 unavailable/);
  });

  it("fails on an undefined decision, a malformed result, an HTTP error and a timeout", async () => {
    const cases: Array<[FakeOpa["respond"], RegExp]> = [
      [() => ({ body: {} }), /no result/],
      [() => ({ body: { result: "yes" } }), /malformed/],
      [() => ({ body: { result: { allow: "true" } } }), /allow must be a boolean/],
      [() => ({ status: 500, body: { code: "internal_error" } }), /HTTP 500/],
      [() => ({ raw: "<html>" }), /not JSON/],
      [() => ({ body: { result: true }, delayMs: 1000 }), /timed out/],
    ];
    for (const [respond, message] of cases) {
      opa.respond = respond;
      const err = await Promise.resolve(engine().evaluate(input)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PolicyEvalFailure);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).toContain("OPA");
    }
  });
});

describe("POLICY_ENGINE=opa", () => {
  let t: TestApp;
  beforeAll(async () => {
    opa.respond = () => ({ body: { result: { allow: true } } });
    t = await createTestApp({ POLICY_ENGINE: "opa", OPA_URL: opa.url, OPA_TIMEOUT_MS: "500" });
  });
  afterAll(async () => t?.close());

  it("allows when OPA returns {result: {allow: true}}", async () => {
    opa.requests.length = 0;
    const token = await t.adminToken();
    const res = await t.request({
      method: "POST",
      url: "/api/v1/policies/evaluate",
      token,
      body: { action: "server:register" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ decision: "allow", policy_version: "opa:/v1/data/sark/authz" });
    const sent = opa.requests.map((r) => (r.body as { input: PolicyInput }).input);
    expect(sent.some((i) => i.action === "server:register" && i.user.username === "admin")).toBe(true);
  });

  it("reports OPA's reachability as the policy component's health", async () => {
    const feature = t.ctx.features.find((f) => f.name === "policy");
    opa.respond = () => ({ body: {} });
    expect(await feature?.health?.()).toMatchObject({ status: "healthy", engine: "opa" });
    expect(opa.requests.at(-1)).toMatchObject({ method: "GET", path: "/health" });
    opa.respond = () => ({ status: 500, body: {} });
    expect(await feature?.health?.()).toMatchObject({ status: "unhealthy", error: "HTTP 500" });
    opa.respond = () => ({ body: { result: { allow: true } } });
  });

  it("denies with a reason naming OPA when OPA is down", async () => {
    const token = await t.adminToken();
    opa.respond = () => ({ status: 503, body: {} });
    const res = await t.request({ method: "GET", url: "/api/v1/policies", token });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe("POLICY_DENIED");
    expect(res.json().error.message).toMatch(/OPA at http:\/\/127\.0\.0\.1:\d+ answered HTTP 503/);
    opa.respond = () => ({ body: { result: { allow: true } } });
  });
});
