import { afterAll, describe, expect, it } from "vitest";
import { AppError } from "../../platform/errors.js";
import { createWorkerChecker } from "./checker.js";

const GOOD = `package acme
import rego.v1
allow if input.user == "alice"
test_allow if allow with input as {"user": "alice"}
`;

// Spins until its step budget or the test-run deadline stops it: seconds of work.
const SPIN = `package spin
import rego.v1
test_spin if count([x | some x in numbers.range(1, 1000); some y in numbers.range(1, 1000); some z in numbers.range(1, 1000)]) > 0
`;

describe("policy checks in a worker thread", () => {
  const checker = createWorkerChecker({ timeoutMs: 15_000 });
  afterAll(() => checker.close());

  it("compiles, lists and runs tests", async () => {
    expect(await checker.validate(GOOD)).toEqual({ ok: true, packages: ["acme"], tests: ["data.acme.test_allow"] });
    expect(await checker.check("acme", GOOD)).toEqual({
      ok: true,
      packages: ["acme"],
      tests: [{ name: "data.acme.test_allow", pass: true }],
    });
    const bad = await checker.validate("package x\nallow if {");
    expect(bad.ok).toBe(false);
  });

  it("keeps the caller's event loop free while a test spins", async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const result = await checker.check("spin", SPIN);
    clearInterval(timer);
    expect(result.ok && result.tests[0]?.pass).toBe(false);
    // The test ran for a while (to its budget or deadline); the interval kept firing meanwhile.
    expect(ticks).toBeGreaterThan(5);
  });

  it("terminates a check past its hard limit with a clean 422, and the next check gets a fresh worker", async () => {
    // The limit starts when the worker has loaded; the spin needs far longer than 0.1 s of work.
    const short = createWorkerChecker({ timeoutMs: 100 });
    try {
      const started = Date.now();
      const err = await short.check("spin", SPIN).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe("UNPROCESSABLE");
      expect((err as AppError).message).toMatch(/0\.1 s limit/);
      expect(Date.now() - started).toBeLessThan(10_000);
      // Same pool: the terminated worker is replaced by a fresh one.
      expect((await short.validate(GOOD)).ok).toBe(true);
    } finally {
      await short.close();
    }
  });
});
