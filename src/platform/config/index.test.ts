import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./index.js";

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
};

const STRONG_SECRET = "k3H9q2-averylongrandomsecretvalue-4f8a1c";
const PROD_DB = "postgres://sark:pw@db:5432/sark";

describe("loadConfig", () => {
  it("defaults to the embedded development setup", () => {
    const c = loadConfig({});
    expect(c.environment).toBe("development");
    expect(c.http.port).toBe(8000);
    expect(c.database.url).toBeUndefined();
    expect(c.database.poolSize).toBe(20);
    expect(c.jwt.accessTokenTtlSeconds).toBe(900);
    expect(c.jwt.refreshTokenTtlSeconds).toBe(7 * 86400);
    expect(Object.isFrozen(c.jwt)).toBe(true);
  });

  it("reads LOG_LEVEL case-insensitively and durations with units", () => {
    const c = loadConfig({ LOG_LEVEL: "WARN", ACCESS_TOKEN_TTL: "5m", REFRESH_TOKEN_TTL: "2d" });
    expect(c.logging.level).toBe("warn");
    expect(c.jwt.accessTokenTtlSeconds).toBe(300);
    expect(c.jwt.refreshTokenTtlSeconds).toBe(172800);
  });

  it("bounds waits on the database and Redis: connect and command timeouts", () => {
    const defaults = loadConfig({});
    expect(defaults.database.connectTimeoutMs).toBe(5000);
    expect(defaults.database.applicationName).toBe("sark");
    expect(defaults.redis).toEqual({ commandTimeoutMs: 500, connectTimeoutMs: 2000 });
    const c = loadConfig({
      DB_CONNECT_TIMEOUT_MS: "1500",
      DB_APPLICATION_NAME: "sark-eu-1",
      REDIS_COMMAND_TIMEOUT_MS: "250",
      REDIS_CONNECT_TIMEOUT_MS: "1000",
    });
    expect(c.database).toMatchObject({ connectTimeoutMs: 1500, applicationName: "sark-eu-1" });
    expect(c.redis).toEqual({ commandTimeoutMs: 250, connectTimeoutMs: 1000 });
    expect(problemsOf({ REDIS_COMMAND_TIMEOUT_MS: "0" }).some((p) => p.startsWith("REDIS_COMMAND_TIMEOUT_MS"))).toBe(
      true,
    );
  });

  it("lists every problem at once, naming each variable", () => {
    const problems = problemsOf({ PORT: "http", DEBUG: "maybe", DB_SSL: "sometimes", ENVIRONMENT: "prod" });
    expect(problems.some((p) => p.startsWith("PORT"))).toBe(true);
    expect(problems.some((p) => p.startsWith("DEBUG"))).toBe(true);
    expect(problems.some((p) => p.startsWith("DB_SSL"))).toBe(true);
    expect(problems.some((p) => p.startsWith("ENVIRONMENT"))).toBe(true);
  });

  describe("production safety", () => {
    const prod = {
      ENVIRONMENT: "production",
      DATABASE_URL: PROD_DB,
      JWT_SECRET_KEY: STRONG_SECRET,
      AUDIT_CHECKPOINT_KEY: "audit-checkpoint-key-0123456789-abcdefgh",
    };

    it("accepts a complete production configuration", () => {
      expect(problemsOf(prod)).toEqual([]);
    });

    it.each([
      [{ JWT_SECRET_KEY: "" }, "JWT_SECRET_KEY is required"],
      [{ JWT_SECRET_KEY: "short" }, "JWT_SECRET_KEY must be at least 32"],
      [{ JWT_SECRET_KEY: "change-this-to-a-long-random-secret-in-production!!" }, "JWT_SECRET_KEY is a published"],
      [{ AUDIT_CHECKPOINT_KEY: "" }, "AUDIT_CHECKPOINT_KEY is required"],
      [{ AUDIT_CHECKPOINT_KEY: "short-audit-key" }, "AUDIT_CHECKPOINT_KEY must be at least 32"],
      [{ AUDIT_CHECKPOINT_KEY: "k".repeat(40) }, "AUDIT_CHECKPOINT_KEY is too predictable"],
      [{ DEBUG: "true" }, "DEBUG=true"],
      [{ DATABASE_URL: "" }, "DATABASE_URL"],
      [{ DATABASE_URL: "postgres://sark@db/sark" }, "no password"],
    ])("refuses %o", (override, message) => {
      expect(problemsOf({ ...prod, ...override }).join("\n")).toContain(message);
    });

    it.each([
      ["a".repeat(36), "only 1 distinct characters"],
      ["changeme-changeme-changeme-changeme-", "repeats a pattern of 9 characters"],
      ["abcdefgh".repeat(5), "repeats a pattern of 8 characters"],
      ["Your-JWT-Secret-Key-Here-Change-Me-Please", "placeholder words"],
      ["01010101010101010101010101010101ab", "only 4 distinct characters"],
    ])("refuses the low-entropy secret %s", (secret, message) => {
      const problems = problemsOf({ ...prod, JWT_SECRET_KEY: secret }).join("\n");
      expect(problems).toContain("JWT_SECRET_KEY is too predictable for production");
      expect(problems).toContain(message);
    });

    it("accepts a random hex secret", () => {
      expect(problemsOf({ ...prod, JWT_SECRET_KEY: randomBytes(32).toString("hex") })).toEqual([]);
    });

    it("allows the embedded database only when asked explicitly", () => {
      expect(problemsOf({ ...prod, DATABASE_URL: "", SARK_ALLOW_EMBEDDED_IN_PRODUCTION: "true" })).toEqual([]);
    });
  });

  it("requires key material for asymmetric JWT algorithms", () => {
    expect(problemsOf({ JWT_ALGORITHM: "RS256" }).join()).toContain("JWT_PRIVATE_KEY");
  });

  it("requires OPA_URL when the OPA engine is selected", () => {
    expect(problemsOf({ POLICY_ENGINE: "opa" }).join()).toContain("OPA_URL");
  });
});
