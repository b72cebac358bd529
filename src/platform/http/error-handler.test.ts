import Fastify from "fastify";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createErrorHandler } from "./error-handler.js";

/** An error shaped like pg's / PGlite's DatabaseError. */
function databaseError(code: string): Error {
  return Object.assign(new Error(`driver text for ${code}`), { code, severity: "ERROR" });
}

describe("error handler: database 'bad input' errors", () => {
  it("maps SQLSTATEs for unstorable or malformed values to 400, leaving other errors 500", async () => {
    const app = Fastify({ logger: false });
    app.setErrorHandler(createErrorHandler(pino({ level: "silent" })));
    app.get("/:kind", async (request) => {
      const { kind } = request.params as { kind: string };
      if (kind === "errno") throw Object.assign(new Error("socket"), { code: "22021" });
      throw databaseError(kind);
    });
    for (const code of ["22021", "22P05", "22P02", "22P04", "22003", "54000", "54001"]) {
      const res = await app.inject({ url: `/${code}` });
      expect(res.statusCode, code).toBe(400);
      expect(res.json().error.code).toBe("VALIDATION_FAILED");
      expect(res.body).not.toContain("driver text");
    }
    // A missing table is a server bug, not the caller's bad input; a Node errno without a
    // PostgreSQL severity is not a database error at all.
    for (const kind of ["42P01", "errno"]) {
      expect((await app.inject({ url: `/${kind}` })).statusCode, kind).toBe(500);
    }
    await app.close();
  });
});
