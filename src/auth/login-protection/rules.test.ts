import { describe, expect, it } from "vitest";
import { readLoginProtectionConfig } from "../../platform/config/rate-limit.js";
import { accountLockSeconds, addressBackoffSeconds, addressKey, retryAfterSeconds, usernameKey } from "./rules.js";

/** The defaults (5 failures, 30 s doubling to 15 min, 100 failures lock for 30 min). */
const config = readLoginProtectionConfig({}, []);

describe("login protection rules", () => {
  it("backs off from the maxFailures-th failure, doubling up to the cap", () => {
    const seconds = [1, 4, 5, 6, 7, 8, 9, 10, 11, 5000].map((f) => addressBackoffSeconds(f, config));
    expect(seconds).toEqual([0, 0, 30, 60, 120, 240, 480, 900, 900, 900]);
  });

  it("locks the username at every lockoutThreshold-th failure and only then", () => {
    expect([1, 99, 100, 101, 199, 200].map((f) => accountLockSeconds(f, config))).toEqual([0, 0, 1800, 0, 0, 1800]);
    expect(accountLockSeconds(0, config)).toBe(0);
  });

  it("keys usernames case-insensitively and never by the raw value", () => {
    expect(usernameKey("Alice")).toBe(usernameKey("alice"));
    expect(usernameKey("alice")).not.toBe(usernameKey("alicf"));
    expect(usernameKey("x".repeat(256))).toMatch(/^[0-9a-f]{64}$/);
    expect(addressKey("10.0.0.7")).toMatch(/^[0-9a-f]{64}$/);
  });

  it("rounds Retry-After up to whole seconds, never below one", () => {
    expect(retryAfterSeconds(new Date(10_001), 0)).toBe(11);
    expect(retryAfterSeconds(new Date(10_000), 0)).toBe(10);
    expect(retryAfterSeconds(new Date(5), 5)).toBe(1);
  });
});
