import { describe, expect, it } from "vitest";
import {
  API_KEY_ID_LENGTH,
  API_KEY_SECRET_LENGTH,
  apiKeySecretMatches,
  formatApiKey,
  hashApiKeySecret,
  parseApiKey,
  randomBase62,
} from "./format.js";

describe("api key format", () => {
  it("round-trips sark_<env>_<id>_<secret>", () => {
    const id = randomBase62(API_KEY_ID_LENGTH);
    const secret = randomBase62(API_KEY_SECRET_LENGTH);
    const key = formatApiKey("prod", id, secret);
    expect(key.split("_")).toHaveLength(4);
    expect(parseApiKey(key)).toEqual({ env: "prod", id, secret });
  });

  it("uses only alphanumerics, uniformly enough to cover the alphabet", () => {
    const s = randomBase62(5000);
    expect(s).toMatch(/^[0-9A-Za-z]+$/);
    expect(new Set(s).size).toBe(62);
  });

  it("rejects anything else", () => {
    const id = "a".repeat(API_KEY_ID_LENGTH);
    const secret = "b".repeat(API_KEY_SECRET_LENGTH);
    for (const bad of [
      "",
      "sark_dev_short_key",
      `sark_qa_${id}_${secret}`,
      `sark_dev_${id}_${secret}x`,
      `sark_dev_${id}_${secret.slice(1)}_`,
      `Bearer sark_dev_${id}_${secret}`,
    ]) {
      expect(parseApiKey(bad), bad).toBeUndefined();
    }
  });

  it("hashes deterministically per key and compares in constant time", () => {
    const hash = hashApiKeySecret("id1", "secret");
    expect(hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(apiKeySecretMatches("id1", "secret", hash)).toBe(true);
    expect(apiKeySecretMatches("id1", "secreT", hash)).toBe(false);
    expect(apiKeySecretMatches("id2", "secret", hash)).toBe(false);
    expect(apiKeySecretMatches("id1", "secret", "garbage")).toBe(false);
  });
});
