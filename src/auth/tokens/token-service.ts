import { type CryptoKey, errors, importPKCS8, importSPKI, type JWTPayload, jwtVerify, SignJWT } from "jose";
import { v7 as uuidv7 } from "uuid";
import type { AuthMethod, Principal } from "../../core/caller.js";
import type { Clock } from "../../platform/clock.js";
import type { JwtConfig } from "../../platform/config/jwt.js";
import { unauthenticated } from "../../platform/errors.js";

/**
 * What an access token says: its subject (claims sub, username, email, roles, teams, groups) and how
 * the session's login authenticated (claims auth_method, mfa), so both survive a refresh.
 */
export interface TokenClaims {
  principal: Principal;
  method: AuthMethod;
  mfa: boolean;
}

export interface VerifiedToken {
  claims: TokenClaims;
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
  issue(claims: TokenClaims): Promise<IssuedToken>;
  /** Verifies signature, issuer, audience and expiry; throws 401 AppErrors. */
  verify(token: string): Promise<VerifiedToken>;
}

type KeyPair = { sign: CryptoKey | Uint8Array; verify: CryptoKey | Uint8Array };

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

const AUTH_METHODS: ReadonlySet<string> = new Set<AuthMethod>(["password", "api_key", "ldap", "oidc", "saml"]);

/**
 * The claims of a verified payload, or undefined when one is missing or malformed. Tokens minted
 * before `auth_method`/`mfa`/`groups` existed (at most one access-token lifetime ago) were all
 * password logins without a second factor and without groups.
 */
function claimsOf(payload: JWTPayload): { claims: TokenClaims; jti: string; exp: number } | undefined {
  const { sub, jti, exp } = payload;
  const roles = stringArray(payload.roles);
  const teams = stringArray(payload.teams);
  const groups = payload.groups === undefined ? [] : stringArray(payload.groups);
  const username = payload.username;
  const email = payload.email ?? null;
  const method = payload.auth_method ?? "password";
  const mfa = payload.mfa ?? false;
  if (!sub || !jti || !exp || !roles || !teams || !groups || typeof username !== "string") return undefined;
  if (email !== null && typeof email !== "string") return undefined;
  if (typeof method !== "string" || !AUTH_METHODS.has(method) || typeof mfa !== "boolean") return undefined;
  const principal: Principal = { id: sub, username, email, roles, teams, groups };
  return { claims: { principal, method: method as AuthMethod, mfa }, jti, exp };
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
    async issue({ principal, method, mfa }) {
      const now = clock.now();
      const jti = uuidv7({ msecs: now });
      const iat = Math.floor(now / 1000);
      const token = await new SignJWT({
        username: principal.username,
        email: principal.email,
        roles: [...principal.roles],
        teams: [...principal.teams],
        groups: [...principal.groups],
        auth_method: method,
        mfa,
      })
        .setProtectedHeader({ alg: config.algorithm, typ: "JWT" })
        .setSubject(principal.id)
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
      const parsed = claimsOf(payload);
      if (!parsed) throw unauthenticated("access token is not valid");
      const idMillis = uuidv7Millis(parsed.jti);
      return {
        claims: parsed.claims,
        jti: parsed.jti,
        issuedAtMs: Number.isFinite(idMillis) ? idMillis : (payload.iat ?? 0) * 1000,
        expiresAtMs: parsed.exp * 1000,
      };
    },
  };
}
