import { type Env, EnvReader } from "./parsers.js";

export type Environment = "development" | "staging" | "production";

/** The deployment mode: production turns on the safety checks in `loadConfig`, HSTS and manual migrations. */
export interface EnvironmentConfig {
  readonly environment: Environment;
  /** Refused in production; nothing else reads it. */
  readonly debug: boolean;
}

/** Reads ENVIRONMENT and DEBUG, recording invalid values in `problems`. */
export function readEnvironmentConfig(env: Env, problems: string[]): EnvironmentConfig {
  const r = new EnvReader(env, problems);
  return {
    environment: r.oneOf("ENVIRONMENT", ["development", "staging", "production"] as const, "development"),
    debug: r.bool("DEBUG", false),
  };
}

/** Short environment label used in API key prefixes (`sark_dev_…`). */
export function environmentLabel(e: Environment): "dev" | "stg" | "prod" {
  return e === "production" ? "prod" : e === "staging" ? "stg" : "dev";
}
