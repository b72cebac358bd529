import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import { LRUCache } from "lru-cache";
import type { CallerIdentity } from "../core/caller.js";
import type { Clock } from "../platform/clock.js";
import { unauthenticated } from "../platform/errors.js";
import type { Counter } from "../platform/metrics.js";
import { apiKeySecretMatches, parseApiKey } from "./api-keys/format.js";
import { type ApiKeyWithOwner, findApiKeyWithOwner } from "./api-keys/repository.js";
import type { ApiKeyUsage } from "./api-keys/usage.js";
import type { Revocations } from "./revocations/revocations.js";
import type { AuthTables } from "./tables.js";
import type { TokenService } from "./tokens/token-service.js";

/** How long a verified API key row is trusted before it is read again (owner roles, expiry). */
export const API_KEY_CACHE_TTL_MS = 30_000;
const TOKEN_CACHE_MAX = 10_000;
const API_KEY_CACHE_MAX = 10_000;

interface CachedToken {
  identity: CallerIdentity;
  jti: string;
  issuedAtMs: number;
  expiresAtMs: number;
}

interface CachedKey {
  row: ApiKeyWithOwner;
  cachedAt: number;
}

export interface Authenticator {
  /** Who the request's credential says is calling; rejects with a 401 AppError otherwise. */
  authenticate(request: FastifyRequest): Promise<CallerIdentity>;
  /** Forgets a key in this process (rotate/revoke); other replicas follow the revocation marker. */
  forgetApiKey(id: string): void;
}

/**
 * Resolves `Authorization: Bearer <JWT>` or `X-API-Key` to a caller identity. Verified tokens and key
 * rows are cached in-process (bounded LRU); revocation is still checked on every request against
 * the durable revocation state (this replica's mirror of the database, plus Redis when shared), so
 * logout, deactivation and rotation take effect at once on this replica and within seconds on others.
 */
export function createAuthenticator(deps: {
  db: Kysely<AuthTables>;
  tokens: TokenService;
  revocations: Revocations;
  usage: ApiKeyUsage;
  clock: Clock;
  envLabel: string;
  apiKeyResults: Counter<"result">;
}): Authenticator {
  const { db, tokens, revocations, usage, clock } = deps;
  const tokenCache = new LRUCache<string, CachedToken>({ max: TOKEN_CACHE_MAX });
  const keyCache = new LRUCache<string, CachedKey>({ max: API_KEY_CACHE_MAX, ttl: API_KEY_CACHE_TTL_MS });

  /** A token not in the cache: verify its signature and claims once, then cache it until it expires. */
  async function verifyToken(token: string): Promise<CachedToken> {
    const v = await tokens.verify(token);
    const { principal, method, mfa } = v.claims;
    const entry: CachedToken = {
      // Frozen: one object serves every request carrying this token.
      identity: Object.freeze({
        principal: Object.freeze({
          ...principal,
          roles: Object.freeze([...principal.roles]),
          teams: Object.freeze([...principal.teams]),
          groups: Object.freeze([...principal.groups]),
        }),
        auth: Object.freeze({ method, mfa, tokenId: v.jti }),
      }),
      jti: v.jti,
      issuedAtMs: v.issuedAtMs,
      expiresAtMs: v.expiresAtMs,
    };
    tokenCache.set(token, entry, { ttl: Math.max(1, v.expiresAtMs - clock.now()) });
    return entry;
  }

  /**
   * A verified token (cached until it expires) that logout or an account change has not voided.
   * Revocation is checked on every request; with in-process revocation state that needs no I/O.
   */
  async function bearer(token: string): Promise<CallerIdentity> {
    const hit = tokenCache.get(token);
    if (hit && hit.expiresAtMs <= clock.now()) throw unauthenticated("access token has expired", "TOKEN_EXPIRED");
    const entry = hit ?? (await verifyToken(token));
    const userId = entry.identity.principal.id;
    const state = revocations.tokenStateSync(entry.jti, userId) ?? (await revocations.tokenState(entry.jti, userId));
    if (state.revoked) throw unauthenticated("access token has been revoked", "TOKEN_REVOKED");
    if (entry.issuedAtMs <= state.sessionsEndedAt) {
      throw unauthenticated("access token was revoked by an account change; log in again", "TOKEN_REVOKED");
    }
    return entry.identity;
  }

  async function keyRow(id: string): Promise<ApiKeyWithOwner | undefined> {
    const hit = keyCache.get(id);
    if (hit) {
      const changedAt = Math.max(
        await revocations.apiKeyChangedAt(id),
        await revocations.userSessionsEndedAt(hit.row.user_id),
      );
      if (changedAt < hit.cachedAt) return hit.row;
    }
    const row = await findApiKeyWithOwner(db, id);
    if (row) keyCache.set(id, { row, cachedAt: clock.now() });
    else keyCache.delete(id);
    return row;
  }

  function apiKeyFailed(reason: string): never {
    deps.apiKeyResults.inc({ result: reason });
    throw unauthenticated(reason === "expired" ? "API key has expired" : "API key is not valid");
  }

  async function apiKey(key: string): Promise<CallerIdentity> {
    const parsed = parseApiKey(key);
    if (!parsed || parsed.env !== deps.envLabel) return apiKeyFailed("malformed");
    const row = await keyRow(parsed.id);
    if (!row || !apiKeySecretMatches(parsed.id, parsed.secret, row.secret_hash)) return apiKeyFailed("invalid");
    if (row.revoked_at) return apiKeyFailed("revoked");
    const now = clock.now();
    if (row.expires_at && row.expires_at.getTime() <= now) return apiKeyFailed("expired");
    if (!row.user_active) return apiKeyFailed("inactive_user");
    usage.record(row.id, now);
    deps.apiKeyResults.inc({ result: "success" });
    return {
      principal: {
        id: row.user_id,
        username: row.username,
        email: row.email,
        roles: row.roles,
        teams: row.teams,
        groups: [],
      },
      auth: {
        method: "api_key",
        mfa: false,
        apiKeyId: row.id,
        scopes: row.scopes,
        ...(row.rate_limit_per_minute !== null ? { rateLimitPerMinute: row.rate_limit_per_minute } : {}),
      },
    };
  }

  return {
    async authenticate(request) {
      const authorization = request.headers.authorization;
      if (authorization !== undefined) {
        const [scheme, token] = authorization.split(" ");
        if (scheme?.toLowerCase() !== "bearer" || !token) {
          throw unauthenticated("Authorization header must be 'Bearer <token>'");
        }
        return bearer(token);
      }
      const key = request.headers["x-api-key"];
      if (typeof key === "string" && key.length > 0) return apiKey(key);
      throw unauthenticated("authentication required: send 'Authorization: Bearer <token>' or 'X-API-Key: <key>'");
    },
    forgetApiKey: (id) => keyCache.delete(id),
  };
}
