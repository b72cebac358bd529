import { describe, expect, it } from "vitest";
import { describeDatabaseUrl, driverReason } from "./database-check.js";

describe("describeDatabaseUrl", () => {
  it("names host, port and database, never the credentials", () => {
    const text = describeDatabaseUrl("postgres://sark:s3cret@db.internal:6432/sark_prod?sslmode=require");
    expect(text).toBe("db.internal:6432/sark_prod");
  });

  it("fills in PostgreSQL's defaults (port 5432, database named after the user)", () => {
    expect(describeDatabaseUrl("postgres://alice@localhost")).toBe("localhost:5432/alice");
  });
});

describe("driverReason", () => {
  it("uses the driver's message", () => {
    expect(driverReason(new Error('password authentication failed for user "sark"'))).toBe(
      'password authentication failed for user "sark"',
    );
  });

  it("unwraps the message-less AggregateError of a refused dual-stack connect", () => {
    const refused = new AggregateError(
      [new Error("connect ECONNREFUSED ::1:5999"), new Error("connect ECONNREFUSED 127.0.0.1:5999")],
      "",
    );
    expect(driverReason(refused)).toBe("connect ECONNREFUSED ::1:5999");
  });

  it("falls back to the error code", () => {
    expect(driverReason(Object.assign(new Error(""), { code: "ECONNRESET" }))).toBe("ECONNRESET");
  });
});
