import { redactionRules } from "../../core/redaction.js";

/** The data path SARK itself provides; stored policy data may not use it (or a path inside it). */
export const BUILTIN_DATA_PATH = "sark/redaction";

/**
 * The data every SARK evaluation sees besides the stored policy data: `data.sark.redaction`, the
 * audit log's redaction rules, which the default policy's `filtered_parameters` applies to tool
 * arguments. Shipped for a remote OPA as policies/redaction-data.json (a test keeps it equal).
 */
export function builtinData(): { sark: { redaction: ReturnType<typeof redactionRules> } } {
  return { sark: { redaction: redactionRules() } };
}

/**
 * `document` with the built-in data added. A stored `data.sark` document (path `sark`) keeps its
 * other members; `redaction` is always SARK's. Never mutates `document` or the stored values in it.
 */
export function withBuiltinData(document: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out = Object.assign(Object.create(null) as Record<string, unknown>, document);
  const stored = document.sark;
  const sark = Object.create(null) as Record<string, unknown>;
  if (typeof stored === "object" && stored !== null && !Array.isArray(stored)) Object.assign(sark, stored);
  // Both objects have no prototype, so a stored `__proto__` member is copied as plain data.
  sark.redaction = builtinData().sark.redaction;
  out.sark = sark;
  return out;
}
