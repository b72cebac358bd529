import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AccessEntry, formatAccessLine } from "../../src/platform/http/access-log.js";
import { ADMIN, createTestApp, type TestApp } from "../helpers/app.js";

const ISO = "2026-11-26T08:00:00.000Z";

/** What pino itself writes for `info(fields, "request")` with SARK's base fields and a fixed time. */
function pinoLine(e: AccessEntry): string {
  let out = "";
  const logger = pino(
    { base: { service: "sark", env: "test" }, timestamp: () => `,"time":"${ISO}"` },
    {
      write: (s: string) => {
        out += s;
      },
    },
  );
  const { timeMs: _t, ...fields } = e;
  logger.info({ ...fields, ms: Math.round(e.ms * 100) / 100 }, "request");
  return out;
}

describe("access log", () => {
  const entry: AccessEntry = {
    timeMs: Date.parse(ISO),
    reqId: "req-1",
    method: "GET",
    route: "/api/v1/servers/:id",
    path: '/api/v1/servers/"quoted"\n\u2028odd',
    status: 404,
    ms: 1.23456,
    user: "0192f3e4-7b1c-7d2e-9f00-1234567890ab",
    ip: "127.0.0.1",
  };

  it("formats a line byte-for-byte as pino would, escaping what a client controls", () => {
    const base = ',"service":"sark","env":"test"';
    expect(formatAccessLine(entry, ISO, base)).toBe(pinoLine(entry));
    const anonymous = { ...entry, user: undefined };
    expect(formatAccessLine(anonymous, ISO, base)).toBe(pinoLine(anonymous));
    expect(JSON.parse(formatAccessLine(entry, ISO, base)).path).toBe(entry.path);
  });

  describe("through the app", () => {
    const lines: string[] = [];
    let t: TestApp;
    beforeAll(async () => {
      const logger = pino({ base: { service: "sark", env: "test" } }, { write: (s: string) => void lines.push(s) });
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
