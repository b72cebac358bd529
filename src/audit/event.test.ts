import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { AuditEventInput } from "../core/audit.js";
import { redact } from "../core/redaction.js";
import { copyBodyColumns } from "./copy-format.js";
import { type AuditEventBody, buildEvent, canonicalBody, canonicalJson, chainHash, GENESIS_HASH } from "./event.js";

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

/** The hash definition spelled out plainly: sort every object's keys, drop undefined members. */
function referenceCanonical(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(referenceCanonical).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const members = Object.keys(obj)
    .sort()
    .filter((k) => obj[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${referenceCanonical(obj[k])}`);
  return `{${members.join(",")}}`;
}

describe("canonicalJson fast path (native JSON.stringify of already-sorted trees)", () => {
  const proto = JSON.parse('{"__proto__":{"b":1,"a":2},"z":0}') as unknown;
  const cases: Array<[string, unknown]> = [
    ["sorted flat", { a: 1, b: "x", c: null, d: true }],
    ["sorted nested", { a: { x: [1, { p: 1, q: 2 }] }, b: [] }],
    ["unsorted deep inside a sorted tree", { a: { y: 1, x: 2 } }],
    ["integer-like keys (enumerated numerically)", { "10": 1, "2": 2, a: 3 }],
    ["undefined member", { a: undefined, b: 1 }],
    ["undefined in an array", [1, undefined]],
    ["a Date (toJSON)", { a: new Date(0) }],
    ["NaN", { a: Number.NaN }],
    ["a class instance", { a: new (class K {})() }],
    ["a __proto__ data key", proto],
    ["a null-prototype object", Object.assign(Object.create(null) as object, { b: 1, a: 2 })],
    ["unicode keys", { é: 1, z: 2, "\u{1F600}": 3 }],
  ];
  for (const [name, value] of cases) {
    it(`matches the sorted-key definition: ${name}`, () => {
      expect(canonicalJson(value)).toBe(referenceCanonical(value));
    });
  }

  it("matches it for redacted free-form details too", () => {
    const details = redact({ z: { b: [1, { d: 1, c: "Bearer abcdefghijklmnop" }], a: null }, "1": "one", token: "s" });
    expect(canonicalJson(details)).toBe(referenceCanonical(details));
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

/** COPY's text format read back: `\N` is NULL, backslash escapes undone. */
function decodeCopyFields(row: string): Array<string | null> {
  return row
    .split("\t")
    .map((f) =>
      f === "\\N"
        ? null
        : f.replace(/\\(.)/g, (_, c: string) => (c === "t" ? "\t" : c === "n" ? "\n" : c === "r" ? "\r" : c)),
    );
}

describe("copyBodyColumns (the PostgreSQL COPY row)", () => {
  const inputs: Array<[string, AuditEventInput]> = [
    ["plain", { event_type: "policy.decision", outcome: "success", actor: { user_id: "u1" }, details: {} }],
    [
      "backslashes, tabs and newlines everywhere",
      {
        event_type: "odd\ttype\\N",
        outcome: "denied",
        action: "line\nbreak\r\\.",
        request_id: "r\\1",
        actor: { username: "back\\slash", ip: "::1" },
        resource: { type: "tool", id: "C:\\tools\\x", name: "tab\there" },
        decision: { allow: false, reason: 'quote " and \\ and \n' },
        details: { path: "\\\\server\\share", text: "a\tb\nc", nested: { z: "\\N", a: ["\\", "\t"] } },
      },
    ],
    ["no resource or decision", { event_type: "x", outcome: "failure", details: { b: 1, a: 2 } }],
    ["a tree that is not canonical", { event_type: "x", outcome: "success", details: { n: Number.NaN } }],
  ];
  for (const [name, input] of inputs) {
    it(`holds exactly the values of the hashed canonical body: ${name}`, () => {
      const e = buildEvent(input, ID, T);
      const body = canonicalBody(e);
      const [id, timestamp, eventType, severity, outcome, actor, action, resource, decision, requestId, details] =
        decodeCopyFields(copyBodyColumns(e));
      const json = (v: string | null | undefined) => (v === null || v === undefined ? null : JSON.parse(v));
      expect({
        id,
        timestamp,
        event_type: eventType,
        severity,
        outcome,
        actor: json(actor),
        action,
        resource: json(resource),
        decision: json(decision),
        request_id: requestId,
        details: json(details),
      }).toEqual(JSON.parse(body));
    });
  }
});
