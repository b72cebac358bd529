import { LRUCache } from "lru-cache";
import { CACHE_KEYS, type Cache } from "../platform/cache.js";
import type { Clock } from "../platform/clock.js";

/**
 * How long a replica trusts its local copy of a user's "sessions ended at" marker. Other
 * replicas see a deactivation or role change within this many milliseconds.
 */
const USER_MARKER_MEMO_MS = 2000;

export interface Revocations {
  /** Logout: the token's jti is refused until the token would have expired anyway. */
  revokeToken(jti: string, expiresAtMs: number): Promise<void>;
  isTokenRevoked(jti: string): Promise<boolean>;
  /** Deactivation, deletion, role/team/password change: every credential issued before now stops working. */
  endUserSessions(userId: string): Promise<void>;
  /** Epoch ms before which the user's tokens and cached keys are void (0: none). */
  userSessionsEndedAt(userId: string): Promise<number>;
  /** Rotation/revocation of an API key: replicas drop their cached copy. */
  markApiKeyChanged(keyId: string): Promise<void>;
  apiKeyChangedAt(keyId: string): Promise<number>;
  /**
   * `isTokenRevoked` and `userSessionsEndedAt` at once, answered synchronously, or `undefined` when
   * that needs a round trip (Redis). Same state, same answers: only the promise is saved.
   */
  tokenStateSync(jti: string, userId: string): { revoked: boolean; sessionsEndedAt: number } | undefined;
}

/**
 * Revocation state lives in the shared cache (memory or Redis) under the `auth:revoked:` prefix
 * of CACHE_KEYS: `<jti>` for logged-out tokens, `user:<id>` and `apikey:<id>` for markers holding
 * the epoch ms of the change. Markers outlive every credential they could void.
 */
export function createRevocations(deps: { cache: Cache; clock: Clock; markerTtlSeconds: number }): Revocations {
  const { cache, clock, markerTtlSeconds } = deps;
  const userMemo = new LRUCache<string, { endedAt: number; fetchedAt: number }>({ max: 50_000 });
  const userKey = (id: string) => CACHE_KEYS.revokedToken(`user:${id}`);
  const keyKey = (id: string) => CACHE_KEYS.revokedToken(`apikey:${id}`);
  /** This replica's copy of a user's marker, while it is younger than USER_MARKER_MEMO_MS. */
  const memoised = (userId: string): number | undefined => {
    const memo = userMemo.get(userId);
    return memo && clock.now() - memo.fetchedAt < USER_MARKER_MEMO_MS ? memo.endedAt : undefined;
  };
  const remember = (userId: string, endedAt: number): number => {
    userMemo.set(userId, { endedAt, fetchedAt: clock.now() });
    return endedAt;
  };

  return {
    async revokeToken(jti, expiresAtMs) {
      const remaining = Math.ceil((expiresAtMs - clock.now()) / 1000);
      if (remaining > 0) await cache.set(CACHE_KEYS.revokedToken(jti), 1, remaining);
    },
    async isTokenRevoked(jti) {
      return (await cache.get<number>(CACHE_KEYS.revokedToken(jti))) !== undefined;
    },
    async endUserSessions(userId) {
      const now = clock.now();
      userMemo.set(userId, { endedAt: now, fetchedAt: now });
      await cache.set(userKey(userId), now, markerTtlSeconds);
    },
    async userSessionsEndedAt(userId) {
      return memoised(userId) ?? remember(userId, (await cache.get<number>(userKey(userId))) ?? 0);
    },
    tokenStateSync(jti, userId) {
      if (!cache.getSync) return undefined;
      const sessionsEndedAt = memoised(userId) ?? remember(userId, cache.getSync<number>(userKey(userId)) ?? 0);
      return { revoked: cache.getSync(CACHE_KEYS.revokedToken(jti)) !== undefined, sessionsEndedAt };
    },
    async markApiKeyChanged(keyId) {
      await cache.set(keyKey(keyId), clock.now(), markerTtlSeconds);
    },
    async apiKeyChangedAt(keyId) {
      return (await cache.get<number>(keyKey(keyId))) ?? 0;
    },
  };
}
