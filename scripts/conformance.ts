/**
 * Runs the regorus conformance cases against SARK's Rego engine.
 *
 *   npm run conformance [-- --verbose] [--filter text] [--write-baseline]
 *
 * Cases come from ../shared/conformance/regorus (override with CONFORMANCE_DIR). Deliberate skips
 * live in policy-conformance-skips.yaml with one reason each, as do the cases whose expected result
 * is regorus's where OPA's differs: those run against OPA's result instead (`opa_expectations`).
 * Exits non-zero when fewer cases pass than conformance-baseline.json records.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, parseDocument } from "yaml";
import { compilePolicy, equals, fromJS, RegoObject, RegoSet, toJS, type Value } from "../src/policy/rego/index.js";

interface Case {
  note: string;
  modules?: string[];
  data?: unknown;
  input?: unknown;
  query: string;
  want_result?: unknown;
  error?: string;
  skip?: boolean;
  strict?: boolean;
  no_result?: boolean;
}

interface Skip {
  file: string;
  note: string;
  reason: string;
}

/** A case run against OPA's result instead of the one regorus gives (exactly one of the three). */
interface OpaExpectation extends Skip {
  want_result?: unknown;
  error?: string;
  no_result?: boolean;
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const casesDir = resolve(root, process.env.CONFORMANCE_DIR ?? "../shared/conformance/regorus");
const args = process.argv.slice(2);
const verbose = args.includes("--verbose");
const writeBaseline = args.includes("--write-baseline");
const filterAt = args.indexOf("--filter");
const filter = filterAt >= 0 ? (args[filterAt + 1] ?? "") : "";

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) return yamlFiles(p);
      return p.endsWith(".yaml") ? [p] : [];
    });
}

/** The cases' YAML encodes sets as `{set!: [...]}` and non-string-keyed objects as `{object!: [{key, value}]}`. */
function toValue(x: unknown): Value {
  if (Array.isArray(x)) return x.map(toValue);
  if (x instanceof Map) return mapToValue(x);
  if (x !== null && typeof x === "object") {
    const o = x as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === "set!") return RegoSet.from((o["set!"] as unknown[]).map(toValue));
    if (keys.length === 1 && keys[0] === "object!") {
      const entries = o["object!"] as { key: unknown; value: unknown }[];
      return RegoObject.fromEntries(entries.map((e) => [toValue(e.key), toValue(e.value)] as const));
    }
    return RegoObject.fromEntries(keys.map((k) => [k, toValue(o[k])] as const));
  }
  return fromJS(x);
}

/** With `mapAsMap`, YAML keys keep their type (`null:`, `true:`, `7:`), as regorus reads them. */
function mapToValue(m: Map<unknown, unknown>): Value {
  if (m.size === 1 && m.has("set!")) return RegoSet.from((m.get("set!") as unknown[]).map(toValue));
  if (m.size === 1 && m.has("object!")) {
    const entries = m.get("object!") as Map<unknown, unknown>[];
    return RegoObject.fromEntries(entries.map((e) => [toValue(e.get("key")), toValue(e.get("value"))] as const));
  }
  return RegoObject.fromEntries([...m].map(([k, v]) => [toValue(k), toValue(v)] as const));
}

function many(x: unknown): unknown[] | undefined {
  if (x instanceof Map) return x.size === 1 && x.has("many!") ? (x.get("many!") as unknown[]) : undefined;
  if (x !== null && typeof x === "object" && !Array.isArray(x) && "many!" in x) {
    return (x as Record<string, unknown[]>)["many!"];
  }
  return undefined;
}

/** One query result as regorus reports it: the bindings, or the last expression's value. */
function resultValue(rec: Record<string, Value>): Value {
  const named = Object.keys(rec).filter((k) => k !== "__expr__");
  if (named.length > 0) return RegoObject.fromEntries(named.map((k) => [k, rec[k] as Value] as const));
  return rec.__expr__ ?? null;
}

function runCase(c: Case, typedWant: unknown): { ok: boolean; detail: string } {
  const expectError = c.error !== undefined;
  try {
    const policy = compilePolicy(
      (c.modules ?? []).map((source, i) => ({ path: `module_${i}.rego`, source })),
      { strict: c.strict ?? true },
    );
    const data = toValue(c.data ?? {});
    const inputs = many(c.input) ?? [c.input];
    const actual: Value[][] = inputs.map((input) =>
      policy
        .query(c.query, { data, input: input === undefined ? undefined : toValue(input), nowNs: Date.now() * 1e6 })
        .map(resultValue),
    );
    if (expectError) return { ok: false, detail: `expected error "${c.error}", got ${show(actual)}` };
    // `many!` lists one expectation per input when the input is `many!`, else every result of the query.
    const perInput = many(c.input) !== undefined;
    for (const [i, got] of actual.entries()) {
      const want = perInput ? many(c.want_result)?.[i] : c.want_result;
      const typed = perInput ? many(typedWant)?.[i] : typedWant;
      const ok =
        want === undefined || c.no_result
          ? got.length === 0
          : matches(got, want, perInput) || matches(got, typed, perInput);
      if (!ok)
        return {
          ok: false,
          detail: `want ${show(want === undefined ? [] : toJS(toValue(want)))}\n     got  ${show(got)}`,
        };
    }
    return { ok: true, detail: "" };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return expectError ? { ok: true, detail: msg } : { ok: false, detail: `unexpected error: ${msg}` };
  }
}

