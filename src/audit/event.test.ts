import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type AuditEventBody, buildEvent, canonicalJson, chainHash, GENESIS_HASH } from "./event.js";
import type { AuditEventInput } from "./types.js";

const ID = "0193a2b4-0000-7000-8000-000000000001";
const T = Date.UTC(2026, 10, 26, 5, 0, 0, 123);

describe("canonicalJson", () => {
  it("sorts keys at every level and drops undefined", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined }, "": null })).toBe(
      '{"":null,"a":{"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it("is stable whatever the insertion order", () => {
    expect(canonicalJson({ x: 1, y: { p: 1, q: 2 } })).toBe(canonicalJson({ y: { q: 2, p: 1 }, x: 1 }));
  });

  it("encodes scalars like JSON", () => {
    expect(canonicalJson('a"b\n')).toBe(JSON.stringify('a"b\n'));
    expect(canonicalJson(-0)).toBe("0");
    expect(canonicalJson(null)).toBe("null");
    expect(canonicalJson([])).toBe("[]");
    expect(canonicalJson({})).toBe("{}");
  });
});

describe("chainHash", () => {
  const event = buildEvent(
    {
      event_type: "server.registered",
      outcome: "success",
      actor: { user_id: "u1", username: "alice" },
      resource: { type: "server", id: "s1", name: "files" },
      details: { z: [1, 2], a: { b: true } },
    },
    ID,
    T,
  );

  it("equals sha256(prev_hash ‖ canonical JSON of the body)", () => {
    const expected = createHash("sha256")
      .update(GENESIS_HASH)
      .update(canonicalJson(event as unknown as Record<string, unknown>))
      .digest("hex");
    expect(chainHash(GENESIS_HASH, event)).toBe(expected);
  });

  it("changes with any field and with the previous hash", () => {
    const base = chainHash(GENESIS_HASH, event);
    expect(chainHash("f".repeat(64), event)).not.toBe(base);
    const variants: AuditEventBody[] = [
      { ...event, outcome: "failure" },
      { ...event, details: { ...event.details, extra: 1 } },
      { ...event, timestamp: new Date(T + 1).toISOString() },
      { ...event, actor: { ...event.actor, ip: "10.0.0.1" } },
    ];
    for (const v of variants) expect(chainHash(GENESIS_HASH, v)).not.toBe(base);
  });
});

describe("buildEvent", () => {
  it("fills defaults and keeps millisecond ISO timestamps", () => {
    const e = buildEvent({ event_type: "x", outcome: "success" }, ID, T);
    expect(e).toEqual({
      id: ID,
      timestamp: "2026-11-26T05:00:00.123Z",
      event_type: "x",
      severity: "low",
      outcome: "success",
      actor: {},
      action: null,
      resource: null,
      decision: null,
      request_id: null,
      details: {},
    });
  });

  it("coerces values the database constraints would reject (one bad event must not block a batch)", () => {
    const bad = {
      event_type: "bad\u0000type",
      severity: "extreme",
      outcome: "maybe",
      actor: { user_id: "u\u0000", ip: { nested: true }, username: undefined, mfa: true },
      details: { password: "x" },
    } as unknown as AuditEventInput;
    const e = buildEvent(bad, ID, T);
    expect(e).toMatchObject({
      event_type: "bad\uFFFDtype",
      severity: "low",
      outcome: "failure",
      actor: { user_id: "u\uFFFD", mfa: true },
      details: { password: "[REDACTED]" },
    });
    expect(e.actor).not.toHaveProperty("ip");
  });
});
