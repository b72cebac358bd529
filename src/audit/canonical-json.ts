/*
 * The one encoder of the hash chain: JSON with object keys sorted at every level. Every byte the
 * chain hashes comes out of this file (docs/AUDIT.md, "Hash chain").
 */

/** JSON with object keys sorted at every level: a stable byte form to hash. */
export function canonicalJson(value: unknown): string {
  // Redaction emits keys in sorted order, so most trees are already canonical and V8's native
  // JSON.stringify writes exactly the sorted form; only other trees take the key-by-key path.
  return isCanonicalTree(value, 0) ? JSON.stringify(value) : sortedJson(value);
}

function sortedJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i > 0 ? "," : "") + canonicalJson(value[i]);
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  let out = "{";
  for (const key of Object.keys(obj).sort()) {
    const v = obj[key];
    if (v === undefined) continue;
    out += `${out.length > 1 ? "," : ""}${JSON.stringify(key)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

/** Deep enough for any redacted event (REDACTION_LIMITS.maxDepth); deeper trees take the slow path. */
const MAX_FAST_DEPTH = 32;

/**
 * Whether `JSON.stringify(value)` is byte-identical to the sorted-key form: plain objects and
 * arrays whose every object lists its keys in sorted order (`Object.keys` order is JSON.stringify's
 * order, integer-like keys included), with only strings, finite numbers, booleans and null as
 * leaves (no undefined, toJSON, Dates, NaN or bigint, which the two encodings treat differently).
 */
function isCanonicalTree(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value);
    case "object":
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (depth >= MAX_FAST_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isCanonicalTree(value[i], depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (i > 0 && !((keys[i - 1] as string) < key)) return false;
    if (!isCanonicalTree(obj[key], depth + 1)) return false;
  }
  return true;
}