function matches(got: readonly Value[], want: unknown, perInput: boolean): boolean {
  const wants = perInput ? undefined : many(want);
  if (wants) return equals(got, wants.map(toValue));
  return got.length === 1 && equals(got[0] as Value, toValue(want));
}

function show(x: unknown): string {
  return JSON.stringify(x, (_k, v) => (v instanceof RegoObject || v instanceof RegoSet ? toJS(v) : v));
}

function loadDeviations(): { skips: Skip[]; opa: OpaExpectation[] } {
  const p = join(root, "policy-conformance-skips.yaml");
  if (!existsSync(p)) return { skips: [], opa: [] };
  const doc = parse(readFileSync(p, "utf8")) as { skips?: Skip[]; opa_expectations?: OpaExpectation[] };
  const opa = doc.opa_expectations ?? [];
  for (const o of opa) {
    const given = [o.want_result !== undefined, o.error !== undefined, o.no_result === true].filter(Boolean).length;
    if (given !== 1) throw new Error(`opa_expectations: ${o.file} :: ${o.note} needs exactly one expectation`);
  }
  return { skips: doc.skips ?? [], opa };
}

/** The case with OPA's expectation in place of the one it was written with. */
function withOpaExpectation(c: Case, o: OpaExpectation): Case {
  const { want_result: _w, error: _e, no_result: _n, ...rest } = c;
  return { ...rest, want_result: o.want_result, error: o.error, no_result: o.no_result };
}

interface Tally {
  passed: number;
  failed: number;
  skipped: number;
}

function main(): void {
  const { skips, opa } = loadDeviations();
  const used = new Set<OpaExpectation>();
  const perFolder = new Map<string, Tally>();
  const total: Tally = { passed: 0, failed: 0, skipped: 0 };
  for (const file of yamlFiles(casesDir)) {
    const rel = relative(casesDir, file);
    const folder = dirname(rel) === "." ? "(root)" : dirname(rel);
    const text = readFileSync(file, "utf8");
    const doc = parseDocument(text).toJS() as { cases?: Case[] };
    const typed = parseDocument(text).toJS({ mapAsMap: true }) as Map<string, Map<string, unknown>[]>;
    const typedCases = typed.get("cases") ?? [];
    const tally = perFolder.get(folder) ?? { passed: 0, failed: 0, skipped: 0 };
    perFolder.set(folder, tally);
    for (const [ci, c] of (doc.cases ?? []).entries()) {
      if (filter && !`${rel} ${c.note}`.includes(filter)) continue;
      const skipped = c.skip === true || skips.some((s) => s.file === rel && s.note === c.note);
      if (skipped) {
        tally.skipped++;
        total.skipped++;
        continue;
      }
      const override = opa.find((o) => o.file === rel && o.note === c.note);
      if (override) used.add(override);
      const r = override
        ? runCase(withOpaExpectation(c, override), override.want_result)
        : runCase(c, typedCases[ci]?.get("want_result"));
      const key = r.ok ? "passed" : "failed";
      tally[key]++;
      total[key]++;
      if (!r.ok && verbose) console.log(`FAIL ${rel} :: ${c.note}\n     ${r.detail}`);
    }
  }
  for (const [folder, t] of [...perFolder].sort()) {
    if (t.passed + t.failed + t.skipped > 0)
      console.log(`${folder.padEnd(28)} ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`);
  }
  const baselinePath = join(root, "conformance-baseline.json");
  if (writeBaseline) writeFileSync(baselinePath, `${JSON.stringify({ passed: total.passed }, null, 2)}\n`);
  const baseline = existsSync(baselinePath)
    ? (JSON.parse(readFileSync(baselinePath, "utf8")) as { passed: number }).passed
    : 0;
  if (used.size > 0) console.log(`(${used.size} cases judged by OPA's result, not regorus's: see opa_expectations)`);
  // An entry that matches no case (a renamed case, a typo) would silently stop judging anything.
  const unused = filter ? [] : opa.filter((o) => !used.has(o));
  for (const o of unused) console.error(`opa_expectations: no case ${o.file} :: ${o.note}`);
  console.log(`conformance: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  if ((!filter && total.passed < baseline) || unused.length > 0) process.exitCode = 1;
}

main();
