import { RE2JS } from "re2js";
import { describe, expect, it } from "vitest";
import { isSensitiveKey, REDACTED, REDACTION_LIMITS, redact, redactionRules, redactString } from "../core/redaction.js";

// Fixtures are assembled at runtime so no scanner mistakes this file for a leak.
const AWS_KEY = ["AKIA", "IOSFODNN7EXAMPLE"].join("");
const AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const OPENAI = ["sk-", "proj-", "a1B2c3D4e5F6g7H8i9J0kLmN"].join("");
const GITHUB = ["ghp_", "a".repeat(36)].join("");
const SLACK = ["xoxb-", "1234567890-abcdefghij"].join("");
const JWT = ["eyJhbGciOiJIUzI1NiJ9", "eyJzdWIiOiIxMjM0NTY3ODkwIn0", "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"].join(
  ".",
);
const SARK_KEY = ["sark_dev_", "A".repeat(16), "_", "b".repeat(43)].join("");
const PEM = ["-----BEGIN RSA PRIVATE KEY-----", "MIIEpAIBAAKCAQEA7", "-----END RSA PRIVATE KEY-----"].join("\n");

describe("isSensitiveKey", () => {
  it.each([
    "password",
    "Password",
    "new_password",
    "client_secret",
    "token",
    "access_token",
    "refreshToken",
    "api_key",
    "apiKey",
    "X-API-Key",
    "authorization",
    "Proxy-Authorization",
    "cookie",
    "Set-Cookie",
    "private_key",
    "aws_secret_access_key",
    "credentials",
    "pwd",
    "key",
    "session_id",
    "secret_id",
    "client_secret",
    "secretAccessKey",
  ])("%s is sensitive", (key) => expect(isSensitiveKey(key)).toBe(true));

  it.each([
    "username",
    "max_tokens",
    "total_tokens",
    "revoked_tokens",
    "token_count",
    "api_key_id",
    "token_id",
    "secret_name",
    "password_changed_at",
    "token_type",
    "key_prefix",
    "description",
    "keyboard",
    "monkey",
    "id",
  ])("%s is not sensitive", (key) => expect(isSensitiveKey(key)).toBe(false));
});

describe("redactString", () => {
  it.each([
    ["aws access key", `id=${AWS_KEY} rest`, AWS_KEY],
    ["openai key", `key ${OPENAI}`, OPENAI],
    ["github token", `use ${GITHUB}`, GITHUB],
    ["slack token", `slack ${SLACK}`, SLACK],
    ["jwt", `t=${JWT}`, JWT],
    ["sark api key", `X-API-Key: ${SARK_KEY}`, SARK_KEY],
    ["pem private key", `key:\n${PEM}\nafter`, "MIIEpAIBAAKCAQEA7"],
    ["bearer header", "Bearer abcdefghijklmnop123", "abcdefghijklmnop123"],
    ["aws secret assignment", `aws_secret_access_key = ${AWS_SECRET}`, AWS_SECRET],
  ])("masks %s", (_name, input, secret) => {
    const out = redactString(input);
    expect(out).not.toContain(secret);
    expect(out).toContain("REDACTED");
  });

  it("masks only the password of a URL and keeps the rest", () => {
    expect(redactString("postgres://sark:hunter2-long@db.internal:5432/sark")).toBe(
      `postgres://sark:${REDACTED}@db.internal:5432/sark`,
    );
    expect(redactString("https://example.com/path?x=1")).toBe("https://example.com/path?x=1");
  });

  it("keeps the surrounding text", () => {
    expect(redactString(`before ${AWS_KEY} after`)).toBe("before [REDACTED:aws_access_key] after");
  });

  it("leaves ordinary strings alone", () => {
    for (const s of ["hello world", "server.registered", "sk-short", "a".repeat(100), "2026-11-26T05:00:00.000Z"]) {
      expect(redactString(s)).toBe(s);
    }
  });

  it("masks a private key whose END line is missing (truncated input)", () => {
    expect(redactString("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC")).toBe(
      "[REDACTED:private_key]",
    );
  });

  it("truncates huge strings", () => {
    const out = redactString("x".repeat(REDACTION_LIMITS.maxStringLength + 10));
    expect(out.length).toBeLessThan(REDACTION_LIMITS.maxStringLength + 40);
    expect(out).toContain("TRUNCATED 10 chars");
  });

  it("removes what jsonb rejects: NUL and lone surrogates", () => {
    expect(redactString("a\u0000b")).toBe("a\uFFFDb");
    expect(redactString("x\uD800y")).toBe("x\uFFFDy");
    expect(redactString("ok \uD83D\uDE00")).toBe("ok \uD83D\uDE00");
  });
});

