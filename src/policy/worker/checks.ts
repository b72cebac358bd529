/**
 * What the policy worker does: compile an uploaded module and run its `test_*` rules. Pure and
 * synchronous; the worker thread (entry.ts) runs these so an admin's policy cannot block the API's
 * event loop, and checker.ts bounds them with a hard timeout.
 */
import { type PolicyDiagnostic, runTests, tryCompile } from "../compile.js";
import type { TestResult } from "../store/tables.js";

/** Cooperative limit for one module's whole test run (the engine's deadline; the worker's hard limit is longer). */
export const TEST_RUN_DEADLINE_MS = 5_000;

export type ValidateOutcome =
  | { ok: true; packages: string[]; tests: string[] }
  | { ok: false; diagnostics: PolicyDiagnostic[] };

export type CheckOutcome =
  | { ok: true; packages: string[]; tests: TestResult[] }
  | { ok: false; diagnostics: PolicyDiagnostic[] };

export type CheckRequest = { op: "validate"; content: string } | { op: "check"; name: string; content: string };

/** Compiles `content` alone (as `policy.rego`) and lists its packages and tests. */
export function validateModule(content: string): ValidateOutcome {
  const outcome = tryCompile([{ path: "policy.rego", source: content }]);
  if (!outcome.ok) return { ok: false, diagnostics: outcome.diagnostics };
  return { ok: true, packages: outcome.packages, tests: outcome.compiled.tests() };
}

/** Compiles `content` as `<name>.rego` and runs its tests within `TEST_RUN_DEADLINE_MS`. */
export function checkModule(name: string, content: string): CheckOutcome {
  const outcome = tryCompile([{ path: `${name}.rego`, source: content }]);
  if (!outcome.ok) return { ok: false, diagnostics: outcome.diagnostics };
  return {
    ok: true,
    packages: outcome.packages,
    tests: runTests(outcome.compiled, { deadlineMs: TEST_RUN_DEADLINE_MS }),
  };
}

export function runCheck(req: CheckRequest): ValidateOutcome | CheckOutcome {
  return req.op === "validate" ? validateModule(req.content) : checkModule(req.name, req.content);
}
