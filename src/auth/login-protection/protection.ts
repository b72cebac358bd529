import type { Kysely } from "kysely";
import { type AuditRecorder, auditActorOf } from "../../core/audit.js";
import type { RequestFacts } from "../../core/caller.js";
import type { Clock } from "../../platform/clock.js";
import type { LoginProtectionConfig } from "../../platform/config/rate-limit.js";
import type { AuthTables } from "../tables.js";
import type { AuthDb } from "../users/repository.js";
import * as repo from "./repository.js";
import {
  ANY_ADDRESS,
  accountLockSeconds,
  addressBackoffSeconds,
  addressKey,
  retryAfterSeconds,
  usernameKey,
} from "./rules.js";

/** A login attempt allowed to check its password, and what its outcome must update. */
export interface AdmittedAttempt {
  readonly username: string;
  readonly request: RequestFacts;
  readonly usernameKey: string;
  readonly addressKey: string;
  /** Whether this username + address had a counter (only then does a success need to clear it). */
  readonly counted: boolean;
}

export type Admission = { ok: true; attempt: AdmittedAttempt } | { ok: false; retryAfterSeconds: number };

export interface LoginProtection {
  /**
   * Whether a username + password attempt may check its password: not while the username is
   * blocked from this address (backoff) or locked everywhere (lockout). Decided on the submitted
   * username alone, never on whether the account exists.
   */
  admit(username: string, request: RequestFacts): Promise<Admission>;
  /** Counts a failed attempt; starts (and audits) a backoff or a lockout when it reaches one. */
  recordFailure(attempt: AdmittedAttempt): Promise<void>;
  /** A successful attempt clears its username + address counter (the username-wide one stays). */
  recordSuccess(attempt: AdmittedAttempt): Promise<void>;
  /** Username-wide locks in force now, keyed by the usernames given (as given). */
  lockedUntil(usernames: readonly string[]): Promise<Map<string, Date>>;
  /** Clears a username's lock and every counter of it, inside the caller's transaction. */
  unlockIn(trx: AuthDb, username: string): Promise<void>;
  /** Housekeeping: drops counters whose window and block have passed. */
  deleteExpired(): Promise<void>;
}

/** Failed-login throttling (OWASP ASVS V2.2) for every username + password provider. */
export function createLoginProtection(deps: {
  db: Kysely<AuthTables>;
  audit: AuditRecorder;
  clock: Clock;
  config: LoginProtectionConfig;
}): LoginProtection {
  const { db, audit, clock, config } = deps;

  /** Records a block start and its audit event together (the audit outbox). */
  async function block(
    attempt: AdmittedAttempt,
    rowKey: string,
    seconds: number,
    event: { type: string; severity: "medium" | "high"; failures: number; windowSeconds: number },
  ): Promise<void> {
    const until = new Date(clock.now() + seconds * 1000);
    const untilKey = rowKey === ANY_ADDRESS ? "locked_until" : "blocked_until";
    await db.transaction().execute(async (trx) => {
      await repo.startBlock(trx, attempt.usernameKey, rowKey, until, event.windowSeconds);
      await audit.recordInTransaction(trx, {
        event_type: event.type,
        severity: event.severity,
        outcome: "denied",
        actor: { ...auditActorOf(attempt.request), username: attempt.username },
        action: "auth.login",
        request_id: attempt.request.requestId,
        details: { failures: event.failures, [untilKey]: until.toISOString() },
      });
    });
  }

  return {
    async admit(username, request) {
      const attempt = { username, request, usernameKey: usernameKey(username), addressKey: addressKey(request.ip) };
      const rows = await repo.findThrottles(db, attempt.usernameKey, attempt.addressKey);
      const now = clock.now();
      const blockedUntil = rows
        .flatMap((r) => (r.blocked_until && r.blocked_until.getTime() > now ? [r.blocked_until.getTime()] : []))
        .reduce((latest, t) => Math.max(latest, t), 0);
      if (blockedUntil > 0) return { ok: false, retryAfterSeconds: retryAfterSeconds(new Date(blockedUntil), now) };
      const counted = rows.some((r) => r.address_key === attempt.addressKey);
      return { ok: true, attempt: { ...attempt, counted } };
    },

    async recordFailure(attempt) {
      const failures = await repo.countFailure(
        db,
        attempt.usernameKey,
        // Address first: every failure locks the two rows in the same order, so none can deadlock.
        [
          { addressKey: attempt.addressKey, windowSeconds: config.failureWindowSeconds },
          { addressKey: ANY_ADDRESS, windowSeconds: config.lockoutWindowSeconds },
        ],
        new Date(clock.now()),
      );
      const fromAddress = failures.get(attempt.addressKey) ?? 0;
      const fromAnywhere = failures.get(ANY_ADDRESS) ?? 0;
      const backoff = addressBackoffSeconds(fromAddress, config);
      if (backoff > 0) {
        await block(attempt, attempt.addressKey, backoff, {
          type: "auth.login_throttled",
          severity: "medium",
          failures: fromAddress,
          windowSeconds: config.failureWindowSeconds,
        });
      }
      const lock = accountLockSeconds(fromAnywhere, config);
      if (lock > 0) {
        await block(attempt, ANY_ADDRESS, lock, {
          type: "auth.account_locked",
          severity: "high",
          failures: fromAnywhere,
          windowSeconds: config.lockoutWindowSeconds,
        });
      }
    },

    async recordSuccess(attempt) {
      if (attempt.counted) await repo.deleteThrottle(db, attempt.usernameKey, attempt.addressKey);
    },

    async lockedUntil(usernames) {
      const locks = await repo.findAccountLocks(db, usernames.map(usernameKey), new Date(clock.now()));
      const byUsername = new Map<string, Date>();
      for (const username of usernames) {
        const until = locks.get(usernameKey(username));
        if (until) byUsername.set(username, until);
      }
      return byUsername;
    },

    async unlockIn(trx, username) {
      await repo.deleteUsernameThrottles(trx, usernameKey(username));
    },

    deleteExpired: () => repo.deleteExpiredThrottles(db, new Date(clock.now())),
  };
}
