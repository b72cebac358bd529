import { createHash, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import { v7 as uuidv7 } from "uuid";
import { type AuditRecorder, auditActorOf } from "../../core/audit.js";
import type { AuthMethod, Caller, RequestFacts } from "../../core/caller.js";
import type { Clock } from "../../platform/clock.js";
import type { JwtConfig } from "../../platform/config/jwt.js";
import { AppError, unauthenticated } from "../../platform/errors.js";
import type { Counter } from "../../platform/metrics.js";
import type { LoginProtection } from "../login-protection/protection.js";
import type { IdentityProvider, VerifiedIdentity } from "../providers/identity-provider.js";
import type { Revocations } from "../revocations/revocations.js";
import type { AuthTables } from "../tables.js";
import { findUserById, type UserRow, updateUser } from "../users/repository.js";
import { principalOfUser, toUserView, type UserView } from "../users/service.js";
import * as refreshRepo from "./refresh-repository.js";
import { type TokenService, uuidv7Millis } from "./token-service.js";

export interface SessionTokens {
  access_token: string;
  token_type: "bearer";
  expires_in: number;
  refresh_token: string;
  user: UserView;
}

export interface SessionService {
  /** Username and password, checked by the password provider, then `start`. */
  login(username: string, password: string, request: RequestFacts): Promise<SessionTokens>;
  /** Starts a session for an identity a provider verified: its account must exist and be active. */
  start(identity: VerifiedIdentity, request: RequestFacts): Promise<SessionTokens>;
  refresh(refreshToken: string, request: RequestFacts): Promise<SessionTokens>;
  logout(caller: Caller, refreshToken: string | undefined): Promise<void>;
}

/** How the login that starts a session authenticated, and the groups its provider reported. */
interface SessionLogin {
  method: AuthMethod;
  mfa: boolean;
  groups: readonly string[];
}

/** Refresh tokens are 256 random bits; only their SHA-256 is stored (lookup by hash). */
const hashRefreshToken = (token: string) => createHash("sha256").update(token).digest("hex");

export function createSessionService(deps: {
  db: Kysely<AuthTables>;
  audit: AuditRecorder;
  clock: Clock;
  tokens: TokenService;
  /** Checks username and password logins (the local user table; LDAP joins here). */
  passwords: IdentityProvider;
  /** Failed-login throttling, in front of whichever provider checks the password. */
  protection: LoginProtection;
  revocations: Revocations;
  jwt: JwtConfig;
  logins: Counter<"result">;
}): SessionService {
  const { db, audit, clock, tokens, revocations, jwt } = deps;

  /**
   * Issues an access token and a refresh token in `familyId` (a new family at login). The refresh
   * token remembers how the login authenticated, so refreshed access tokens say the same.
   */
  async function issue(user: UserRow, familyId: string, login: SessionLogin): Promise<SessionTokens> {
    const access = await tokens.issue({
      principal: { ...principalOfUser(user), groups: login.groups },
      method: login.method,
      mfa: login.mfa,
    });
    const refresh = randomBytes(32).toString("base64url");
    await refreshRepo.insertRefreshToken(db, {
      id: uuidv7({ msecs: clock.now() }),
      user_id: user.id,
      family_id: familyId,
      token_hash: hashRefreshToken(refresh),
      auth_method: login.method,
      mfa: login.mfa,
      groups: [...login.groups],
      expires_at: new Date(clock.now() + jwt.refreshTokenTtlSeconds * 1000),
    });
    return {
      access_token: access.token,
      token_type: "bearer",
      expires_in: access.expiresIn,
      refresh_token: refresh,
      // A login only succeeds while the username is not locked, so there is no lock to show.
      user: toUserView(user, null),
    };
  }

  async function loginFailed(username: string, reason: string, request: RequestFacts): Promise<never> {
    deps.logins.inc({ result: "failure" });
    await audit.record({
      event_type: "auth.login",
      severity: "medium",
      outcome: "failure",
      actor: { ...auditActorOf(request), username },
      action: "auth.login",
      request_id: request.requestId,
      details: { reason },
    });
    // One answer for every failure: callers must not learn which usernames exist.
    throw unauthenticated("invalid username or password", "INVALID_CREDENTIALS");
  }

  /**
   * A blocked or locked username: refused before any password check (so the right password is
   * refused too, and no hashing happens). Counted, not audited: the block's start was audited, and
   * an event per refused attempt would let an attacker flood the audit trail. The answer depends
   * only on the submitted username and address, never on whether the account exists.
   */
  function loginThrottled(retryAfter: number): never {
    deps.logins.inc({ result: "throttled" });
    throw new AppError("RATE_LIMITED", "too many failed login attempts; try again later", {
      headers: { "retry-after": String(retryAfter) },
    });
  }

  async function reuseDetected(row: refreshRepo.RefreshRow, request: RequestFacts): Promise<never> {
    // Whoever replayed the token may hold access tokens minted from the family, and access tokens do
    // not record their family: void all of the user's. Other sessions refresh and carry on. The
    // revocations and their audit event commit together (audit outbox).
    await db.transaction().execute(async (trx) => {
      const revoked = await refreshRepo.revokeFamily(trx, row.family_id, new Date(clock.now()));
      await revocations.endUserSessionsIn(trx, row.user_id);
      await audit.recordInTransaction(trx, {
        event_type: "auth.refresh_reuse_detected",
        severity: "high",
        outcome: "denied",
        actor: { ...auditActorOf(request), user_id: row.user_id },
        action: "auth.refresh",
        resource: { type: "refresh_token_family", id: row.family_id },
        request_id: request.requestId,
        details: { revoked_sessions: revoked },
      });
    });
    await revocations.endUserSessions(row.user_id);
    throw unauthenticated("refresh token was already used; its session has been revoked", "TOKEN_REVOKED");
  }

  /** Starts a session for a verified identity: its account must exist and be active. */
  async function start(identity: VerifiedIdentity, request: RequestFacts): Promise<SessionTokens> {
    const user = await findUserById(db, identity.userId);
    if (!user?.is_active) return loginFailed(identity.username, user ? "inactive_user" : "unknown_user", request);
    const updated = (await updateUser(db, user.id, { last_login_at: new Date(clock.now()) })) ?? user;
    const login = { method: identity.method, mfa: identity.mfa, groups: identity.groups };
    const session = await issue(updated, uuidv7({ msecs: clock.now() }), login);
    deps.logins.inc({ result: "success" });
    await audit.record({
      event_type: "auth.login",
      severity: "low",
      outcome: "success",
      actor: { ...auditActorOf(request), user_id: user.id, username: user.username, auth_method: identity.method },
      action: "auth.login",
      request_id: request.requestId,
    });
    return session;
  }

  return {
    async login(username, password, request) {
      const admission = await deps.protection.admit(username, request);
      if (!admission.ok) return loginThrottled(admission.retryAfterSeconds);
      const check = await deps.passwords.verify({ username, password });
      if (!check.ok) {
        await deps.protection.recordFailure(admission.attempt);
        return loginFailed(username, check.reason, request);
      }
      await deps.protection.recordSuccess(admission.attempt);
      return start(check.identity, request);
    },

    start,

    async refresh(refreshToken, request) {
      const row = await refreshRepo.findRefreshToken(db, hashRefreshToken(refreshToken));
      if (!row) throw unauthenticated("refresh token is not valid");
      const now = clock.now();
      if (row.revoked_at) throw unauthenticated("refresh token has been revoked", "TOKEN_REVOKED");
      if (row.expires_at.getTime() <= now) throw unauthenticated("refresh token has expired", "TOKEN_EXPIRED");
      if (row.rotated_at || !(await refreshRepo.claimForRotation(db, row.id, new Date(now)))) {
        return reuseDetected(row, request);
      }
      const user = await findUserById(db, row.user_id);
      if (!user?.is_active) {
        await refreshRepo.revokeFamily(db, row.family_id, new Date(now));
        throw unauthenticated("refresh token has been revoked", "TOKEN_REVOKED");
      }
      const login = { method: row.auth_method as AuthMethod, mfa: row.mfa, groups: row.groups };
      const session = await issue(user, row.family_id, login);
      await audit.record({
        event_type: "auth.refresh",
        severity: "low",
        outcome: "success",
        actor: { ...auditActorOf(request), user_id: user.id, username: user.username, auth_method: row.auth_method },
        action: "auth.refresh",
        resource: { type: "refresh_token_family", id: row.family_id },
        request_id: request.requestId,
      });
      return session;
    },

    async logout(caller, refreshToken) {
      const { principal } = caller;
      const { tokenId } = caller.auth;
      // Revoke for the longest life the token can have; a few extra seconds of cache are harmless.
      const issuedAt = tokenId ? uuidv7Millis(tokenId) : Number.NaN;
      const expiresAt = (Number.isFinite(issuedAt) ? issuedAt : clock.now()) + jwt.accessTokenTtlSeconds * 1000;
      const family = refreshToken ? await refreshRepo.findRefreshToken(db, hashRefreshToken(refreshToken)) : undefined;
      const familyRevoked = family !== undefined && family.user_id === principal.id;
      // The revocations and the logout's audit event commit together (audit outbox).
      await db.transaction().execute(async (trx) => {
        if (tokenId) await revocations.revokeTokenIn(trx, tokenId, expiresAt);
        if (familyRevoked) await refreshRepo.revokeFamily(trx, family.family_id, new Date(clock.now()));
        await audit.recordInTransaction(trx, {
          event_type: "auth.logout",
          severity: "low",
          outcome: "success",
          actor: auditActorOf(caller),
          action: "auth.logout",
          request_id: caller.request.requestId,
          // Key names avoid the audit redactor's secret words (token, password…): these are facts, not secrets.
          details: { session_family_revoked: familyRevoked },
        });
      });
      if (tokenId) await revocations.revokeToken(tokenId, expiresAt);
    },
  };
}
