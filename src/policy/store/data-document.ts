/** Policy data paths: slash-separated segments that are also valid Rego identifiers. */
const SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Normalises `sark/config`, `/sark/config/` → `sark/config`; undefined when not a valid path. */
export function normaliseDataPath(raw: string): string | undefined {
  const segments = raw.split("/").filter((s) => s.length > 0);
  if (segments.length === 0 || segments.length > 8 || !segments.every((s) => SEGMENT.test(s))) return undefined;
  return segments.join("/");
}

/** True when one path contains the other (`sark` and `sark/config`): they would overwrite each other. */
export function pathsOverlap(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

/** The `data` document: each stored path nested under its segments (`sark/config` → data.sark.config). */
export function buildDataDocument(rows: ReadonlyArray<{ path: string; value: unknown }>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const { path, value } of rows) {
    const segments = path.split("/");
    const last = segments.pop();
    if (last === undefined) continue;
    let node = root;
    for (const s of segments) {
      const next = node[s];
      if (typeof next === "object" && next !== null && !Array.isArray(next)) node = next as Record<string, unknown>;
      else node = node[s] = {};
    }
    node[last] = value;
  }
  return root;
}
