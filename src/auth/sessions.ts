import { createHash, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import { v7 as uuidv7 } from "uuid";
import type { AuditRecorder } from "../core/audit.js";
import type { Principal } from "../core/caller.js";
import type { Clock } from "../platform/clock.js";
import type { JwtConfig } from "../platform/config.js";
import type { Counter } from "../platform/metrics.js";
import { type TokenService, unauthenticated, uuidv7Millis } from "./jwt.js";
import { dummyPasswordHash, verifyPassword } from "./passwords.js";
import * as refreshRepo from "./refresh-repository.js";
import type { Revocations } from "./revocations.js";
import type { AuthTables } from "./tables.js";
import { findUserById, findUserByUsername, type UserRow, updateUser } from "./users-repository.js";
import { type AuditContext, toUserView, type UserView } from "./users-service.js";

export interface SessionTokens {
  access_token: string;
  token_type: "bearer";
  expires_in: number;
  refresh_token: string;
  user: UserView;
}

export interface SessionService {
  login(username: string, password: string, ctx: AuditContext): Promise<SessionTokens>;
  refresh(refreshToken: string, ctx: AuditContext): Promise<SessionTokens>;
  logout(principal: Principal, refreshToken: string | undefined, ctx: AuditContext): Promise<void>;
}

/** Refresh tokens are 256 random bits; only their SHA-256 is stored (lookup by hash). */
const hashRefreshToken = (token: string) => createHash("sha256").update(token).digest("hex");

export function createSessionService(deps: {
  db: Kysely<AuthTables>;
  audit: AuditRecorder;
  clock: Clock;
  tokens: TokenService;
  revocations: Revocations;
  jwt: JwtConfig;
  logins: Counter<"result">;
}): SessionService {
  const { db, audit, clock, tokens, revocations, jwt } = deps;

  /** Issues an access token and a refresh token in `familyId` (a new family at login). */
  async function issue(user: UserRow, familyId: string): Promise<SessionTokens> {
    const access = await tokens.issue(user);
    const refresh = randomBytes(32).toString("base64url");
    await refreshRepo.insertRefreshToken(db, {
      id: uuidv7({ msecs: clock.now() }),
      user_id: user.id,
      family_id: familyId,
      token_hash: hashRefreshToken(refresh),
      expires_at: new Date(clock.now() + jwt.refreshTokenTtlSeconds * 1000),
    });
    return {
      access_token: access.token,
      token_type: "bearer",
      expires_in: access.expiresIn,
      refresh_token: refresh,
      user: toUserView(user),
    };
  }

  async function loginFailed(username: string, reason: string, ctx: AuditContext): Promise<never> {
    deps.logins.inc({ result: "failure" });
    await audit.record({
      event_type: "auth.login",
      severity: "medium",
      outcome: "failure",
      actor: { ...ctx.actor, username },
      action: "auth.login",
      request_id: ctx.requestId,
      details: { reason },
    });
    // One answer for every failure: callers must not learn which usernames exist.
    throw unauthenticated("invalid username or password", "INVALID_CREDENTIALS");
  }

  async function reuseDetected(row: refreshRepo.RefreshRow, ctx: AuditContext): Promise<never> {
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
        actor: { ...ctx.actor, user_id: row.user_id },
        action: "auth.refresh",
        resource: { type: "refresh_token_family", id: row.family_id },
        request_id: ctx.requestId,
        details: { revoked_sessions: revoked },
      });
    });
    await revocations.endUserSessions(row.user_id);
    throw unauthenticated("refresh token was already used; its session has been revoked", "TOKEN_REVOKED");
  }

  return {
    async login(username, password, ctx) {
      const user = await findUserByUsername(db, username);
      // Always pay for one scrypt verification, whether or not the user exists.
      const ok = await verifyPassword(password, user?.password_hash ?? (await dummyPasswordHash()));
      if (!user) return loginFailed(username, "unknown_user", ctx);
      if (!user.password_hash) return loginFailed(username, "no_local_password", ctx);
      if (!ok) return loginFailed(username, "bad_password", ctx);
      if (!user.is_active) return loginFailed(username, "inactive_user", ctx);
      const updated = (await updateUser(db, user.id, { last_login_at: new Date(clock.now()) })) ?? user;
      const session = await issue(updated, uuidv7({ msecs: clock.now() }));
      deps.logins.inc({ result: "success" });
      await audit.record({
        event_type: "auth.login",
        severity: "low",
        outcome: "success",
        actor: { ...ctx.actor, user_id: user.id, username: user.username, auth_method: "password" },
        action: "auth.login",
        request_id: ctx.requestId,
      });
      return session;
    },

    async refresh(refreshToken, ctx) {
      const row = await refreshRepo.findRefreshToken(db, hashRefreshToken(refreshToken));
      if (!row) throw unauthenticated("refresh token is not valid");
      const now = clock.now();
      if (row.revoked_at) throw unauthenticated("refresh token has been revoked", "TOKEN_REVOKED");
      if (row.expires_at.getTime() <= now) throw unauthenticated("refresh token has expired", "TOKEN_EXPIRED");
      if (row.rotated_at || !(await refreshRepo.claimForRotation(db, row.id, new Date(now)))) {
        return reuseDetected(row, ctx);
      }
      const user = await findUserById(db, row.user_id);
      if (!user?.is_active) {
        await refreshRepo.revokeFamily(db, row.family_id, new Date(now));
        throw unauthenticated("refresh token has been revoked", "TOKEN_REVOKED");
      }
      const session = await issue(user, row.family_id);
      await audit.record({
        event_type: "auth.refresh",
        severity: "low",
        outcome: "success",
        actor: { ...ctx.actor, user_id: user.id, username: user.username, auth_method: "password" },
        action: "auth.refresh",
        resource: { type: "refresh_token_family", id: row.family_id },
        request_id: ctx.requestId,
      });
      return session;
    },

    async logout(principal, refreshToken, ctx) {
      // Revoke for the longest life the token can have; a few extra seconds of cache are harmless.
      const issuedAt = principal.tokenId ? uuidv7Millis(principal.tokenId) : Number.NaN;
      const expiresAt = (Number.isFinite(issuedAt) ? issuedAt : clock.now()) + jwt.accessTokenTtlSeconds * 1000;
      const family = refreshToken ? await refreshRepo.findRefreshToken(db, hashRefreshToken(refreshToken)) : undefined;
      const familyRevoked = family !== undefined && family.user_id === principal.id;
      // The revocations and the logout's audit event commit together (audit outbox).
      await db.transaction().execute(async (trx) => {
        if (principal.tokenId) await revocations.revokeTokenIn(trx, principal.tokenId, expiresAt);
        if (familyRevoked) await refreshRepo.revokeFamily(trx, family.family_id, new Date(clock.now()));
        await audit.recordInTransaction(trx, {
          event_type: "auth.logout",
          severity: "low",
          outcome: "success",
          actor: ctx.actor,
          action: "auth.logout",
          request_id: ctx.requestId,
          // Key names avoid the audit redactor's secret words (token, password…): these are facts, not secrets.
          details: { session_family_revoked: familyRevoked },
        });
      });
      if (principal.tokenId) await revocations.revokeToken(principal.tokenId, expiresAt);
    },
  };
}
