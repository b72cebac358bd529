import { describe, expect, it } from "vitest";
import type { Environment } from "./environment.js";
import { readHttpConfig } from "./http.js";

const read = (env: Record<string, string>, environment: Environment = "development") => {
  const problems: string[] = [];
  return { http: readHttpConfig(env, problems, environment), problems };
};

describe("readHttpConfig", () => {
  it("reads MAX_JSON_DEPTH within 8..512, default 64", () => {
    expect(read({}).http.maxJsonDepth).toBe(64);
    expect(read({ MAX_JSON_DEPTH: "100" }).http.maxJsonDepth).toBe(100);
    expect(read({ MAX_JSON_DEPTH: "4" }).problems.join()).toContain("MAX_JSON_DEPTH");
    expect(read({ MAX_JSON_DEPTH: "100000" }).problems.join()).toContain("MAX_JSON_DEPTH");
  });

  it("waits 5 s before draining in production only, unless SHUTDOWN_DELAY_MS says otherwise", () => {
    expect(read({}).http.shutdownDelayMs).toBe(0);
    expect(read({}, "production").http.shutdownDelayMs).toBe(5000);
    expect(read({ SHUTDOWN_DELAY_MS: "0" }, "production").http.shutdownDelayMs).toBe(0);
  });
});
