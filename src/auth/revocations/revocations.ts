import { CACHE_KEYS, type Cache } from "../../platform/cache.js";
import type { Clock } from "../../platform/clock.js";
import { AppError } from "../../platform/errors.js";
import type { Logger } from "../../platform/logger.js";
import type { AuthDb } from "../users/repository.js";
import { createRevocationMirror, MIRROR_SYNC_MS } from "./mirror.js";
import {
  findRevocation,
  findTokenRevocations,
  type RevocationKind,
  type RevocationRow,
  upsertRevocation,
} from "./repository.js";

/**
 * How long a replica trusts the shared cache's copy of a user's "sessions ended at" marker. Other
 * replicas see a deactivation or role change within this many milliseconds (the database poll of
 * the mirror gives the same bound without Redis).
 */
const USER_MARKER_MEMO_MS = 2000;

export interface TokenState {
  revoked: boolean;
  sessionsEndedAt: number;
}

export interface Revocations {
  /** Logout: the token's jti is refused until the token would have expired anyway. */
  revokeToken(jti: string, expiresAtMs: number): Promise<void>;
  /**
   * The same row written inside the caller's transaction (it commits with the logout's audit
   * event); call `revokeToken` after the commit to tell this replica and the caches.
   */
  revokeTokenIn(trx: AuthDb, jti: string, expiresAtMs: number): Promise<void>;
  /**
   * Deactivation, deletion, role/team/email/password change, refresh-token reuse: every credential
   * issued before now stops working. Durable before it returns.
   */
  endUserSessions(userId: string): Promise<void>;
  /**
   * The same marker written inside the caller's transaction, so it commits (or not) with the change
   * that needs it; call `endUserSessions` after the commit to tell the caches.
   */
  endUserSessionsIn(trx: AuthDb, userId: string): Promise<void>;
  /** Epoch ms before which the user's tokens and cached keys are void (0: none). */
  userSessionsEndedAt(userId: string): Promise<number>;
  /** Rotation/revocation of an API key: replicas drop their cached copy. */
  markApiKeyChanged(keyId: string): Promise<void>;
  apiKeyChangedAt(keyId: string): Promise<number>;
  /** Whether the token is logged out, and the user's marker: the per-request check. */
  tokenState(jti: string, userId: string): Promise<TokenState>;
  /**
   * `tokenState` answered synchronously when it needs no round trip (no Redis, mirror loaded), or
   * `undefined`. Same state, same answers: only the promise is saved.
   */
  tokenStateSync(jti: string, userId: string): TokenState | undefined;
  /** Loads the durable rows and polls for other replicas' writes; `stop` ends the polling. */
  start(): Promise<void>;
  stop(): void;
}

const unavailable = (cause: unknown) =>
  new AppError("DEPENDENCY_UNAVAILABLE", "revocation state is unavailable; retry shortly", { cause });

/**
 * Every revocation is written to `auth_revocations` first (durable: restarts and Redis restarts
 * keep it), then to this replica's mirror (refused here at once), then to the shared cache when it
 * is Redis (refused on other replicas at once; the mirror's database poll catches up within 2 s
 * anyway). The in-process cache is not used: the mirror is this process's copy, and unlike the
 * shared LRU it is never evicted by policy decisions. A failing cache is a miss that falls back to
 * the database; a failing database as well is a 503, never an allow.
 */
