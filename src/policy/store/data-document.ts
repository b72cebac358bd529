/** Policy data paths: slash-separated segments that are also valid Rego identifiers. */
const SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_SEGMENTS = 8;

/**
 * Segments that name JavaScript's prototype machinery. They are valid Rego identifiers, but a path
 * such as `__proto__/x` once walked into Object.prototype and polluted every object of the process.
 * The document below no longer inherits from anything, so this is defence in depth and a clear 400.
 */
export const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Nesting limit for a stored data value. A deeper value (only possible from an older version or a
 * direct database edit) would exhaust the stack when policies read it, so it is skipped on load.
 */
export const MAX_DATA_DEPTH = 64;

/** The outcome of parsing a data path: the normal form, or a message naming what is wrong. */
export type DataPathResult = { ok: true; path: string } | { ok: false; message: string };

/** Parses `sark/config`, `/sark/config/` → `sark/config`; a user-facing message when it is not a data path. */
export function parseDataPath(raw: string): DataPathResult {
  const segments = raw.split("/").filter((s) => s.length > 0);
  if (segments.length === 0 || segments.length > MAX_SEGMENTS || !segments.every((s) => SEGMENT.test(s))) {
    return {
      ok: false,
      message: `'${raw}' is not a data path (1 to ${MAX_SEGMENTS} segments of letters, digits and _ separated by /)`,
    };
  }
  const forbidden = segments.find((s) => FORBIDDEN_SEGMENTS.has(s));
  if (forbidden !== undefined) {
    return { ok: false, message: `'${raw}' is not a data path: the segment '${forbidden}' is reserved` };
  }
  return { ok: true, path: segments.join("/") };
}

/** Normalises a data path; undefined when it is not a valid one (see {@link parseDataPath}). */
export function normaliseDataPath(raw: string): string | undefined {
  const r = parseDataPath(raw);
  return r.ok ? r.path : undefined;
}

/** True when one path contains the other (`sark` and `sark/config`): they would overwrite each other. */
export function pathsOverlap(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

/** True when `value` nests objects or arrays deeper than `limit` levels (iterative: no recursion to exhaust). */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const top = stack.pop();
    if (!top || typeof top.v !== "object" || top.v === null) continue;
    if (top.depth >= limit) return true;
    for (const child of Object.values(top.v)) stack.push({ v: child, depth: top.depth + 1 });
  }
  return false;
}

/** A stored data row that was left out of the document, and why. */
export interface SkippedDataRow {
  path: string;
  reason: string;
}

/** A node of the data document: no prototype, so no user-chosen key can reach Object.prototype. */
type DataNode = Record<string, unknown>;
const node = (): DataNode => Object.create(null) as DataNode;

/**
 * The `data` document: each stored path nested under its segments (`sark/config` → data.sark.config).
 * Rows that cannot be placed (invalid or reserved path, a path overlapping an earlier row, a value
 * nested deeper than {@link MAX_DATA_DEPTH}) are left out and listed in `skipped`, so one bad row
 * costs only itself. Intermediate objects have no prototype; stored values are placed as they are
 * (they come from JSON, where `__proto__` is an ordinary own key) and never walked into or mutated.
 */
export function buildDataDocument(rows: ReadonlyArray<{ path: string; value: unknown }>): {
  document: DataNode;
  skipped: SkippedDataRow[];
} {
  const root = node();
  const skipped: SkippedDataRow[] = [];
  const placed: string[] = [];
  for (const row of rows) {
    const parsed = parseDataPath(row.path);
    let reason: string | undefined;
    if (!parsed.ok || parsed.path !== row.path) reason = parsed.ok ? `'${row.path}' is not normalised` : parsed.message;
    else if (row.value === undefined) reason = "the stored value is not JSON";
    else if (nestedDeeperThan(row.value, MAX_DATA_DEPTH))
      reason = `the value nests deeper than ${MAX_DATA_DEPTH} levels`;
    else {
      const other = placed.find((p) => pathsOverlap(p, row.path));
      if (other !== undefined) reason = `it overlaps the data path '${other}'`;
    }
    if (reason !== undefined) {
      skipped.push({ path: row.path, reason });
      continue;
    }
    placeAt(root, row.path.split("/"), row.value);
    placed.push(row.path);
  }
  return { document: root, skipped };
}

/** Sets `value` at `segments` below `root`, creating prototype-less nodes; paths never overlap here. */
function placeAt(root: DataNode, segments: string[], value: unknown): void {
  let at = root;
  const last = segments.length - 1;
  for (let i = 0; i < last; i++) {
    const s = segments[i] as string;
    const next = at[s];
    // Only nodes created here are walked into: overlap was ruled out, so `next` is one of ours.
    if (next === undefined) {
      const created = node();
      at[s] = created;
      at = created;
    } else at = next as DataNode;
  }
  at[segments[last] as string] = value;
}