describe("redact", () => {
  it("masks values under sensitive keys at any depth, whatever their type", () => {
    const input = {
      username: "alice",
      password: "hunter2",
      nested: { headers: { Authorization: "Basic xyz", "X-API-Key": 12345 }, list: [{ token: { a: 1 } }] },
      flags: { secret: true, token: null },
    };
    expect(redact(input)).toEqual({
      username: "alice",
      password: REDACTED,
      nested: { headers: { Authorization: REDACTED, "X-API-Key": REDACTED }, list: [{ token: REDACTED }] },
      flags: { secret: true, token: null },
    });
  });

  it("masks credential shapes in values under ordinary keys", () => {
    const out = redact({ metadata: { note: `deploy with ${AWS_KEY}`, env: [`OPENAI=${OPENAI}`] } });
    expect(JSON.stringify(out)).not.toContain(AWS_KEY);
    expect(JSON.stringify(out)).not.toContain(OPENAI);
  });

  it("does not mutate its input", () => {
    const input = { password: "p", deep: { token: "t" } };
    const copy = structuredClone(input);
    redact(input);
    expect(input).toEqual(copy);
  });

  it("handles cycles and repeated (non-cyclic) references", () => {
    const shared = { v: 1 };
    const a: Record<string, unknown> = { shared, again: shared };
    a.self = a;
    expect(redact(a)).toEqual({ shared: { v: 1 }, again: { v: 1 }, self: "[CIRCULAR]" });
  });

  it("bounds depth, array length and key count", () => {
    let deep: Record<string, unknown> = { end: true };
    for (let i = 0; i < 50; i++) deep = { d: deep };
    expect(JSON.stringify(redact(deep))).toContain("too deep");
    const arr = redact(Array.from({ length: REDACTION_LIMITS.maxArrayItems + 5 }, (_, i) => i)) as unknown[];
    expect(arr).toHaveLength(REDACTION_LIMITS.maxArrayItems + 1);
    const many = Object.fromEntries(Array.from({ length: REDACTION_LIMITS.maxObjectKeys + 3 }, (_, i) => [`k${i}`, i]));
    expect((redact(many) as Record<string, unknown>)["[truncated_keys]"]).toBe(3);
  });

  it("returns JSON-safe data", () => {
    const out = redact({
      big: 10n,
      when: new Date(Date.UTC(2026, 0, 2)),
      nan: Number.NaN,
      fn: () => 1,
      undef: undefined,
      buf: Buffer.from("abc"),
      err: new Error(`failed with ${AWS_KEY}`),
      set: new Set([1, 2]),
      map: new Map([["a", 1]]),
      arr: [undefined, () => 1],
    });
    expect(out).toEqual({
      big: "10",
      when: "2026-01-02T00:00:00.000Z",
      nan: "NaN",
      buf: "[BINARY 3 bytes]",
      err: { name: "Error", message: "failed with [REDACTED:aws_access_key]" },
      set: [1, 2],
      map: { a: 1 },
      arr: [null, null],
    });
  });

  it("treats __proto__ as an ordinary key", () => {
    const input = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as unknown;
    const out = redact(input) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(out)).toEqual(["__proto__", "ok"]);
  });

  it("passes scalars through", () => {
    expect(redact("plain")).toBe("plain");
    expect(redact(3)).toBe(3);
    expect(redact(null)).toBe(null);
    expect(redact(undefined)).toBe(undefined);
  });
});

describe("the cases the default policy's filtered_parameters also covers (issue 14)", () => {
  it("redacts pwd, pass_phrase, nested api-key, accessKey, and secrets inside lists", () => {
    const out = redact({
      pwd: "a",
      pass_phrase: "b",
      accessKey: "c",
      nested: { deeper: { "api-key": "k", region: "eu" } },
      list: [{ password: "p", name: "n" }, `Bearer ${JWT}`, "https://user:pass@db.example.com/x", SARK_KEY],
    });
    expect(out).toEqual({
      accessKey: REDACTED,
      list: [
        { name: "n", password: REDACTED },
        "Bearer [REDACTED:jwt]",
        `https://user:${REDACTED}@db.example.com/x`,
        "[REDACTED:sark_api_key]",
      ],
      nested: { deeper: { "api-key": REDACTED, region: "eu" } },
      pass_phrase: REDACTED,
      pwd: REDACTED,
    });
  });
});

describe("redactionRules (data.sark.redaction for policies)", () => {
  const rules = redactionRules();
  const re2 = (p: string) => RE2JS.compile(p);

  it("every pattern is RE2 syntax (OPA's dialect)", () => {
    for (const p of [rules.key_strip_pattern, rules.sensitive_key_pattern, rules.not_sensitive_pattern]) re2(p);
    for (const v of rules.value_patterns) expect(() => re2(v.pattern), v.name).not.toThrow();
    for (const p of rules.value_match_patterns) expect(() => re2(p)).not.toThrow();
  });

  it("decides keys exactly as isSensitiveKey does", () => {
    const strip = re2(rules.key_strip_pattern);
    const sensitive = re2(rules.sensitive_key_pattern);
    const notSensitive = re2(rules.not_sensitive_pattern);
    const viaRules = (key: string) => {
      const k = strip.matcher(key.toLowerCase()).replaceAll("");
      if (rules.always_sensitive_keys.includes(k)) return true;
      if (notSensitive.matcher(k).find()) return false;
      return rules.sensitive_exact_keys.includes(k) || sensitive.matcher(k).find();
    };
    const keys = ["pwd", "pass_phrase", "api-key", "X-API-Key", "max_tokens", "token_id", "session_id", "secret_id"];
    for (const k of [...keys, "name", "sql", "passwordSet", "accessKey", "aws_access_key_id", "auth", "keys"]) {
      expect(viaRules(k), k).toBe(isSensitiveKey(k));
    }
  });

  it("finds every credential redactString masks", () => {
    for (const s of [
      AWS_KEY,
      OPENAI,
      GITHUB,
      SLACK,
      JWT,
      SARK_KEY,
      PEM,
      `Bearer ${JWT}`,
      "https://u:secret@h.example",
    ]) {
      expect(redactString(s), s).not.toBe(s);
      expect(
        rules.value_patterns.some((v) => re2(v.pattern).matcher(s).find()),
        s,
      ).toBe(true);
      expect(
        rules.value_match_patterns.some((p) => re2(p).matcher(s).find()),
        s,
      ).toBe(true);
      expect(s.length).toBeGreaterThanOrEqual(rules.min_value_length);
    }
  });
});
