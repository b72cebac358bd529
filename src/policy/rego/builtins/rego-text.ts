/**
 * Rego's own text form of values (OPA's `Value.String()`), used by `sprintf` for non-string
 * arguments and by `print`-style output: strings quoted inside composites, sets as `{1, 2}`
 * (empty: `set()`), object keys and set members in Rego order.
 */
import { type RegoObject, RegoSet, type Value } from "../value.js";

/**
 * A number as Rego source would write it. JS's shortest round-trip form also recovers the digits a
 * policy wrote for large integers (1703444325734390000 rather than the double's exact value).
 */
export function numberText(n: number): string {
  return String(n);
}

export function regoText(v: Value): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return v ? "true" : "false";
    case "number":
      return numberText(v);
    case "string":
      return JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map(regoText).join(", ")}]`;
  if (v instanceof RegoSet) return v.size === 0 ? "set()" : `{${v.sorted().map(regoText).join(", ")}}`;
  const entries = (v as RegoObject).sortedEntries().map(([k, x]) => `${regoText(k)}: ${regoText(x)}`);
  return `{${entries.join(", ")}}`;
}
