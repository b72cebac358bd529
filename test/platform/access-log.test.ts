import type { FastifyReply, FastifyRequest } from "fastify";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccessLog } from "../../src/platform/http/access-log.js";
import { createMetrics } from "../../src/platform/metrics.js";
import { ADMIN, createTestApp, type TestApp } from "../helpers/app.js";

const ISO = "2026-11-26T08:00:00.000Z";

/** The line one request produces, through a logger with SARK's base fields, redaction and a fixed time. */
function accessLine(request: Record<string, unknown>, reply: Record<string, unknown>): string {
  let out = "";
  const logger = pino(
    {
      base: { service: "sark", env: "test" },
      redact: { paths: ["password", "*.token", "path"], censor: "[REDACTED]" },
      timestamp: () => `,"time":"${ISO}"`,
    },
    {
      write: (s: string) => {
        out += s;
      },
    },
  );
  createAccessLog(logger, createMetrics({ collectDefaults: false })).record(
    request as unknown as FastifyRequest,
    reply as unknown as FastifyReply,
  );
  return out;
}

describe("access log", () => {
  const request = {
    routeOptions: { url: "/api/v1/servers/:id" },
    method: "GET",
    url: '/api/v1/servers/"quoted"\n\u2028odd?access_token=sekrit',
    id: "req-1",
    ip: "127.0.0.1",
    caller: { principal: { id: "0192f3e4-7b1c-7d2e-9f00-1234567890ab" } },
  };
  const reply = { statusCode: 404, elapsedTime: 1.23456 };

  it("writes the same fields in the same order, escaping what a client controls, without redaction", () => {
    const line = accessLine(request, reply);
    expect(line).toBe(
      `{"level":30,"time":"${ISO}","service":"sark","env":"test","reqId":"req-1","method":"GET",` +
        `"route":"/api/v1/servers/:id","path":"/api/v1/servers/\\"quoted\\"\\n\u2028odd","status":404,"ms":1.23,` +
        `"user":"0192f3e4-7b1c-7d2e-9f00-1234567890ab","ip":"127.0.0.1","msg":"request"}\n`,
    );
    expect(JSON.parse(line).path).toBe('/api/v1/servers/"quoted"\n\u2028odd');
    const anonymous = JSON.parse(accessLine({ ...request, caller: undefined }, reply));
    expect(Object.keys(anonymous)).not.toContain("user");
  });

  describe("through the app", () => {
    const lines: string[] = [];
    let t: TestApp;
    beforeAll(async () => {
      // SARK's logger options that shape a line (createLogger): base fields, ISO time, redaction.
      const logger = pino(
        {
          base: { service: "sark", env: "test" },
          timestamp: pino.stdTimeFunctions.isoTime,
          redact: { paths: ["password", "*.token"], censor: "[REDACTED]" },
        },
        { write: (s: string) => void lines.push(s) },
      );
      t = await createTestApp({}, { logger });
    });
    afterAll(async () => t?.close());

    it("writes one JSON line per request with the path only: no query string, no headers", async () => {
      const token = await t.adminToken();
      const res = await t.request({ method: "GET", url: "/api/v1/auth/me?access_token=sekrit", token });
      expect(res.statusCode).toBe(200);
      await new Promise((r) => setImmediate(r));
      const requestLines = lines
        .join("")
        .split("\n")
        .filter((l) => l.includes('"msg":"request"'))
        .map((l) => JSON.parse(l));
      const me = requestLines.find((l) => l.reqId === res.headers["x-request-id"]);
      expect(me).toMatchObject({
        level: 30,
        service: "sark",
        method: "GET",
        route: "/api/v1/auth/me",
        path: "/api/v1/auth/me",
        status: 200,
        user: res.json().id,
      });
      expect(typeof me.time).toBe("string");
      const all = lines.join("");
      expect(all).not.toContain("sekrit");
      expect(all).not.toContain(token);
      expect(all).not.toContain(ADMIN.password);
    });
  });
});
