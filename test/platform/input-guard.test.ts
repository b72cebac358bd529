import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, createTestApp, type TestApp } from "../helpers/app.js";
import { BACKEND_LABEL } from "../helpers/backends.js";
import { serverBody } from "../registry/fixtures.js";

/** `depth` levels of `{"a": …}` around a leaf, as raw JSON text (JSON.stringify would recurse). */
function nested(depth: number, leaf = "1"): string {
  return `${'{"a":'.repeat(depth)}${leaf}${"}".repeat(depth)}`;
}

function expectValidationError(res: { statusCode: number; json(): unknown }, path: string): void {
  expect(res.statusCode).toBe(400);
  const body = res.json() as { error: { code: string; message: string; details?: { fields: { path: string }[] } } };
  expect(body.error.code).toBe("VALIDATION_FAILED");
  expect(body.error.details?.fields[0]?.path).toBe(path);
}

describe(`request input guard (${BACKEND_LABEL})`, () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.adminToken();
  }, 60_000);
  afterAll(() => t.close());

  const raw = (method: string, url: string, payload: string, token?: string) =>
    t.app.inject({
      method: method as "POST",
      url,
      payload,
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });

  it("rejects NUL in the unauthenticated login username with 400 naming the field", async () => {
    const res = await t.request({
      method: "POST",
      url: "/api/v1/auth/login",
      body: { username: "ad\u0000min", password: ADMIN.password },
    });
    expectValidationError(res, "body/username");
    expect((res.json() as { error: { message: string } }).error.message).toContain("NUL");
  });

  it("rejects NUL and unpaired surrogates in nested values and keys", async () => {
    const inValue = await t.request({
      method: "POST",
      url: "/api/v1/servers",
      token: admin,
      body: serverBody("nul-meta", { metadata: { owner: { note: "x\u0000y" } } }),
    });
    expectValidationError(inValue, "body/metadata/owner/note");
    const inKey = await raw("PUT", "/api/v1/policies/data/guard/k", '{"a\\u0000b": 1}', admin);
    expectValidationError(inKey, "body/a\u0000b");
    const surrogate = await raw("PUT", "/api/v1/policies/data/guard/s", '{"v": ["ok", "\\ud800"]}', admin);
    expectValidationError(surrogate, "body/v/1");
    // A valid pair (an emoji) is ordinary text.
    const pair = await raw("PUT", "/api/v1/policies/data/guard/p", '{"v": "\\ud83d\\ude00"}', admin);
    expect(pair.statusCode).toBe(200);
  });

  it("rejects NUL in query strings and (percent-encoded) path parameters", async () => {
    const query = await t.request({ method: "GET", url: "/api/v1/servers?search=a%00b", token: admin });
    expectValidationError(query, "querystring/search");
    const param = await t.request({ method: "GET", url: "/api/v1/users/a%00b", token: admin });
    expectValidationError(param, "params/id");
  });

  it("rejects JSON nested deeper than MAX_JSON_DEPTH in every free-form field, before anything recurses", async () => {
    const deep = nested(9000);
    const cases: [string, string, string][] = [
      ["POST", "/api/v1/servers", JSON.stringify(serverBody("deep-meta", { metadata: { x: 0 } })).replace("0", deep)],
      ["PUT", "/api/v1/policies/data/deep/doc", deep],
      ["POST", "/api/v1/policies/evaluate", `{"action":"tool:invoke","parameters":${deep}}`],
      [
        "POST",
        "/api/v1/servers",
        JSON.stringify(
          serverBody("deep-schema", { tools: [{ name: "t", description: "d", input_schema: { x: 0 } }] }),
        ).replace('"x":0', `"x":${deep}`),
      ],
    ];
    for (const [method, url, payload] of cases) {
      const res = await raw(method, url, payload, admin);
      expect(res.statusCode, `${method} ${url}`).toBe(400);
      const error = (res.json() as { error: { code: string; message: string } }).error;
      expect(error.code).toBe("VALIDATION_FAILED");
      expect(error.message).toContain("nested more than 64 levels");
    }
    // At the limit is fine: 64 nested objects, the body itself included.
    const atLimit = await raw("PUT", "/api/v1/policies/data/deep/ok", nested(64), admin);
    expect(atLimit.statusCode).toBe(200);
    expect((await raw("PUT", "/api/v1/policies/data/deep/no", nested(65), admin)).statusCode).toBe(400);
  });

  it("answers a forged cursor on every list route with 400 INVALID_CURSOR", async () => {
    const b64 = (text: string) => Buffer.from(text).toString("base64url");
    const forged = [
      b64(JSON.stringify({ id: "a\u0000b" })),
      b64(JSON.stringify({ id: ["x"] })),
      b64(JSON.stringify({ id: "x".repeat(300) })),
      b64("[1,2]"),
      b64("{"),
      "%%%not-base64",
    ];
    // Lists keyed by a uuid also refuse a well-formed cursor whose id is not a uuid (was 22P02 → 500).
    const notUuid = [b64(JSON.stringify({ id: "not-a-uuid" })), b64(JSON.stringify({ id: 12 }))];
    const lists: [string, string[]][] = [
      ["/api/v1/users", [...forged, ...notUuid]],
      ["/api/v1/policies", [...forged, ...notUuid]],
      ["/api/v1/servers", [...forged, ...notUuid]],
      ["/api/v1/api-keys", forged],
      ["/api/v1/audit/events", [...forged, ...notUuid]],
    ];
    for (const [list, cursors] of lists) {
      for (const cursor of cursors) {
        const res = await t.request({
          method: "GET",
          url: `${list}?cursor=${encodeURIComponent(cursor)}`,
          token: admin,
        });
        expect(res.statusCode, `${list} ${cursor}`).toBe(400);
        expect((res.json() as { error: { code: string } }).error.code).toBe("INVALID_CURSOR");
      }
    }
  });
});

