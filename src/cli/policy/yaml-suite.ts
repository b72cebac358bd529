import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { renderDiagnostics, tryCompile } from "../../policy/compile.js";
import { type CompiledPolicy, toJS } from "../../policy/rego/index.js";
import { interpretResult } from "../../policy/result.js";
import { withBuiltinData } from "../../policy/store/builtin-data.js";
import { collectFiles, isRego, readDocument } from "./files.js";

/**
 * The YAML test-suite format accepted by `sark policy test`:
 *   policy: authz.rego            # file or directory (or a list), relative to the suite file
 *   package: sark.authz           # optional, default sark.authz
 *   data: { sark: { config: … } } # optional base document
 *   tests:
 *     - name: viewer cannot register
 *       input: { user: { roles: [viewer] }, action: server:register }
 *       expected: { allow: false }
 */
export interface SuiteCase {
  name: string;
  pass: boolean;
  error?: string;
}

interface Suite {
  policy: string | string[];
  package?: string;
  data?: unknown;
  tests: Array<{ name?: string; input?: unknown; expected?: { allow?: boolean } }>;
}

function parseSuite(raw: unknown, file: string): Suite {
  const s = raw as Partial<Suite> | null;
  if (!s || typeof s !== "object" || !s.policy || !Array.isArray(s.tests)) {
    throw new Error(`${file}: a test suite needs 'policy' and a 'tests' list`);
  }
  return s as Suite;
}

function decide(compiled: CompiledPolicy, pkg: string, input: unknown, data: unknown): boolean {
  // SARK's built-in data (data.sark.redaction) is there, as in every decision SARK makes.
  const base = typeof data === "object" && data !== null && !Array.isArray(data) ? data : {};
  const doc = compiled.evaluate(`data.${pkg}`, { input, data: withBuiltinData(base as Record<string, unknown>) });
  const result = interpretResult(doc === undefined ? undefined : toJS(doc), `data.${pkg}`);
  return result.allow && result.deny.length === 0;
}

/** Runs one YAML suite file; a suite whose policy does not compile fails every case with the diagnostics. */
export function runYamlSuite(file: string): SuiteCase[] {
  const suite = parseSuite(readDocument(file), file);
  const base = dirname(file);
  const policyPaths = (Array.isArray(suite.policy) ? suite.policy : [suite.policy]).map((p) => resolve(base, p));
  const modules = collectFiles(policyPaths, [".rego"])
    .filter(isRego)
    .map((p) => ({ path: p, source: readFileSync(p, "utf8") }));
  const outcome = tryCompile(modules);
  const pkg = suite.package ?? "sark.authz";
  return suite.tests.map((t, i) => {
    const name = `${file}: ${t.name ?? `test #${i + 1}`}`;
    if (!outcome.ok) return { name, pass: false, error: renderDiagnostics(outcome.diagnostics) };
    const want = t.expected?.allow;
    if (typeof want !== "boolean") return { name, pass: false, error: "expected.allow must be true or false" };
    try {
      const got = decide(outcome.compiled, pkg, t.input ?? {}, suite.data ?? {});
      return got === want
        ? { name, pass: true }
        : { name, pass: false, error: `expected allow=${want}, got allow=${got}` };
    } catch (e) {
      return { name, pass: false, error: e instanceof Error ? e.message : String(e) };
    }
  });
}
