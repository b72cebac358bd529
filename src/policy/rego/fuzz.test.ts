/**
 * Property test of the parser, compiler and evaluator: random and mutated modules (the shipped
 * policy and conformance-like snippets with tokens inserted, deleted and duplicated; random builtin
 * calls with hostile arguments; deep nesting; long strings) are parsed, compiled and evaluated
 * under a small budget. Every case must end with a result or a clean Rego error, never a
 * RangeError, TypeError or a hang. Bounded by a time limit, not only by the number of runs.
 */
import { readFileSync, writeFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BUILTINS } from "./builtins/index.js";
import { RegoCompileError, RegoEvalError } from "./errors.js";
import { compilePolicy } from "./index.js";
import { toJS } from "./value.js";

/** `npm test` fuzzes briefly; `.ci/run` has a fuzz step that sets SARK_FUZZ_MS=60000. */
const TIME_LIMIT_MS = Number(process.env.SARK_FUZZ_MS ?? 10_000);
/**
 * Printed before the run: a case that kills the worker (a V8 fatal error) takes fast-check's own
 * report of the seed with it. Replay with SARK_FUZZ_SEED=<seed>.
 */
const SEED = Number(process.env.SARK_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** A single case may take this long at most (not hung); the evaluation deadline is far shorter. */
const CASE_LIMIT_MS = 5_000;

// Read by a path relative to this file (tests run from source), so the engine imports nothing outside rego/.
const SHIPPED = readFileSync(new URL("../../../policies/sark/authz.rego", import.meta.url), "utf8");

const SNIPPETS = [
  'package t\nimport rego.v1\nallow if input.user.roles[_] == "admin"\ndeny contains msg if { some p in input.params; msg := sprintf("bad %v", [p]) }',
  "package t\nimport rego.v1\nf(x) := y if y := x * 2\nr := [f(i) | some i in numbers.range(1, 10)]",
  'package t\nimport rego.v1\ndefault allow := false\nallow if { regex.match("^[a-z]+$", input.name); glob.match("*.example.com", ["."], input.host) }',
  'package t\nimport rego.v1\nobj := {k: v | some k, v in input}\ns := {x | some x in ["a", "b", "a"]}\nc := count(obj) + count(s)',
  'package t\nimport rego.v1\nok if every x in input.items { x > 0 }\np := json.patch(input, [{"op": "add", "path": "/a", "value": 1}])',
  'package t\nimport rego.v1\nw := [p | walk(input, [p, _])]\nu := object.union(input, {"z": {"y": 1}})\nt := trim_space(concat(",", ["a", "b"]))',
  'package t\nx := 1\ny := x + 2 if { x > 0 } else := 3\nz[k] := v { k := "a"; v := y }\nq { not x == 2 }',
];

const HOSTILE_ARGS = [
  "1e308",
  "-1e308",
  "1e7",
  "10000000",
  "4e8",
  "-1",
  "0",
  "0.5",
  "9007199254740993",
  "null",
  "true",
  '""',
  '"%400000000d"',
  '"%.200f"',
  '"^((a+))+$"',
  '"^(a|a)+$"',
  `"${"a".repeat(2_000)}!"`,
  `"${"ab".repeat(3_000)}"`,
  "[1, 2, 3]",
  '{"__proto__": {"polluted": 1}, "constructor": 2}',
  '{"a", "b"}',
  "input",
  "input.items",
  "data",
  `${"[".repeat(300)}1${"]".repeat(300)}`,
  "numbers.range(1, 1e6)",
  "[x | some x in numbers.range(1, 100000)]",
];

const TOKENS = [
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  "|",
  ",",
  ":",
  ":=",
  "=",
  "==",
  "+",
  "-",
  "*",
  "/",
  "%",
  ".",
  "_",
  "x",
  "input",
  "data",
  "some",
  "every",
  "in",
  "if",
  "not",
  "else",
  "default",
  "contains",
  "with",
  "as",
  "import",
  "package",
  '"s"',
  "1",
  "1e400",
  "\n",
  "`raw`",
  "#",
  ...HOSTILE_ARGS,
];

const BUILTIN_NAMES = Object.keys(BUILTINS).filter((n) => !n.startsWith("internal."));

/** Splits source into tokens (words, strings, numbers, punctuation, whitespace) for mutation. */
function tokenize(src: string): string[] {
  return (
    src.match(/"(?:\\.|[^"\\])*"|`[^`]*`|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?(?:e[+-]?\d+)?|:=|==|!=|<=|>=|\s+|./g) ??
    []
  );
}

