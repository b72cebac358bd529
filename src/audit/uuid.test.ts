import { validate, version } from "uuid";
import { describe, expect, it } from "vitest";
import { auditEventId } from "./uuid.js";

describe("auditEventId", () => {
  it("returns valid UUIDv7s carrying the millisecond timestamp", () => {
    const now = Date.UTC(2030, 0, 1, 0, 0, 0, 5);
    const id = auditEventId(now);
    expect(validate(id)).toBe(true);
    expect(version(id)).toBe(7);
    expect(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(now);
  });

  it("is strictly increasing within a millisecond and across the random pool's refills", () => {
    const now = Date.UTC(2031, 0, 1);
    const ids = Array.from({ length: 2000 }, () => auditEventId(now));
    for (let i = 1; i < ids.length; i++) expect((ids[i - 1] as string) < (ids[i] as string)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("never goes backwards when the clock does", () => {
    const a = auditEventId(Date.UTC(2032, 0, 1));
    const b = auditEventId(Date.UTC(2020, 0, 1));
    expect(a < b).toBe(true);
  });
});
