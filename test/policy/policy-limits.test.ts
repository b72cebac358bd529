/**
 * Admin policy operations cannot freeze the API (they run in a worker thread), deeply nested Rego
 * is a diagnostic rather than a 500, and a runaway policy fails closed within its budget.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.js";

// Iterates until its step budget or the test-run deadline stops it: seconds of CPU.
const SPIN = `package spin
import rego.v1
test_spin if count([x | some x in numbers.range(1, 1000); some y in numbers.range(1, 1000); some z in numbers.range(1, 1000)]) > 0
`;

let t: TestApp;
let admin: string;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.adminToken();
});
afterAll(async () => t?.close());

describe("admin policy operations run off the event loop", () => {
  it("/health/live answers while a policy test spins, and the spin ends as a failed test", async () => {
    const order: string[] = [];
    const test = t
      .request({ method: "POST", url: "/api/v1/policies/test", token: admin, body: { content: SPIN } })
      .then((r) => {
        order.push("test");
        return r;
      });
    // Give the request time to reach the worker, then ask for liveness.
    await new Promise((r) => setTimeout(r, 50));
    const live = await t.request({ method: "GET", url: "/health/live" });
    order.push("live");
    const res = await test;
    expect(live.statusCode).toBe(200);
    expect(order).toEqual(["live", "test"]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ passed: 0, failed: 1 });
    expect(res.json().results[0].error).toMatch(/step budget|deadline/);
  });

  it("stores a policy whose test runs away, with that test failed (as opa test reports it)", async () => {
    const res = await t.request({
      method: "POST",
      url: "/api/v1/policies",
      token: admin,
      body: { name: "spin", content: SPIN },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ name: "spin" });
  });
});

describe("deeply nested Rego", () => {
  const deep = `package deep\nx := ${"[".repeat(5_000)}1${"]".repeat(5_000)}\n`;

  it("validate reports a nesting diagnostic instead of a 500", async () => {
    const res = await t.request({
      method: "POST",
      url: "/api/v1/policies/validate",
      token: admin,
      body: { content: deep },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().valid).toBe(false);
    expect(res.json().diagnostics[0].message).toMatch(/nested too deeply/);
  });

  it("test and create answer 400 with the diagnostic", async () => {
    for (const [url, body] of [
      ["/api/v1/policies/test", { content: deep }],
      ["/api/v1/policies", { name: "deep", content: deep }],
    ] as const) {
      const res = await t.request({ method: "POST", url, token: admin, body });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe("VALIDATION_FAILED");
      expect(res.json().error.message).toMatch(/nested too deeply/);
    }
  });
});
