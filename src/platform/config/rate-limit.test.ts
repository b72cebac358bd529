import { describe, expect, it } from "vitest";
import { readLoginProtectionConfig, readRateLimitConfig } from "./rate-limit.js";

const read = (env: Record<string, string>) => {
  const problems: string[] = [];
  return { config: readRateLimitConfig(env, problems), problems };
};

describe("readRateLimitConfig", () => {
  it("defaults to the deployment guide's limits, on", () => {
    const { config, problems } = read({});
    expect(problems).toEqual([]);
    expect(config).toMatchObject({ enabled: true, perUser: 5000, perApiKey: 1000, perIp: 100, fallbackFraction: 0.25 });
    expect(config.roleOverrides.size).toBe(0);
  });

  it("reads role overrides, and names each malformed entry", () => {
    const { config } = read({ RATE_LIMIT_ROLE_OVERRIDES: "analyst=20000, viewer = 50" });
    expect([...config.roleOverrides]).toEqual([
      ["analyst", 20000],
      ["viewer", 50],
    ]);
    for (const bad of ["analyst", "analyst=0", "analyst=-5", "=10", "analyst=1e3", "analyst=99999999999"]) {
      expect(read({ RATE_LIMIT_ROLE_OVERRIDES: bad }).problems.join(), bad).toContain("RATE_LIMIT_ROLE_OVERRIDES");
    }
  });

  it("keeps __proto__ an ordinary role name, not a prototype write", () => {
    const { config } = read({ RATE_LIMIT_ROLE_OVERRIDES: "__proto__=7" });
    expect(config.roleOverrides.get("__proto__")).toBe(7);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses limits below 1 and a fallback fraction outside (0, 1]", () => {
    expect(read({ RATE_LIMIT_PER_USER: "0" }).problems.join()).toContain("RATE_LIMIT_PER_USER");
    for (const bad of ["0", "1.5", "-0.1", "half"]) {
      expect(read({ RATE_LIMIT_FALLBACK_FRACTION: bad }).problems.join(), bad).toContain(
        "RATE_LIMIT_FALLBACK_FRACTION",
      );
    }
    expect(read({ RATE_LIMIT_FALLBACK_FRACTION: "1" }).config.fallbackFraction).toBe(1);
  });
});

describe("readLoginProtectionConfig", () => {
  it("defaults to 5 failures per 15 minutes, 30 s doubling to 15 min, 100 per hour locks for 30 min", () => {
    const problems: string[] = [];
    expect(readLoginProtectionConfig({}, problems)).toEqual({
      maxFailures: 5,
      failureWindowSeconds: 900,
      backoffBaseSeconds: 30,
      backoffMaxSeconds: 900,
      lockoutThreshold: 100,
      lockoutWindowSeconds: 3600,
      lockoutSeconds: 1800,
    });
    expect(problems).toEqual([]);
  });

  it("refuses a maximum backoff shorter than the first", () => {
    const problems: string[] = [];
    readLoginProtectionConfig({ LOGIN_BACKOFF_BASE: "10m", LOGIN_BACKOFF_MAX: "1m" }, problems);
    expect(problems.join()).toContain("LOGIN_BACKOFF_MAX");
  });
});