describe("Node-level client errors carry the error envelope", () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const address = t.app.server.address();
    port = typeof address === "object" && address ? address.port : 0;
  }, 60_000);
  afterAll(() => t.close());

  it("oversized headers: 431 HEADERS_TOO_LARGE", async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: "127.0.0.1", port, path: "/health", headers: { "x-big": "a".repeat(64 * 1024) } },
        (r) => {
          let body = "";
          r.on("data", (d: Buffer) => {
            body += d.toString();
          });
          r.on("end", () => resolve({ status: r.statusCode ?? 0, body }));
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(res.status).toBe(431);
    const error = (JSON.parse(res.body) as { error: { code: string; request_id: string } }).error;
    expect(error.code).toBe("HEADERS_TOO_LARGE");
    expect(error.request_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  const rawHttp = (text: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => socket.write(text));
      let out = "";
      socket.on("data", (d: Buffer) => {
        out += d.toString();
      });
      socket.on("close", () => resolve(out));
      socket.on("error", reject);
    });

  it("a malformed request: 400 in the envelope", async () => {
    const out = await rawHttp("GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n");
    expect(out).toMatch(/^HTTP\/1\.1 400/);
    const body = JSON.parse(out.slice(out.indexOf("\r\n\r\n") + 4)) as { error: { code: string } };
    expect(body.error.code).toBe("VALIDATION_FAILED");
  });

  it("a URL that does not decode, and an over-long path parameter, in the envelope", async () => {
    const bad = await t.request({ method: "GET", url: "/api/v1/users/%E0%A4%A" });
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as { error: { code: string } }).error.code).toBe("VALIDATION_FAILED");
    const long = await t.request({ method: "GET", url: `/api/v1/users/${"a".repeat(500)}` });
    expect(long.statusCode).toBe(414);
    expect((long.json() as { error: { code: string; request_id: string } }).error).toMatchObject({
      code: "URI_TOO_LONG",
      request_id: long.headers["x-request-id"],
    });
  });
});
