import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEventInput } from "../../src/core/audit.js";
import { REDACTION_LIMITS, redact, redactString } from "../../src/core/redaction.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { BACKEND_LABEL } from "../helpers/backends.js";

/*
 * The hashed bytes and the stored row must describe the same event for every string the writer can
 * meet, on both backends and through both ways in (the buffered batch and the outbox): otherwise
 * `sark audit verify` reports a tampered row that nobody touched.
 */

/** Pieces that mean something to JSON, COPY's text format, SQL quoting or Unicode handling. */
const AWKWARD = [
  "\\",
  "\\N",
  "\\\\N",
  "\\.",
  "\\t",
  "\t",
  "\n",
  "\r",
  "\r\n",
  "\u0001",
  "\u0008",
  "\u000b",
  "\u000c",
  "\u001b",
  "\u001f",
  "\u007f",
  "\u0085",
  '"',
  "'",
  "`",
  ",",
  "{",
  "}",
  "[",
  "]",
  "|",
  " ",
  "\u00a0",
  "\u202e",
  "\u200f",
  "\u05e9\u05dc\u05d5\u05dd",
  "\u0645\u0631\u062d\u0628\u0627",
  "e\u0301",
  "\u0303\u0304\u0305",
  "\u2028",
  "\u2029",
  "\ufeff",
  "\ufffd",
  "\u{1F600}",
  "\u{1F468}\u200d\u{1F469}\u200d\u{1F467}",
  "\u{10FFFF}",
  "\u{20000}",
  "a",
  "Z",
  "0",
];

/** Random text: arbitrary code points (astral included) mixed with the awkward pieces. */
const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 24 }),
  fc.string({ unit: fc.constantFrom(...AWKWARD), maxLength: 16 }),
  fc.string({ unit: fc.oneof(fc.constantFrom(...AWKWARD), fc.string({ unit: "binary", maxLength: 1 })) }),
);

const leaf = fc.oneof(
  text,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
  fc.boolean(),
  fc.constant(null),
);

/** Nested JSON up to `levels` containers deep, with awkward keys as well as values. */
function tree(levels: number): fc.Arbitrary<unknown> {
  if (levels === 0) return leaf;
  const child = fc.oneof({ depthSize: "small" }, leaf, tree(levels - 1));
  return fc.oneof(fc.array(child, { maxLength: 4 }), fc.dictionary(text, child, { maxKeys: 4, noNullPrototype: true }));
}

/** One container per level, exactly `levels` deep, so the deepest allowed nesting is always hit. */
const chain = (levels: number, key: string, value: unknown): unknown =>
  levels === 0 ? value : levels % 2 === 0 ? [chain(levels - 1, key, value)] : { [key]: chain(levels - 1, key, value) };

// `details` itself is redaction depth 0 and its `value` member depth 1, so the deepest container
// redaction keeps sits REDACTION_LIMITS.maxDepth - 1 levels below `details`.
const MAX_LEVELS = REDACTION_LIMITS.maxDepth - 1;

const eventInput = fc.record({
  value: fc.oneof(
    tree(4),
    fc.tuple(text, leaf).map(([k, v]) => chain(MAX_LEVELS, k, v)),
    tree(MAX_LEVELS),
  ),
  action: fc.option(text, { nil: undefined }),
  request_id: fc.option(text, { nil: undefined }),
  username: text,
  user_agent: text,
  resource_name: text,
  reason: text,
});

type Sample = typeof eventInput extends fc.Arbitrary<infer T> ? T : never;

/**
 * Redaction rightly changes some input (NUL and lone surrogates, which jsonb refuses; text that
 * looks like a secret). This test is about encoding, so it keeps only samples redaction leaves
 * as they are; the round-trip comparison against the input is then exact.
 */
function untouchedByRedaction(s: Sample): boolean {
  const strings = [s.action, s.request_id, s.username, s.user_agent].filter((v) => v !== undefined);
  return (
    strings.every((v) => redactString(v) === v) &&
    isDeepStrictEqual(redact({ value: s.value }), { value: s.value }) &&
    isDeepStrictEqual(redact({ name: s.resource_name, reason: s.reason }), { name: s.resource_name, reason: s.reason })
  );
}

function toInput(s: Sample, fuzzCase: number): AuditEventInput {
  return {
    event_type: "encoding.fuzz",
    outcome: "success",
    severity: "medium",
    actor: { user_id: `u-${fuzzCase}`, username: s.username, user_agent: s.user_agent, ip: "::1" },
    ...(s.action === undefined ? {} : { action: s.action }),
    ...(s.request_id === undefined ? {} : { request_id: s.request_id }),
    resource: { type: "fuzz", id: String(fuzzCase), name: s.resource_name },
    decision: { allow: true, cached: false, reason: s.reason },
    details: { fuzz_case: fuzzCase, value: s.value },
  };
}

const BUFFERED = 300;
const VIA_OUTBOX = 40;

describe(`audit encoding: random text through the real writer re-verifies (${BACKEND_LABEL})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("stores every event as hashed, and the chain verifies over every stored row", async () => {
    const samples = fc
      .sample(eventInput.filter(untouchedByRedaction), { seed: 15, numRuns: BUFFERED + VIA_OUTBOX })
      .map(toInput);
    expect(samples).toHaveLength(BUFFERED + VIA_OUTBOX);
    // The maximum depth is really exercised (the chain arbitrary reaches it).
    const depth = (v: unknown): number =>
      v !== null && typeof v === "object" ? 1 + Math.max(0, ...Object.values(v).map(depth)) : 0;
    expect(Math.max(...samples.map((s) => depth((s.details as { value: unknown }).value)))).toBe(MAX_LEVELS);

    for (const input of samples.slice(0, BUFFERED)) await t.ctx.audit.record(input);
    for (const input of samples.slice(BUFFERED)) {
      await t.ctx.database.db.transaction().execute((tx) => t.ctx.audit.recordInTransaction(tx, input));
    }
    await t.ctx.auditAdmin.flush();

    const total = await sql<{ n: string }>`select count(*) as n from audit_events`.execute(t.ctx.database.db);
    const verified = await t.ctx.auditAdmin.verify();
    expect(verified).toMatchObject({ ok: true, broken: null, checked: Number(total.rows[0]?.n) });

    // Text columns are read as JSON: PGlite's driver drops a leading U+FEFF from text values.
    const stored = await sql<{
      action: string | null;
      request_id: string | null;
      actor: unknown;
      resource: unknown;
      decision: unknown;
      details: { fuzz_case: number };
    }>`select to_json(action) as action, to_json(request_id) as request_id, actor, resource, decision, details
       from audit_events
       where event_type = 'encoding.fuzz' order by (details->>'fuzz_case')::int`.execute(t.ctx.database.db);
    expect(stored.rows).toHaveLength(samples.length);
    stored.rows.forEach((row, i) => {
      const input = samples[i] as AuditEventInput;
      expect(row.details).toStrictEqual(input.details);
      expect(row.action).toBe(input.action ?? null);
      expect(row.request_id).toBe(input.request_id ?? null);
      expect(row.actor).toStrictEqual(input.actor);
      expect(row.resource).toStrictEqual(input.resource);
      expect(row.decision).toStrictEqual(input.decision);
    });
  });
});
