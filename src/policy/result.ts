import { type EngineResult, PolicyEvalFailure } from "./types.js";

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `allow`: a boolean, or absent (false). Anything else is a malformed policy. */
export function readAllow(v: unknown, source: string): boolean {
  if (v === undefined) return false;
  if (typeof v !== "boolean") throw new PolicyEvalFailure(`${source}: allow must be a boolean, got ${typeof v}`);
  return v;
}

/** `deny`: a set (JSON array) of strings, or absent. An object's values are accepted as OPA maps. */
export function readDeny(v: unknown, source: string): string[] {
  if (v === undefined || v === null) return [];
  const items = Array.isArray(v) ? v : isRecord(v) ? Object.values(v) : undefined;
  if (!items) throw new PolicyEvalFailure(`${source}: deny must be a set of strings`);
  return items.map((x) => (typeof x === "string" ? x : JSON.stringify(x)));
}

export function readReason(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === "string" ? v : JSON.stringify(v);
}

export function readFilteredParameters(v: unknown, source: string): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  if (!isRecord(v)) throw new PolicyEvalFailure(`${source}: filtered_parameters must be an object`);
  return v;
}

export function readCacheTtl(v: unknown, source: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
    throw new PolicyEvalFailure(`${source}: cache_ttl must be a non-negative number of seconds`);
  }
  return v;
}

/**
 * Reads a whole decision document as OPA returns it: an object with `allow`, `deny`, `reason`,
 * `filtered_parameters`, `cache_ttl`, or a bare boolean (allow). Undefined (no result) and any
 * other shape are failures, which the caller turns into a deny.
 */
export function interpretResult(raw: unknown, source: string): EngineResult {
  if (typeof raw === "boolean") return { allow: raw, deny: [] };
  if (raw === undefined) throw new PolicyEvalFailure(`${source}: the policy returned no result (undefined decision)`);
  if (!isRecord(raw)) throw new PolicyEvalFailure(`${source}: malformed result (expected an object or a boolean)`);
  const result: EngineResult = { allow: readAllow(raw.allow, source), deny: readDeny(raw.deny, source) };
  const reason = readReason(raw.reason);
  if (reason !== undefined) result.reason = reason;
  const filtered = readFilteredParameters(raw.filtered_parameters, source);
  if (filtered !== undefined) result.filteredParameters = filtered;
  const ttl = readCacheTtl(raw.cache_ttl, source);
  if (ttl !== undefined) result.cacheTtl = ttl;
  return result;
}
