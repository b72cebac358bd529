import { type CompiledPolicy, compilePolicy, RegoCompileError, type RegoModuleSource } from "./rego/index.js";
import { withBuiltinData } from "./store/builtin-data.js";
import type { TestResult } from "./store/tables.js";

/** A compile problem, pointing at the line and column of the source the caller sent. */
export interface PolicyDiagnostic {
  file: string;
  line: number;
  col: number;
  message: string;
}

export type CompileOutcome =
  | { ok: true; compiled: CompiledPolicy; packages: string[] }
  | { ok: false; diagnostics: PolicyDiagnostic[] };

/** Compiles modules; a compile error is an outcome (diagnostics), anything else is a bug and throws. */
export function tryCompile(modules: RegoModuleSource[]): CompileOutcome {
  try {
    const compiled = compilePolicy(modules);
    return { ok: true, compiled, packages: compiled.packages() };
  } catch (e) {
    if (e instanceof RegoCompileError) {
      return {
        ok: false,
        diagnostics: e.diagnostics.map((d) => ({ file: d.file, line: d.line, col: d.col, message: d.message })),
      };
    }
    throw e;
  }
}

/** `file:line:col: message` lines, as compilers print them. */
export function renderDiagnostics(diagnostics: readonly PolicyDiagnostic[]): string {
  return diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.message}`).join("\n");
}

/** Step budget for one test rule: generous, but a runaway test cannot hang an API request. */
const TEST_MAX_STEPS = 5_000_000;

/**
 * Runs every `test_*` rule of a compiled policy (like `opa test`), in name order, against `data`
 * plus SARK's built-in data (`data.sark.redaction`), as decisions see it. `deadlineMs` bounds the
 * whole run, not each test: tests left when it has passed fail without running.
 */
export function runTests(
  compiled: CompiledPolicy,
  opts: { data?: Record<string, unknown>; deadlineMs?: number; print?: (msg: string) => void } = {},
): TestResult[] {
  const data = withBuiltinData(opts.data ?? {});
  const end = opts.deadlineMs === undefined ? undefined : Date.now() + opts.deadlineMs;
  return compiled
    .tests()
    .sort()
    .map((name) => {
      const left = end === undefined ? undefined : end - Date.now();
      if (left !== undefined && left <= 0) {
        return { name, pass: false, error: `not run: the test run exceeded its ${opts.deadlineMs} ms limit` };
      }
      const r = compiled.runTest(name, {
        data,
        maxSteps: TEST_MAX_STEPS,
        deadlineMs: left,
        print: opts.print,
      });
      return r.error === undefined ? { name, pass: r.pass } : { name, pass: false, error: r.error };
    });
}
