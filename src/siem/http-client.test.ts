import { describe, expect, it } from "vitest";
import { classifyResponse, parseRetryAfter } from "./http-client.js";

const none = Buffer.alloc(0);

describe("classifyResponse", () => {
  it("treats 2xx as delivered", () => {
    expect(classifyResponse(200, {}, none)).toEqual({ kind: "ok", status: 200 });
    expect(classifyResponse(202, {}, none)).toEqual({ kind: "ok", status: 202 });
  });

  it("treats 401 and 403 as a permanent credential problem", () => {
    expect(classifyResponse(401, {}, Buffer.from('{"text":"Token is required"}'))).toMatchObject({
      kind: "permanent",
      reason: "unauthorized",
      message: 'HTTP 401: {"text":"Token is required"}',
    });
    expect(classifyResponse(403, {}, none)).toMatchObject({ kind: "permanent", reason: "unauthorized" });
  });

  it("retries throttling and server errors, honouring Retry-After on 429 and 503", () => {
    expect(classifyResponse(429, { "retry-after": "7" }, none)).toMatchObject({
      kind: "retryable",
      reason: "throttled",
      retryAfterMs: 7000,
    });
    expect(classifyResponse(503, { "retry-after": "1" }, none)).toMatchObject({
      reason: "server_error",
      retryAfterMs: 1000,
    });
    expect(classifyResponse(500, { "retry-after": "9" }, none)).not.toHaveProperty("retryAfterMs");
    expect(classifyResponse(502, {}, none)).toMatchObject({ kind: "retryable", reason: "server_error" });
  });

  it("retries other client errors instead of dropping the batch", () => {
    expect(classifyResponse(400, {}, none)).toMatchObject({ kind: "retryable", reason: "rejected" });
    expect(classifyResponse(404, {}, none)).toMatchObject({ kind: "retryable", reason: "rejected" });
    expect(classifyResponse(413, {}, none)).toMatchObject({ kind: "retryable", reason: "too_large" });
  });
});

describe("parseRetryAfter", () => {
  it("reads delta-seconds and HTTP dates, clamps to [0, 5 min]", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:10 GMT", now)).toBe(10_000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("86400", now)).toBe(300_000);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
