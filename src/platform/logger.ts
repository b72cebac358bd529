import pino, { type Logger } from "pino";
import { isoTime } from "./clock.js";
import type { Config } from "./config/index.js";
import { createLogDestination } from "./log-destination.js";

export type { Logger } from "pino";

/**
 * Paths pino masks in every log line. Request logs never carry bodies, but headers and error
 * objects can, so credentials are censored at the logger as a last line of defence.
 */
const REDACT_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-api-key"]',
  "password",
  "*.password",
  "token",
  "*.token",
  "secret",
  "*.secret",
  "access_token",
  "refresh_token",
];

/**
 * The service's logger: JSON lines on stdout, written once per event-loop turn (log-destination.ts).
 * `destination` is for tests that read the lines.
 */
export function createLogger(
  config: Pick<Config, "logging" | "environment">,
  destination: pino.DestinationStream = createLogDestination(1),
): Logger {
  return pino(
    {
      level: config.logging.level,
      // The level by name ("level":"error"), which log pipelines and a grep on `kubectl logs` match;
      // pino renders each level's prefix once, when the logger is made, so lines cost no more.
      formatters: { level: (label) => ({ level: label }) },
      base: { service: "sark", env: config.environment },
      redact: { paths: REDACT_PATHS, censor: "[REDACTED]" },
      // pino's isoTime, with the last millisecond's text remembered (clock.ts): under load many lines share one.
      timestamp: () => `,"time":"${isoTime(Date.now())}"`,
    },
    destination,
  );
}
