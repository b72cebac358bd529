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

  it("reads TRUST_PROXY as a flag, a hop count, or proxy addresses and CIDRs, and refuses anything else", () => {
    expect(read({}).http.trustProxy).toBe(false);
    expect(read({ TRUST_PROXY: "true" }).http.trustProxy).toBe(true);
    expect(read({ TRUST_PROXY: "off" }).http.trustProxy).toBe(false);
    expect(read({ TRUST_PROXY: "2" }).http.trustProxy).toBe(2);
    expect(read({ TRUST_PROXY: "10.0.0.0/8, 192.168.1.10,fd00::/8" }).http.trustProxy).toEqual([
      "10.0.0.0/8",
      "192.168.1.10",
      "fd00::/8",
    ]);
    for (const bad of ["10.0.0.0/33", "ingress.local", "10.0.0.1/8/1", "maybe", "99"]) {
      expect(read({ TRUST_PROXY: bad }).problems.join(), bad).toContain("TRUST_PROXY");
    }
  });
});