type Mutation = { kind: "insert" | "delete" | "duplicate"; at: number; token: string; length: number };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom("insert", "delete", "duplicate"),
  at: fc.nat(),
  token: fc.constantFrom(...TOKENS),
  length: fc.integer({ min: 1, max: 8 }),
});

function mutate(src: string, muts: readonly Mutation[]): string {
  const tokens = tokenize(src);
  for (const m of muts) {
    const at = tokens.length === 0 ? 0 : m.at % tokens.length;
    if (m.kind === "insert") tokens.splice(at, 0, ` ${m.token} `);
    else if (m.kind === "delete") tokens.splice(at, m.length);
    else tokens.splice(at, 0, ...tokens.slice(at, at + m.length));
  }
  return tokens.join("");
}

const mutatedModule = fc
  .tuple(fc.constantFrom(SHIPPED, ...SNIPPETS), fc.array(mutation, { minLength: 1, maxLength: 6 }))
  .map(([src, muts]) => mutate(src, muts));

const builtinCall: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...BUILTIN_NAMES), fc.array(fc.constantFrom(...HOSTILE_ARGS), { minLength: 0, maxLength: 4 }))
  .map(([name, args]) => `${name}(${args.join(", ")})`);

const callModule = fc
  .array(builtinCall, { minLength: 1, maxLength: 4 })
  .map((calls) => `package t\nimport rego.v1\n${calls.map((c, i) => `r${i} := ${c}`).join("\n")}\n`);

const nestedModule = fc
  .tuple(fc.constantFrom("(", "[", "{", "abs(", "[y | y := ", '{"a": '), fc.integer({ min: 1, max: 3_000 }))
  .map(([open, n]) => {
    const close = { "(": ")", "[": "]", "{": "}", "abs(": ")", "[y | y := ": "]", '{"a": ': "}" }[open] ?? ")";
    return `package t\nx := ${open.repeat(n)}1${close.repeat(n)}\n`;
  });

const jsonValue = fc.jsonValue({ maxDepth: 4 });

const input = fc.oneof(
  jsonValue,
  fc.record({ items: fc.array(fc.integer()), user: fc.record({ roles: fc.array(fc.string()) }), name: fc.string() }),
  fc.integer({ min: 1, max: 20_000 }).map((n) => {
    let v: unknown = 1;
    for (let i = 0; i < n; i++) v = [v];
    return { deep: v };
  }),
);

function isClean(e: unknown): boolean {
  return e instanceof RegoCompileError || e instanceof RegoEvalError;
}

/** Parses, compiles and evaluates every package of `source`; throws only what the property rejects. */
function exercise(source: string, doc: unknown, strict: boolean): void {
  let policy: ReturnType<typeof compilePolicy>;
  try {
    policy = compilePolicy([{ path: "fuzz.rego", source }], { strict });
  } catch (e) {
    if (isClean(e)) return;
    throw e;
  }
  for (const pkg of policy.packages()) {
    try {
      const v = policy.evaluate(`data.${pkg}`, { input: doc, maxSteps: 20_000, deadlineMs: 250 });
      if (v !== undefined) toJS(v);
    } catch (e) {
      if (!isClean(e)) throw e;
    }
  }
}

describe("Rego fuzz", () => {
  it(
    "every random or mutated module ends within its budget with a result or a clean Rego error",
    () => {
      process.stdout.write(`rego fuzz: seed ${SEED}\n`);
      fc.assert(
        fc.property(fc.oneof(mutatedModule, callModule, nestedModule), input, fc.boolean(), (source, doc, strict) => {
          if (process.env.SARK_FUZZ_TRACE) writeFileSync(process.env.SARK_FUZZ_TRACE, source);
          const start = Date.now();
          try {
            exercise(source, doc, strict);
          } catch (e) {
            throw new Error(`unclean ${e instanceof Error ? e.name : typeof e} for source:\n${source}\n${String(e)}`);
          }
          expect(Date.now() - start).toBeLessThan(CASE_LIMIT_MS);
        }),
        { numRuns: 1_000_000, interruptAfterTimeLimit: TIME_LIMIT_MS, seed: SEED },
      );
    },
    TIME_LIMIT_MS + 30_000,
  );
});
