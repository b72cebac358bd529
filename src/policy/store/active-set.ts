import { tryCompile } from "../compile.js";
import { buildDataDocument, type SkippedDataRow } from "./data-document.js";

/** An active policy version as the store holds it. */
export interface StoredModule {
  policy_id: string;
  name: string;
  version: number;
  content: string;
}

/** A policy data row as the store holds it. */
export interface StoredData {
  path: string;
  value: unknown;
}

/** A stored row the loader could not use: reported in logs and in `/health/detailed`. */
export interface SkippedRow {
  kind: "policy" | "data";
  /** `name@vN` for a policy, the data path for data. */
  ref: string;
  reason: string;
  /** What this replica serves instead: the last version of the row that loaded, or nothing. */
  serving: string | null;
}

/** The rows of the last successful load, by policy id and by data path. */
export interface LastGood {
  modules: ReadonlyMap<string, StoredModule>;
  data: ReadonlyMap<string, StoredData>;
}

export const NOTHING_LOADED: LastGood = { modules: new Map(), data: new Map() };

/** What the loader should compile and serve, and what it had to leave out. */
export interface LoadableSet {
  modules: StoredModule[];
  data: StoredData[];
  document: Record<string, unknown>;
  skipped: SkippedRow[];
}

const moduleRef = (m: StoredModule) => `${m.name}@v${m.version}`;

/**
 * Why one module cannot be loaded on its own, or undefined when it compiles. Anything the compiler
 * throws counts (a module nested deep enough to exhaust the parser's stack throws a RangeError),
 * so one stored row can never abort the load of the others.
 */
export function moduleProblem(m: StoredModule): string | undefined {
  if (typeof m.content !== "string") return "the stored content is not text";
  try {
    const outcome = tryCompile([{ path: `${m.name}.rego`, source: m.content }]);
    if (outcome.ok) return undefined;
    const first = outcome.diagnostics[0];
    return first ? `does not compile (line ${first.line}, column ${first.col}: ${first.message})` : "does not compile";
  } catch (e) {
    return `cannot be compiled: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/**
 * Chooses the rows to load: every row that loads on its own; a row that does not is replaced by its
 * last good version on this replica (a reload keeps serving what worked) or, with none, left out.
 */
export function selectLoadable(
  modules: readonly StoredModule[],
  dataRows: readonly StoredData[],
  lastGood: LastGood,
): LoadableSet {
  const skipped: SkippedRow[] = [];
  const chosenModules: StoredModule[] = [];
  for (const m of modules) {
    const problem = moduleProblem(m);
    if (problem === undefined) {
      chosenModules.push(m);
      continue;
    }
    // Only rows that loaded are remembered, so the previous one (even of the same version number,
    // edited in place) is known good.
    const fallback = lastGood.modules.get(m.policy_id);
    if (fallback) chosenModules.push(fallback);
    skipped.push({
      kind: "policy",
      ref: moduleRef(m),
      reason: problem,
      serving: fallback ? moduleRef(fallback) : null,
    });
  }

  const first = buildDataDocument(dataRows);
  if (first.skipped.length === 0)
    return { modules: chosenModules, data: [...dataRows], document: first.document, skipped };
  // Put each bad row's last good value in its place, then build again: that value loaded before,
  // but it may still collide with rows that changed since, so the second build decides.
  const bad = new Map(first.skipped.map((s) => [s.path, s]));
  const substituted: StoredData[] = [];
  for (const row of dataRows) {
    if (!bad.has(row.path)) substituted.push(row);
    else {
      const previous = lastGood.data.get(row.path);
      if (previous) substituted.push(previous);
    }
  }
  const second = buildDataDocument(substituted);
  const stillBad = new Set(second.skipped.map((s) => s.path));
  for (const s of first.skipped) {
    const served = lastGood.data.has(s.path) && !stillBad.has(s.path);
    skipped.push(dataSkip(s, served ? "previous value" : null));
  }
  for (const s of second.skipped) if (!bad.has(s.path)) skipped.push(dataSkip(s, null));
  return {
    modules: chosenModules,
    data: substituted.filter((d) => !stillBad.has(d.path)),
    document: second.document,
    skipped,
  };
}

function dataSkip(s: SkippedDataRow, serving: string | null): SkippedRow {
  return { kind: "data", ref: s.path, reason: s.reason, serving };
}

/** The rows of a successful load, to fall back on at the next one. */
export function rememberLoaded(set: LoadableSet): LastGood {
  return {
    modules: new Map(set.modules.map((m) => [m.policy_id, m])),
    data: new Map(set.data.map((d) => [d.path, d])),
  };
}
