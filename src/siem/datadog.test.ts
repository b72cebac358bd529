import { describe, expect, it } from "vitest";
import { chunkEntries, DATADOG_LIMITS, datadogEntry } from "./datadog.js";
import type { SiemEvent } from "./types.js";

const event = (details: Record<string, unknown>): SiemEvent => ({
  id: "0190a000-0000-7000-8000-000000000001",
  timestamp: "2026-01-01T00:00:00.000Z",
  event_type: "t",
  severity: "high",
  outcome: "success",
  actor: {},
  action: null,
  resource: null,
  decision: null,
  request_id: null,
  details,
  hash: "h",
  prev_hash: "p",
});

describe("chunkEntries", () => {
  it("caps each chunk at 1000 entries", () => {
    const chunks = chunkEntries(Array.from({ length: 2500 }, () => "{}"));
    expect(chunks.map((c) => c.length)).toEqual([1000, 1000, 500]);
  });

  it("caps each chunk's JSON array at 5 MB", () => {
    const entry = `"${"x".repeat(999_000)}"`;
    const chunks = chunkEntries(Array.from({ length: 11 }, () => entry));
    for (const c of chunks)
      expect(Buffer.byteLength(`[${c.join(",")}]`)).toBeLessThanOrEqual(DATADOG_LIMITS.maxPayloadBytes);
    expect(chunks.flat()).toHaveLength(11);
    expect(chunks.map((c) => c.length)).toEqual([5, 5, 1]);
  });

  it("returns no chunk for no entries", () => {
    expect(chunkEntries([])).toEqual([]);
  });
});

describe("datadogEntry", () => {
  const base = { ddsource: "sark", ddtags: "", hostname: "h", service: "sark" };

  it("maps severity to a Datadog status and carries the event as the message", () => {
    const entry = JSON.parse(datadogEntry(event({ a: 1 }), base));
    expect(entry).toMatchObject({ ddsource: "sark", status: "warn" });
    expect(JSON.parse(entry.message).details).toEqual({ a: 1 });
  });

  it("replaces oversized details with a marker so the entry fits in 1 MB and keeps its id", () => {
    const raw = datadogEntry(event({ blob: "y".repeat(1_200_000) }), base);
    expect(Buffer.byteLength(raw)).toBeLessThanOrEqual(DATADOG_LIMITS.maxEntryBytes);
    const message = JSON.parse(JSON.parse(raw).message);
    expect(message.id).toBe("0190a000-0000-7000-8000-000000000001");
    expect(message.details).toMatchObject({ sark_truncated: true });
  });
});
