import { generateKeyPairSync } from "node:crypto";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import type { JwtConfig } from "../../platform/config/jwt.js";
import { AppError } from "../../platform/errors.js";
import { createTokenService, uuidv7Millis } from "./token-service.js";

const base: JwtConfig = {
  algorithm: "HS256",
  secret: undefined,
  privateKeyPem: undefined,
  publicKeyPem: undefined,
  issuer: "sark",
  audience: "sark-api",
  accessTokenTtlSeconds: 900,
  refreshTokenTtlSeconds: 3600,
};
const principal = { id: "u1", username: "alice", email: null, roles: ["viewer"], teams: ["blue"], groups: [] };
const subject = { principal, method: "password" as const, mfa: false };

function pems(type: "ec" | "rsa") {
  const { privateKey, publicKey } =
    type === "ec"
      ? generateKeyPairSync("ec", { namedCurve: "P-256" })
      : generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return e instanceof AppError ? e.code : "not-an-app-error";
  }
}

describe("token service", () => {
  const clock = { now: () => 1_800_000_000_000 };

  it.each([
    ["HS256", {}],
    ["ES256", pems("ec")],
    ["RS256", pems("rsa")],
  ] as const)("issues and verifies %s tokens", async (algorithm, keys) => {
    const tokens = createTokenService({ config: { ...base, algorithm, ...keys }, secret: "s".repeat(32), clock });
    const issued = await tokens.issue(subject);
    const header = JSON.parse(Buffer.from(issued.token.split(".")[0] ?? "", "base64url").toString());
    expect(header.alg).toBe(algorithm);
    const v = await tokens.verify(issued.token);
    expect(v.claims).toEqual(subject);
    expect(v.jti).toBe(issued.jti);
    expect(v.issuedAtMs).toBe(clock.now());
    expect(v.expiresAtMs).toBe(clock.now() + 900_000);
  });

  it("rejects expired tokens with TOKEN_EXPIRED", async () => {
    let now = clock.now();
    const tokens = createTokenService({ config: base, secret: "s".repeat(32), clock: { now: () => now } });
    const { token } = await tokens.issue(subject);
    now += 901_000;
    expect(await codeOf(tokens.verify(token))).toBe("TOKEN_EXPIRED");
  });

  it("rejects other secrets, issuers, audiences and tampering with UNAUTHENTICATED", async () => {
    const good = createTokenService({ config: base, secret: "s".repeat(32), clock });
    const { token } = await good.issue(subject);
    const others = [
      createTokenService({ config: base, secret: "t".repeat(32), clock }),
      createTokenService({ config: { ...base, issuer: "other" }, secret: "s".repeat(32), clock }),
      createTokenService({ config: { ...base, audience: "other" }, secret: "s".repeat(32), clock }),
    ];
    for (const svc of others) expect(await codeOf(svc.verify(token))).toBe("UNAUTHENTICATED");
    const [h, , sig] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ sub: "u1", roles: ["admin"] })).toString("base64url");
    expect(await codeOf(good.verify(`${h}.${forged}.${sig}`))).toBe("UNAUTHENTICATED");
    const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${token.split(".")[1]}.`;
    expect(await codeOf(good.verify(none))).toBe("UNAUTHENTICATED");
  });

  it("reads the millisecond issue time from a UUIDv7", () => {
    expect(uuidv7Millis("0190a2b3-c4d5-7000-8000-000000000000")).toBe(0x0190a2b3c4d5);
  });

  it("carries how the session authenticated, so a refresh keeps auth_method and mfa", async () => {
    const tokens = createTokenService({ config: base, secret: "s".repeat(32), clock });
    const claims = { principal: { ...principal, groups: ["eng"] }, method: "oidc" as const, mfa: true };
    const v = await tokens.verify((await tokens.issue(claims)).token);
    expect(v.claims).toEqual(claims);
  });

  /** A token signed with the test secret but with claims this test chooses (not what `issue` writes). */
  async function signClaims(claims: Record<string, unknown>): Promise<string> {
    const iat = Math.floor(clock.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("u1")
      .setIssuer("sark")
      .setAudience("sark-api")
      .setIssuedAt(iat)
      .setExpirationTime(iat + 60)
      .setJti("0190a000-0000-7000-8000-000000000000")
      .sign(new TextEncoder().encode("s".repeat(32)));
  }

  it("reads tokens minted before auth_method/mfa/groups existed as password logins without MFA", async () => {
    const legacy = await signClaims({ username: "alice", email: null, roles: ["viewer"], teams: [] });
    const tokens = createTokenService({ config: base, secret: "s".repeat(32), clock });
    expect((await tokens.verify(legacy)).claims).toMatchObject({ method: "password", mfa: false });
    expect((await tokens.verify(legacy)).claims.principal.groups).toEqual([]);
  });

  it("rejects a token whose auth_method is not one SARK issues", async () => {
    const forged = await signClaims({ username: "a", roles: [], teams: [], auth_method: "magic", mfa: true });
    const tokens = createTokenService({ config: base, secret: "s".repeat(32), clock });
    expect(await codeOf(tokens.verify(forged))).toBe("UNAUTHENTICATED");
  });
});
