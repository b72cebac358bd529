import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { renderDiagnostics, runTests, tryCompile } from "../../policy/compile.js";
import { toJS } from "../../policy/rego/index.js";
import { withBuiltinData } from "../../policy/store/builtin-data.js";
import { type CliIo, processIo } from "../io.js";
import { COMMAND_USAGE } from "../usage.js";
import { collectFiles, isRego, isYaml, mergeData, readDocument } from "./files.js";
import { runYamlSuite, type SuiteCase } from "./yaml-suite.js";

const USAGE = COMMAND_USAGE.policy;

const modulesOf = (files: readonly string[]) =>
  files.filter(isRego).map((path) => ({ path, source: readFileSync(path, "utf8") }));

/** `sark policy test`: like `opa test`, one PASS/FAIL line per test, exit 1 when anything failed. */
export function policyTest(paths: readonly string[], io: CliIo): number {
  const files = collectFiles(paths.length > 0 ? paths : ["policies"], [".rego", ".yaml", ".yml"]);
  const results: SuiteCase[] = [];
  const modules = modulesOf(files);
  if (modules.length > 0) {
    const outcome = tryCompile(modules);
    if (!outcome.ok) {
      io.err(`${renderDiagnostics(outcome.diagnostics)}\n`);
      return 1;
    }
    // print() output goes to stderr, so stdout stays one line per test.
    results.push(...runTests(outcome.compiled, { print: (msg) => io.err(`${msg}\n`) }));
  }
  for (const suite of files.filter(isYaml)) {
    try {
      results.push(...runYamlSuite(suite));
    } catch (e) {
      results.push({ name: suite, pass: false, error: e instanceof Error ? e.message : String(e) });
    }
  }
  for (const r of results) {
    io.out(`${r.pass ? "PASS" : "FAIL"}: ${r.name}${r.error ? ` (${r.error})` : ""}\n`);
  }
  const failed = results.filter((r) => !r.pass).length;
  io.out(`${"-".repeat(60)}\n${failed === 0 ? "PASS" : "FAIL"}: ${results.length - failed}/${results.length}\n`);
  if (results.length === 0) io.err("no tests found\n");
  return failed > 0 ? 1 : 0;
}

/** `sark policy eval`: loads modules and data (`.json`/`.yaml`) from --data, evaluates the query. */
export function policyEval(args: readonly string[], io: CliIo): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { data: { type: "string", short: "d", multiple: true }, input: { type: "string", short: "i" } },
    allowPositionals: true,
  });
  const query = positionals.join(" ").trim();
  if (!query || !values.data) {
    io.err(USAGE);
    return 2;
  }
  const files = collectFiles(values.data, [".rego", ".json", ".yaml", ".yml"]);
  const data: Record<string, unknown> = {};
  for (const f of files.filter((f) => !isRego(f))) mergeData(data, readDocument(f));
  const outcome = tryCompile(modulesOf(files));
  if (!outcome.ok) {
    io.err(`${renderDiagnostics(outcome.diagnostics)}\n`);
    return 1;
  }
  // SARK's built-in data (data.sark.redaction) is there, as in every decision the server makes.
  const opts = { data: withBuiltinData(data), input: values.input ? readDocument(values.input) : undefined };
  // A plain data reference prints its value; anything else prints every solution's bindings.
  if (/^data(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(query)) {
    const value = outcome.compiled.evaluate(query, opts);
    io.out(`${value === undefined ? "undefined" : JSON.stringify(toJS(value), null, 2)}\n`);
    return 0;
  }
  const rows = outcome.compiled
    .query(query, opts)
    .map((b) => Object.fromEntries(Object.entries(b).map(([k, v]) => [k, toJS(v)])));
  io.out(`${JSON.stringify(rows, null, 2)}\n`);
  return 0;
}

/** `sark policy check`: compiles the files together, like `opa check`. */
export function policyCheck(paths: readonly string[], io: CliIo): number {
  if (paths.length === 0) {
    io.err(USAGE);
    return 2;
  }
  const modules = modulesOf(collectFiles(paths, [".rego"]));
  const outcome = tryCompile(modules);
  if (!outcome.ok) {
    io.err(`${renderDiagnostics(outcome.diagnostics)}\n`);
    return 1;
  }
  io.out(`ok: ${modules.length} module(s), packages ${outcome.packages.join(", ")}\n`);
  return 0;
}

/** `sark policy test|eval|check …`: works on files only, no database or server needed. */
export async function policy(args: string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case "test":
        return policyTest(rest, io);
      case "eval":
        return policyEval(rest, io);
      case "check":
        return policyCheck(rest, io);
      default:
        io.err(USAGE);
        return 2;
    }
  } catch (e) {
    io.err(`sark policy ${command}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
