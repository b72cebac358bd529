import { type Env, EnvReader } from "./parsers.js";

export interface RegistryConfig {
  /** How often a replica checks whether the registry changed elsewhere; 0 turns its read cache off. */
  readonly cacheRefreshMs: number;
}

/** Reads REGISTRY_CACHE_REFRESH_MS, recording an invalid value in `problems`. */
export function readRegistryConfig(env: Env, problems: string[]): RegistryConfig {
  const r = new EnvReader(env, problems);
  return { cacheRefreshMs: r.int("REGISTRY_CACHE_REFRESH_MS", 1000, 0, 60_000) };
}
