import { type CryptoKey, errors, importPKCS8, importSPKI, type JWTPayload, jwtVerify, SignJWT } from "jose";
import { v7 as uuidv7 } from "uuid";
import type { Clock } from "../platform/clock.js";
import type { JwtConfig } from "../platform/config.js";
import { AppError } from "../platform/errors.js";

/** What an access token says about its subject (claims sub, username, email, roles, teams). */
export interface TokenSubject {
  id: string;
  username: string;
  email: string | null;
  roles: readonly string[];
  teams: readonly string[];
}

export interface VerifiedToken {
  subject: TokenSubject;
  jti: string;
  /** Issue time in milliseconds, from the UUIDv7 jti (iat only has second precision). */
  issuedAtMs: number;
  expiresAtMs: number;
}

export interface IssuedToken {
  token: string;
  jti: string;
  expiresIn: number;
}

export interface TokenService {
  issue(subject: TokenSubject): Promise<IssuedToken>;
  /** Verifies signature, issuer, audience and expiry; throws 401 AppErrors. */
  verify(token: string): Promise<VerifiedToken>;
}

type KeyPair = { sign: CryptoKey | Uint8Array; verify: CryptoKey | Uint8Array };

/** 401 errors carry the challenge header RFC 6750 asks for. */
export function unauthenticated(
  message: string,
  code: "UNAUTHENTICATED" | "TOKEN_EXPIRED" | "TOKEN_REVOKED" | "INVALID_CREDENTIALS" = "UNAUTHENTICATED",
): AppError {
  return new AppError(code, message, { headers: { "www-authenticate": "Bearer" } });
}

/** Milliseconds encoded in the first 48 bits of a UUIDv7. */
export function uuidv7Millis(id: string): number {
  return Number.parseInt(id.replace(/-/g, "").slice(0, 12), 16);
}

async function loadKeys(config: JwtConfig, secret: string): Promise<KeyPair> {
  if (config.algorithm === "HS256") {
    const key = new TextEncoder().encode(secret);
    return { sign: key, verify: key };
  }
  if (!config.privateKeyPem || !config.publicKeyPem) {
    throw new Error(`JWT_ALGORITHM=${config.algorithm} needs JWT_PRIVATE_KEY and JWT_PUBLIC_KEY`);
  }
  return {
    sign: await importPKCS8(config.privateKeyPem, config.algorithm),
    verify: await importSPKI(config.publicKeyPem, config.algorithm),
  };
}

function stringArray(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === "string") ? v : undefined;
}

function subjectOf(payload: JWTPayload): { subject: TokenSubject; jti: string; exp: number } | undefined {
  const { sub, jti, exp } = payload;
  const roles = stringArray(payload.roles);
  const teams = stringArray(payload.teams);
  const username = payload.username;
  const email = payload.email ?? null;
  if (!sub || !jti || !exp || !roles || !teams || typeof username !== "string") return undefined;
  if (email !== null && typeof email !== "string") return undefined;
  return { subject: { id: sub, username, email, roles, teams }, jti, exp };
}

/** Access tokens (JWT) signed with HS256 (the resolved secret) or RS256/ES256 (PEM keys). */
export function createTokenService(deps: { config: JwtConfig; secret: string; clock: Clock }): TokenService {
  const { config, clock } = deps;
  let keys: Promise<KeyPair> | undefined;
  const getKeys = () => {
    keys ??= loadKeys(config, deps.secret);
    return keys;
  };

  return {
    async issue(subject) {
      const now = clock.now();
      const jti = uuidv7({ msecs: now });
      const iat = Math.floor(now / 1000);
      const token = await new SignJWT({
        username: subject.username,
        email: subject.email,
        roles: [...subject.roles],
        teams: [...subject.teams],
      })
        .setProtectedHeader({ alg: config.algorithm, typ: "JWT" })
        .setSubject(subject.id)
        .setIssuer(config.issuer)
        .setAudience(config.audience)
        .setIssuedAt(iat)
        .setExpirationTime(iat + config.accessTokenTtlSeconds)
        .setJti(jti)
        .sign((await getKeys()).sign);
      return { token, jti, expiresIn: config.accessTokenTtlSeconds };
    },

    async verify(token) {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, (await getKeys()).verify, {
          algorithms: [config.algorithm],
          issuer: config.issuer,
          audience: config.audience,
          currentDate: new Date(clock.now()),
          requiredClaims: ["sub", "jti", "exp", "iat"],
        }));
      } catch (e) {
        if (e instanceof errors.JWTExpired) throw unauthenticated("access token has expired", "TOKEN_EXPIRED");
        throw unauthenticated("access token is not valid");
      }
      const parsed = subjectOf(payload);
      if (!parsed) throw unauthenticated("access token is not valid");
      const idMillis = uuidv7Millis(parsed.jti);
      return {
        subject: parsed.subject,
        jti: parsed.jti,
        issuedAtMs: Number.isFinite(idMillis) ? idMillis : (payload.iat ?? 0) * 1000,
        expiresAtMs: parsed.exp * 1000,
      };
    },
  };
}
