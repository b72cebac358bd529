import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { AuditEventInput } from "../core/audit.js";
import { redact } from "../core/redaction.js";
import { canonicalJson } from "./canonical-json.js";
import { canonicalBody, chainHash } from "./encoding.js";
import { type AuditEventBody, buildEvent, GENESIS_HASH } from "./event.js";
import { referenceCanonical } from "./test-helpers.js";

const ID = "0193a2b4-0000-7000-8000-000000000001";
const T = Date.UTC(2026, 10, 26, 5, 0, 0, 123);

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

  it("hashes the canonicalBody text, which is canonicalJson of the body", () => {
    expect(canonicalBody(event)).toBe(referenceCanonical(event));
    const expected = createHash("sha256").update("p").update(canonicalBody(event)).digest("hex");
    expect(chainHash("p", event)).toBe(expected);
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
  it("cleans each actor from its own fields, however actors alternate", () => {
    const alice = { user_id: "u1", username: "alice", ip: "10.0.0.1", user_agent: "curl/8" };
    const bob = { username: "bob", user_id: "u2", ip: "10.0.0.2", user_agent: "Bearer abcdefgh12345678" };
    const expected = (a: Record<string, unknown>) => Object.fromEntries(Object.entries(redact(a) as object).sort());
    for (const actor of [alice, alice, bob, { ...alice }, { ...alice, ip: "10.0.0.9" }, bob, {}, alice]) {
      const e = buildEvent({ event_type: "x", outcome: "success", actor }, ID, T);
      expect(e.actor).toEqual(expected(actor));
      expect(Object.keys(e.actor)).toEqual(Object.keys(e.actor).sort());
      expect(canonicalBody(e)).toBe(referenceCanonical(e));
    }
    const masked = buildEvent({ event_type: "x", outcome: "success", actor: bob }, ID, T).actor;
    expect(masked.user_agent).toBe("Bearer [REDACTED]");
  });

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
