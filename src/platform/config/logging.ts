import { type Env, EnvReader } from "./parsers.js";

export interface LoggingConfig {
  readonly level: "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
}

/** Reads LOG_LEVEL (case-insensitive), recording an invalid value in `problems`. */
export function readLoggingConfig(env: Env, problems: string[]): LoggingConfig {
  const r = new EnvReader(env, problems);
  return {
    level: r.oneOf("LOG_LEVEL", ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const, "info"),
  };
}
