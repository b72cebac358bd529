import { describe, expect, it } from "vitest";
import type { AuditEventInput } from "../core/audit.js";
import { canonicalBody, encodeEvent } from "./encoding.js";
import { buildEvent } from "./event.js";

const ID = "0193a2b4-0000-7000-8000-000000000001";
const T = Date.UTC(2026, 10, 26, 5, 0, 0, 123);

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

describe("encodeEvent (the stored COPY row)", () => {
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
      const { body, row } = encodeEvent(e);
      expect(body).toBe(canonicalBody(e));
      const [id, timestamp, eventType, severity, outcome, actor, action, resource, decision, requestId, details] =
        decodeCopyFields(row);
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

describe("encodeEvent of a decoded body (the outbox drain)", () => {
  it("gives back the very bytes that were encoded", () => {
    const e = buildEvent(
      {
        event_type: "x",
        outcome: "success",
        details: {
          ...(JSON.parse('{"__proto__": 1, "10": 1, "9": [1e21, 1e-7, 0.1]}') as object),
          z: "\u{1F600}\\N\t",
          a: { y: 1, x: [] },
        },
      },
      ID,
      T,
    );
    const { body, row } = encodeEvent(e);
    expect(encodeEvent(JSON.parse(body))).toEqual({ id: ID, body, row });
  });
});
