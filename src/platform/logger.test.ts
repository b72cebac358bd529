import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.js";

function capture(level: "info" | "debug" = "info") {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(
    { logging: { level }, environment: "staging" },
    { write: (line: string) => lines.push(JSON.parse(line)) },
  );
  return { logger, lines };
}

describe("the service logger", () => {
  it("names the level, so a pipeline or a grep on the logs can match it", () => {
    const { logger, lines } = capture("debug");
    logger.error("boom");
    logger.warn("careful");
    logger.info("fine");
    logger.debug("detail");
    expect(lines.map((l) => l.level)).toEqual(["error", "warn", "info", "debug"]);
    expect(lines[0]).toMatchObject({ service: "sark", env: "staging", msg: "boom" });
  });

  it("still masks credentials", () => {
    const { logger, lines } = capture();
    logger.info({ password: "hunter2", nested: { token: "t0k3n" } }, "login");
    expect(JSON.stringify(lines)).not.toMatch(/hunter2|t0k3n/);
  });
});
