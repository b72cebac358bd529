/**
 * SARK's Rego engine: modules are parsed, resolved and compiled once into a plan of closures
 * (variables are frame slots, refs and builtins are bound at compile time, large rule sets get an
 * index over their `input.x == "const"` and `const_set[input.x]` tests); evaluation is synchronous
 * and bounded by a step budget that builtins charge for the work they do, size limits on what
 * builtins build, and an optional deadline (limits.ts). Policies cannot reach the network or the
 * filesystem. Rules and functions that read neither input nor base data (nor the clock) are pure:
 * their values are remembered across evaluations (compile/policy-compiler.ts `pure`, eval/policy.ts).
 *
 * Semantics follow OPA (Rego v0 and v1; `import rego.v1` selects v1's rules) with these known
 * differences:
 * - numbers are JS doubles: integers beyond 2^53 lose precision (OPA uses arbitrary precision);
 * - builtin errors abort the evaluation by default (`strict: true`); `strict: false` makes them
 *   undefined, which is OPA's default;
 * - no type checker: type errors that OPA reports at compile time surface at evaluation (or make
 *   the expression undefined), except literal shape mismatches in unification, caught early;
 * - a query that is a single expression reports its value even when it is `false` (see eval/query.ts).
 *
 * Layout, by phase: syntax/ (source → AST: lexer, parser), compile/ (AST → IR: the rule tree, name
 * resolution, safety ordering, and policy-compiler.ts, which drives the whole compilation), plan/
 * (IR → closures over eval/runtime.ts: terms, calls, bodies, `with`, rule definitions and the rule
 * index), eval/ (the runtime primitives, rule group evaluation, the compiled policy and ad-hoc
 * queries), builtins/. value.ts, errors.ts and limits.ts are shared by every phase and the builtins.
 * This file is the engine's only entry point for code outside rego/; rego/ imports nothing outside it.
 */
import { type Diagnostic, RegoCompileError, RegoEvalError } from "./errors.js";
import { type EvalOptions, PolicyRuntime } from "./eval/policy.js";
import { type PreparedQuery, prepareQuery } from "./eval/query.js";
import type { Module } from "./syntax/ast.js";
import { parseModule } from "./syntax/parser.js";
import type { Value } from "./value.js";

export interface RegoModuleSource {
  path: string;
  source: string;
}

export type { Diagnostic } from "./errors.js";
export type { EvalOptions } from "./eval/policy.js";

export interface CompiledPolicy {
  /** Package names, e.g. ["sark.authz"]. */
  packages(): string[];
  /** Value of a data path such as "data.sark.authz.allow", or a whole package document. */
  evaluate(path: string, opts?: EvalOptions): Value | undefined;
  /** `evaluate` with the path lookup done once: the hot path. */
  prepare(path: string): (opts?: EvalOptions) => Value | undefined;
  /** Runs a Rego query; each result binds the query's named variables (and `__expr__`, see query.ts). */
  query(query: string, opts?: EvalOptions): Array<Record<string, Value>>;
  /** Fully qualified names of `test_*` rules, e.g. "data.x.test_allow". */
  tests(): string[];
  runTest(name: string, opts?: EvalOptions): { pass: boolean; error?: string };
}

export interface CompileOptions {
  /** Builtin errors abort evaluation (default true); when false they make the expression undefined, as in OPA. */
  strict?: boolean;
}

const MAX_CACHED_QUERIES = 256;

function splitPath(path: string): string[] {
  const parts = path.split(".").filter((p) => p.length > 0);
  return parts[0] === "data" ? parts.slice(1) : parts;
}

/** Wraps engine-external failures (deep recursion) as evaluation errors. */
function guard<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RangeError) throw new RegoEvalError(`evaluation failed: ${e.message}`);
    throw e;
  }
}

/** Parses every module, reporting the syntax errors of all of them at once. */
function parseAll(modules: readonly RegoModuleSource[]): Module[] {
  const out: Module[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const m of modules) {
    try {
      out.push(parseModule(m.source, m.path));
    } catch (e) {
      if (!(e instanceof RegoCompileError)) throw e;
      diagnostics.push(...e.diagnostics);
    }
  }
  if (diagnostics.length > 0) throw new RegoCompileError(diagnostics);
  return out;
}

/**
 * The parser refuses nesting past MAX_NESTING; should some other shape still exhaust the stack
 * while compiling, that is a diagnostic too, never an engine crash.
 */
function buildRuntime(modules: readonly RegoModuleSource[], strict: boolean): PolicyRuntime {
  try {
    return new PolicyRuntime(parseAll(modules), strict);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const file = modules[0]?.path ?? "policy.rego";
    throw new RegoCompileError([{ file, line: 1, col: 1, message: "policy is nested too deeply to compile" }]);
  }
}

/** Parses and compiles `modules`. Throws RegoCompileError with file:line:col diagnostics. */
export function compilePolicy(modules: RegoModuleSource[], options: CompileOptions = {}): CompiledPolicy {
  const rt = buildRuntime(modules, options.strict ?? true);
  const prepare = (path: string) => {
    const read = rt.pathReader(splitPath(path));
    // guard() inlined: this is the per-decision entry point.
    return (opts?: EvalOptions) => {
      try {
        return read(rt.contextFor(opts));
      } catch (e) {
        if (e instanceof RangeError) throw new RegoEvalError(`evaluation failed: ${e.message}`);
        throw e;
      }
    };
  };
  // Compiled queries, kept (a bounded number) because callers tend to repeat the same few.
  const queries = new Map<string, PreparedQuery>();
  const remember = (q: string, p: PreparedQuery): PreparedQuery => {
    if (queries.size >= MAX_CACHED_QUERIES) queries.delete(queries.keys().next().value ?? "");
    queries.set(q, p);
    return p;
  };
  const tests = rt.rules.groups
    .filter((g) => g.kind !== "function" && (g.name.split(".").pop() ?? "").startsWith("test_"))
    .map((g) => g.name);
  return {
    packages: () => [...rt.rules.packages],
    evaluate: (path, opts) => prepare(path)(opts),
    prepare,
    query: (q, opts) => {
      const prepared = queries.get(q) ?? remember(q, prepareQuery(rt, q));
      return guard(() => prepared.run(rt.context(opts)));
    },
    tests: () => [...tests],
    runTest: (name, opts) => {
      try {
        return { pass: prepare(name)(opts) === true };
      } catch (e) {
        return { pass: false, error: e instanceof Error ? e.message : String(e) };
      }
    },
  };
}

export { RegoCompileError, RegoEvalError, RegoLimitError } from "./errors.js";
export { parseModule, parseQuery } from "./syntax/parser.js";
export * from "./value.js";
