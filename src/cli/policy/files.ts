import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { parse as parseYaml } from "yaml";

/** Every file under `paths` (files as given, directories recursively, hidden entries skipped), sorted. */
export function collectFiles(paths: readonly string[], extensions: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string, explicit: boolean) => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) if (!name.startsWith(".")) walk(join(p, name), false);
    } else if (explicit || extensions.includes(extname(p))) {
      out.push(p);
    }
  };
  for (const p of paths) walk(p, true);
  return out;
}

export const isRego = (file: string): boolean => extname(file) === ".rego";
export const isYaml = (file: string): boolean => [".yaml", ".yml"].includes(extname(file));

/** A JSON or YAML document (YAML is a superset of JSON, but JSON files get JSON's error messages). */
export function readDocument(file: string): unknown {
  const text = readFileSync(file, "utf8");
  return extname(file) === ".json" ? JSON.parse(text) : parseYaml(text);
}

/** Deep-merges plain objects (later wins for non-objects), like OPA merging several data files. */
export function mergeData(target: Record<string, unknown>, source: unknown): Record<string, unknown> {
  if (typeof source !== "object" || source === null || Array.isArray(source)) return target;
  for (const [k, v] of Object.entries(source)) {
    const existing = Object.hasOwn(target, k) ? target[k] : undefined;
    const bothObjects =
      typeof existing === "object" &&
      existing !== null &&
      !Array.isArray(existing) &&
      typeof v === "object" &&
      v !== null &&
      !Array.isArray(v);
    const merged = bothObjects ? mergeData(existing as Record<string, unknown>, v) : v;
    // defineProperty: a data file's `__proto__` key is data, never the prototype setter (or, merged
    // into, Object.prototype itself).
    Object.defineProperty(target, k, { value: merged, enumerable: true, writable: true, configurable: true });
  }
  return target;
}
