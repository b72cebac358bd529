import { createHmac, generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { toJS } from "../value.js";
import { call } from "./test-helpers.js";
import { BuiltinError } from "./types.js";

const b64 = (x: unknown) => Buffer.from(JSON.stringify(x)).toString("base64url");

function hsToken(payload: object, secret: string, alg = "HS256"): string {
  const input = `${b64({ alg, typ: "JWT" })}.${b64(payload)}`;
  const hash = { HS256: "sha256", HS384: "sha384", HS512: "sha512" }[alg] ?? "sha256";
  return `${input}.${createHmac(hash, secret).update(input).digest("base64url")}`;
}

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
const rsaPem = rsa.publicKey.export({ type: "spki", format: "pem" }).toString();
const ecJwk = JSON.stringify(ec.publicKey.export({ format: "jwk" }));

function rsToken(payload: object): string {
  const input = `${b64({ alg: "RS256" })}.${b64(payload)}`;
  return `${input}.${sign("sha256", Buffer.from(input), rsa.privateKey).toString("base64url")}`;
}

function esToken(payload: object): string {
  const input = `${b64({ alg: "ES256" })}.${b64(payload)}`;
  const sig = sign("sha256", Buffer.from(input), { key: ec.privateKey, dsaEncoding: "ieee-p1363" });
  return `${input}.${sig.toString("base64url")}`;
}

describe("io.jwt", () => {
  it("decodes header, payload and hex signature", () => {
    const token = hsToken({ sub: "alice" }, "s3cret");
    const [header, payload, sig] = toJS(call("io.jwt.decode", token) ?? null) as [unknown, unknown, string];
    expect(header).toEqual({ alg: "HS256", typ: "JWT" });
    expect(payload).toEqual({ sub: "alice" });
    expect(sig).toMatch(/^[0-9a-f]{64}$/);
    expect(() => call("io.jwt.decode", "not.a")).toThrow(BuiltinError);
  });

  it("verifies HMAC signatures", () => {
    expect(call("io.jwt.verify_hs256", hsToken({ a: 1 }, "k"), "k")).toBe(true);
    expect(call("io.jwt.verify_hs256", hsToken({ a: 1 }, "k"), "other")).toBe(false);
    expect(call("io.jwt.verify_hs512", hsToken({ a: 1 }, "k", "HS512"), "k")).toBe(true);
    expect(call("io.jwt.verify_hs384", hsToken({ a: 1 }, "k"), "k")).toBe(false);
  });

  it("verifies RS256 with a PEM key and ES256 with a JWK / JWKS", () => {
    expect(call("io.jwt.verify_rs256", rsToken({ a: 1 }), rsaPem)).toBe(true);
    const tampered = rsToken({ a: 1 }).replace(/\.[^.]+\./, `.${b64({ a: 2 })}.`);
    expect(call("io.jwt.verify_rs256", tampered, rsaPem)).toBe(false);
    expect(call("io.jwt.verify_es256", esToken({ a: 1 }), ecJwk)).toBe(true);
    expect(call("io.jwt.verify_es256", esToken({ a: 1 }), `{"keys":[${ecJwk}]}`)).toBe(true);
  });

  it("decode_verify checks signature, alg, exp, nbf, iss and aud", () => {
    const now = 1_700_000_000; // seconds; TEST_CTX.nowNs is this in ns
    const good = hsToken({ iss: "sark", aud: ["api"], exp: now + 60, nbf: now - 60 }, "k");
    const ok = toJS(call("io.jwt.decode_verify", good, { secret: "k", iss: "sark", aud: "api" }) ?? null);
    expect((ok as unknown[])[0]).toBe(true);
    const check = (token: string, c: object) => (toJS(call("io.jwt.decode_verify", token, c) ?? null) as unknown[])[0];
    expect(check(good, { secret: "bad", aud: "api" })).toBe(false);
    expect(check(good, { secret: "k" })).toBe(false); // token has an audience, none expected
    expect(check(good, { secret: "k", aud: "api", iss: "other" })).toBe(false);
    expect(check(good, { secret: "k", aud: "api", alg: "RS256" })).toBe(false);
    expect(check(good, { secret: "k", aud: "api", time: (now + 120) * 1e9 })).toBe(false);
    expect(check(hsToken({ exp: now - 1 }, "k"), { secret: "k" })).toBe(false);
    expect(check(rsToken({ sub: "x" }), { cert: rsaPem })).toBe(true);
    expect(() => check(good, { secret: "k", bogus: 1 })).toThrow(BuiltinError);
  });
});