export function createRevocations(deps: {
  db: AuthDb;
  cache: Cache;
  clock: Clock;
  logger: Logger;
  markerTtlSeconds: number;
}): Revocations {
  const { db, clock, logger, markerTtlSeconds } = deps;
  const shared = deps.cache.kind === "redis" ? deps.cache : undefined;
  const mirror = createRevocationMirror({ db, clock, logger });
  const userMemo = new Map<string, { endedAt: number; fetchedAt: number }>();
  const userKey = (id: string) => CACHE_KEYS.revokedToken(`user:${id}`);
  const keyKey = (id: string) => CACHE_KEYS.revokedToken(`apikey:${id}`);
  let timer: NodeJS.Timeout | undefined;

  /** Resolves once the mirror holds the durable rows; a load that fails is a 503, retried next time. */
  async function loaded(): Promise<void> {
    try {
      await mirror.ensureLoaded();
    } catch (e) {
      throw unavailable(e);
    }
  }

  /** Durable first, then this replica, then (best effort) the other replicas through Redis. */
  async function record(kind: RevocationKind, subject: string, atMs: number, expiresMs: number, key: string) {
    mirror.apply(kind, subject, atMs, expiresMs);
    const row: RevocationRow = { kind, subject, revoked_at: new Date(atMs), expires_at: new Date(expiresMs) };
    await upsertRevocation(db, row);
    const ttl = Math.ceil((expiresMs - clock.now()) / 1000);
    if (shared && ttl > 0) {
      await shared
        .set(key, kind === "token" ? 1 : atMs, ttl)
        .catch((e: unknown) =>
          logger.warn({ err: e, kind }, "revocation not cached; replicas read it from the database"),
        );
    }
  }

  /** A value from the shared cache, or `fallback()` from the database when the cache fails. */
  async function sharedOr<T>(read: (c: Cache) => Promise<T>, fallback: () => Promise<T>): Promise<T> {
    if (!shared) return fallback();
    try {
      return await read(shared);
    } catch {
      try {
        return await fallback();
      } catch (e) {
        throw unavailable(e);
      }
    }
  }

  const rowAt = (row: RevocationRow | undefined) => row?.revoked_at.getTime() ?? 0;

  /** The shared marker for a user, at most USER_MARKER_MEMO_MS old. */
  async function sharedUserMarker(userId: string): Promise<number> {
    const memo = userMemo.get(userId);
    const now = clock.now();
    if (memo && now - memo.fetchedAt < USER_MARKER_MEMO_MS) return memo.endedAt;
    const endedAt = await sharedOr(
      async (c) => (await c.get<number>(userKey(userId))) ?? 0,
      async () => rowAt(await findRevocation(db, "user", userId)),
    );
    if (userMemo.size >= 50_000) userMemo.clear();
    userMemo.set(userId, { endedAt, fetchedAt: now });
    return endedAt;
  }

  return {
    async revokeToken(jti, expiresAtMs) {
      if (expiresAtMs > clock.now()) await record("token", jti, clock.now(), expiresAtMs, CACHE_KEYS.revokedToken(jti));
    },
    async revokeTokenIn(trx, jti, expiresAtMs) {
      const now = clock.now();
      if (expiresAtMs <= now) return;
      await upsertRevocation(trx, {
        kind: "token",
        subject: jti,
        revoked_at: new Date(now),
        expires_at: new Date(expiresAtMs),
      });
    },
    async endUserSessions(userId) {
      const now = clock.now();
      await record("user", userId, now, now + markerTtlSeconds * 1000, userKey(userId));
    },
    async endUserSessionsIn(trx, userId) {
      const now = clock.now();
      const expires = new Date(now + markerTtlSeconds * 1000);
      await upsertRevocation(trx, { kind: "user", subject: userId, revoked_at: new Date(now), expires_at: expires });
    },
    async userSessionsEndedAt(userId) {
      if (!mirror.loaded) await loaded();
      const local = mirror.markerAt("user", userId);
      return shared ? Math.max(local, await sharedUserMarker(userId)) : local;
    },
    async markApiKeyChanged(keyId) {
      const now = clock.now();
      await record("api_key", keyId, now, now + markerTtlSeconds * 1000, keyKey(keyId));
    },
    async apiKeyChangedAt(keyId) {
      if (!mirror.loaded) await loaded();
      const local = mirror.markerAt("api_key", keyId);
      if (!shared) return local;
      const remote = await sharedOr(
        async (c) => (await c.get<number>(keyKey(keyId))) ?? 0,
        async () => rowAt(await findRevocation(db, "api_key", keyId)),
      );
      return Math.max(local, remote);
    },
    async tokenState(jti, userId) {
      if (!mirror.loaded) await loaded();
      const local = { revoked: mirror.tokenRevoked(jti), sessionsEndedAt: mirror.markerAt("user", userId) };
      if (!shared || local.revoked) return local;
      const [revoked, endedAt] = await Promise.all([
        sharedOr(
          async (c) => (await c.get(CACHE_KEYS.revokedToken(jti))) !== undefined,
          async () => (await findTokenRevocations(db, jti, userId)).some((r) => r.kind === "token"),
        ),
        sharedUserMarker(userId),
      ]);
      return { revoked, sessionsEndedAt: Math.max(local.sessionsEndedAt, endedAt) };
    },
    tokenStateSync(jti, userId) {
      if (shared || !mirror.loaded) return undefined;
      return { revoked: mirror.tokenRevoked(jti), sessionsEndedAt: mirror.markerAt("user", userId) };
    },
    async start() {
      await mirror.ensureLoaded().catch((e: unknown) => logger.warn({ err: e }, "revocations not loaded yet"));
      timer ??= setInterval(() => {
        mirror.sync().catch((e: unknown) => logger.warn({ err: e }, "revocations not loaded yet"));
      }, MIRROR_SYNC_MS);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
