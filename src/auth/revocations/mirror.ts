import type { Clock } from "../../platform/clock.js";
import type { Logger } from "../../platform/logger.js";
import type { AuthDb } from "../users/repository.js";
import {
  listLiveRevocations,
  listRevocationsRecordedWithin,
  type RevocationKind,
  type RevocationRow,
} from "./repository.js";

/** How often a replica reads the revocations other replicas recorded (and how stale it may be). */
export const MIRROR_SYNC_MS = 2000;
/** Each poll re-reads this much more than the time since the last good poll: commit-order slack. */
const SYNC_OVERLAP_S = 30;
const PRUNE_EVERY_MS = 60_000;

/** One revocation as the mirror keeps it. */
interface Entry {
  at: number;
  expires: number;
}

/**
 * This process's copy of every revocation still in force, loaded from `auth_revocations` at start
 * and topped up every MIRROR_SYNC_MS. It answers the hot path synchronously (two Map lookups) and
 * is what keeps a revocation alive when the shared cache forgets it (Redis restart, eviction).
 * Unlike the shared in-process cache it is never evicted by unrelated entries, so a miss is an
 * answer: "not revoked as of the last sync, or by this replica since".
 */
export interface RevocationMirror {
  readonly loaded: boolean;
  /** Loads the live rows once (concurrent callers share the load; a failed load is retried). */
  ensureLoaded(): Promise<void>;
  /** Reads rows recorded since the last successful sync (with overlap) and prunes expired ones. */
  sync(): Promise<void>;
  apply(kind: RevocationKind, subject: string, atMs: number, expiresMs: number): void;
  tokenRevoked(jti: string): boolean;
  /** Epoch ms of the latest marker for the subject (0: none). */
  markerAt(kind: "user" | "api_key", subject: string): number;
}

export function createRevocationMirror(deps: { db: AuthDb; clock: Clock; logger: Logger }): RevocationMirror {
  const { db, clock, logger } = deps;
  const maps: Record<RevocationKind, Map<string, Entry>> = { token: new Map(), user: new Map(), api_key: new Map() };
  let loaded = false;
  let loading: Promise<void> | undefined;
  /** Monotonic time at which the last successful read started: the next window reaches back to it. */
  let lastSyncStart = 0;
  let lastPrune = 0;
  let failing = false;

  function apply(kind: RevocationKind, subject: string, at: number, expires: number): void {
    const map = maps[kind];
    const old = map.get(subject);
    map.set(subject, old ? { at: Math.max(old.at, at), expires: Math.max(old.expires, expires) } : { at, expires });
  }

  const applyRows = (rows: readonly RevocationRow[]) => {
    for (const r of rows) apply(r.kind, r.subject, r.revoked_at.getTime(), r.expires_at.getTime());
  };

  function prune(now: number): void {
    if (now - lastPrune < PRUNE_EVERY_MS) return;
    lastPrune = now;
    for (const map of Object.values(maps)) for (const [k, e] of map) if (e.expires <= now) map.delete(k);
  }

  /** Entries past their expiry can no longer void anything: treated as absent before pruning. */
  const live = (kind: RevocationKind, subject: string): Entry | undefined => {
    const e = maps[kind].get(subject);
    return e && e.expires > clock.now() ? e : undefined;
  };

  async function load(): Promise<void> {
    const started = performance.now();
    applyRows(await listLiveRevocations(db, new Date(clock.now())));
    lastSyncStart = started;
    loaded = true;
  }

  function ensureLoaded(): Promise<void> {
    if (loaded) return Promise.resolve();
    loading ??= load().finally(() => {
      loading = undefined;
    });
    return loading;
  }

  return {
    get loaded() {
      return loaded;
    },
    ensureLoaded,
    async sync() {
      if (!loaded) return ensureLoaded();
      const started = performance.now();
      try {
        const seconds = (started - lastSyncStart) / 1000 + SYNC_OVERLAP_S;
        applyRows(await listRevocationsRecordedWithin(db, seconds));
        lastSyncStart = started;
        if (failing) logger.info("revocation sync: database reachable again");
        failing = false;
      } catch (e) {
        // Logged once per outage; the shared cache still carries new revocations meanwhile.
        if (!failing) logger.warn({ err: e }, "revocation sync failed; retrying every 2 s");
        failing = true;
      }
      prune(clock.now());
    },
    apply,
    tokenRevoked: (jti) => live("token", jti) !== undefined,
    markerAt: (kind, subject) => live(kind, subject)?.at ?? 0,
  };
}
