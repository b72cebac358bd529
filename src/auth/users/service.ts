import type { Kysely, Transaction } from "kysely";
import { v7 as uuidv7 } from "uuid";
import { type AuditRecorder, auditActorOf } from "../../core/audit.js";
import type { Caller, Principal } from "../../core/caller.js";
import type { Clock } from "../../platform/clock.js";
import { type AppError, conflict, type FieldError, notFound, validationFailed } from "../../platform/errors.js";
import { decodeIdCursor, encodeCursor, type Page } from "../../platform/http/pagination.js";
import type { LoginProtection } from "../login-protection/protection.js";
import type { Revocations } from "../revocations/revocations.js";
import { isRole, ROLES } from "../roles.js";
import { type AuthTables, isUniqueViolation } from "../tables.js";
import { revokeUserRefreshTokens } from "../tokens/refresh-repository.js";
import { hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "./passwords.js";
import * as repo from "./repository.js";

/** The API's view of a user (snake_case, never the password hash). */
export interface UserView {
  id: string;
  username: string;
  email: string | null;
  full_name: string | null;
  roles: string[];
  teams: string[];
  is_active: boolean;
  auth_provider: string;
  mfa_enabled: boolean;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
  /** Until when failed logins lock the username on every address (docs/AUTH.md), or null. */
  locked_until: string | null;
}

export interface CreateUserInput {
  username: string;
  password: string;
  email?: string | null;
  full_name?: string | null;
  roles: string[];
  teams?: string[];
  is_active?: boolean;
}

export type UpdateUserInput = Partial<Omit<CreateUserInput, "username">>;

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export function toUserView(u: repo.UserRow, lockedUntil: Date | null): UserView {
  return {
    id: u.id,
    username: u.username,
    email: u.email,
    full_name: u.full_name,
    roles: u.roles,
    teams: u.teams,
    is_active: u.is_active,
    auth_provider: u.auth_provider,
    mfa_enabled: u.mfa_enabled,
    created_at: u.created_at.toISOString(),
    updated_at: u.updated_at.toISOString(),
    last_login_at: u.last_login_at?.toISOString() ?? null,
    locked_until: lockedUntil?.toISOString() ?? null,
  };
}

/** The principal a user account acts as (local accounts belong to no directory groups). */
export function principalOfUser(u: repo.UserRow): Principal {
  return { id: u.id, username: u.username, email: u.email, roles: u.roles, teams: u.teams, groups: [] };
}

/** Service-level checks (the CLI and bootstrap bypass the HTTP schemas). */
function validate(input: UpdateUserInput & { username?: string }): void {
  const fields: FieldError[] = [];
  if (input.username !== undefined && !USERNAME.test(input.username)) {
    fields.push({ path: "body/username", message: "must be 1-64 letters, digits, '.', '_', '@' or '-'" });
  }
  if (
    input.password !== undefined &&
    (input.password.length < PASSWORD_MIN_LENGTH || input.password.length > PASSWORD_MAX_LENGTH)
  ) {
    fields.push({
      path: "body/password",
      message: `must be ${PASSWORD_MIN_LENGTH}-${PASSWORD_MAX_LENGTH} characters`,
    });
  }
  for (const [i, r] of (input.roles ?? []).entries()) {
    if (!isRole(r))
      fields.push({ path: `body/roles/${i}`, message: `unknown role '${r}'; one of ${ROLES.join(", ")}` });
  }
  if (fields.length > 0) throw validationFailed("user is not valid", fields);
}

function duplicate(e: unknown, username: string | undefined, email: string | null | undefined): AppError {
  const constraint = (e as { constraint?: unknown }).constraint;
  if (constraint === "users_email_key") return conflict(`a user with email '${email ?? ""}' already exists`);
  return conflict(`a user named '${username ?? ""}' already exists`);
}

export interface UsersService {
  /** `caller` is undefined for the system itself (bootstrap, the admin CLI). */
  create(input: CreateUserInput, caller?: Caller): Promise<UserView>;
  get(id: string): Promise<UserView>;
  list(query: { cursor?: string; limit: number; role?: string; active?: boolean }): Promise<Page<UserView>>;
  update(id: string, patch: UpdateUserInput, caller: Caller): Promise<UserView>;
  remove(id: string, caller: Caller): Promise<void>;
  /** Lifts a failed-login lockout: the username-wide lock and every counter and backoff of it. */
  unlock(id: string, caller: Caller): Promise<UserView>;
}

export function createUsersService(deps: {
  db: Kysely<AuthTables>;
  audit: AuditRecorder;
  clock: Clock;
  revocations: Revocations;
  loginProtection: LoginProtection;
}): UsersService {
  const { db, audit, clock, revocations, loginProtection } = deps;

  /** Views of users with their username-wide login locks (one query for the lot). */
  async function viewsOf(rows: readonly repo.UserRow[]): Promise<UserView[]> {
    const locks = await loginProtection.lockedUntil(rows.map((r) => r.username));
    return rows.map((r) => toUserView(r, locks.get(r.username) ?? null));
  }
  async function viewOf(row: repo.UserRow): Promise<UserView> {
    const locks = await loginProtection.lockedUntil([row.username]);
    return toUserView(row, locks.get(row.username) ?? null);
  }

  /** Records the change inside its transaction (the audit outbox): both commit or neither. */
  async function record(
    trx: Transaction<AuthTables>,
    event: string,
    user: repo.UserRow,
    caller: Caller | undefined,
    details = {},
  ) {
    await audit.recordInTransaction(trx, {
      event_type: event,
      // Account changes alter who may do what: worth a SIEM rule, so not "low".
      severity: "medium",
      outcome: "success",
      actor: caller ? auditActorOf(caller) : { username: "system" },
      action: event,
      resource: { type: "user", id: user.id, name: user.username },
      request_id: caller?.request.requestId,
      details,
    });
  }

  /**
   * Refuses changes that would leave no active admin (nobody could manage users any more). Call
   * before locking `id` itself: every guarded transaction locks the admins in id order first, so
   * two of them can never deadlock.
   */
  async function guardLastAdmin(trx: repo.AuthDb, id: string): Promise<void> {
    const admins = await repo.lockActiveAdmins(trx);
    if (admins.includes(id) && !admins.some((adminId) => adminId !== id)) {
      throw conflict("this is the last active admin; create another admin first");
    }
  }

  /** Applies a validated patch in one transaction, with the last-admin guard under lock. */
  async function applyPatch(
    id: string,
    patch: UpdateUserInput,
    passwordHash: string | undefined,
    caller: Caller | undefined,
  ) {
    try {
      return await db.transaction().execute(async (trx) => {
        const losesAdmin = patch.is_active === false || (patch.roles !== undefined && !patch.roles.includes("admin"));
        if (losesAdmin) await guardLastAdmin(trx, id);
        const before = await repo.findUserForUpdate(trx, id);
        if (!before) throw notFound("user", id);
        const after = await repo.updateUser(trx, id, {
          ...(patch.email !== undefined ? { email: patch.email } : {}),
          ...(patch.full_name !== undefined ? { full_name: patch.full_name } : {}),
          ...(patch.roles !== undefined ? { roles: [...new Set(patch.roles)] } : {}),
          ...(patch.teams !== undefined ? { teams: [...new Set(patch.teams)] } : {}),
          ...(patch.is_active !== undefined ? { is_active: patch.is_active } : {}),
          ...(passwordHash !== undefined ? { password_hash: passwordHash } : {}),
          updated_at: new Date(clock.now()),
        });
        if (!after) throw notFound("user", id);
        // Durable with the change itself: a crash right after the commit must not leave old tokens valid.
        if (claimsChanged(before, after) || passwordHash !== undefined) await revocations.endUserSessionsIn(trx, id);
        // Field names only, never values; "password" in the list says it changed, not what it is.
        await record(trx, "user.updated", after, caller, { changed: Object.keys(patch) });
        return { before, after };
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict(`a user with email '${patch.email ?? ""}' already exists`);
      throw e;
    }
  }

  return {
    async create(input, caller) {
      validate(input);
      let row: repo.UserRow;
      // Hashing is slow: done before the transaction so no connection is held while it runs.
      const passwordHash = await hashPassword(input.password);
      try {
        row = await db.transaction().execute(async (trx) => {
          const inserted = await repo.insertUser(trx, {
            id: uuidv7({ msecs: clock.now() }),
            username: input.username,
            email: input.email ?? null,
            full_name: input.full_name ?? null,
            password_hash: passwordHash,
            roles: [...new Set(input.roles)],
            teams: [...new Set(input.teams ?? [])],
            is_active: input.is_active ?? true,
          });
          const details = { roles: inserted.roles, teams: inserted.teams, is_active: inserted.is_active };
          await record(trx, "user.created", inserted, caller, details);
          return inserted;
        });
      } catch (e) {
        if (isUniqueViolation(e)) throw duplicate(e, input.username, input.email);
        throw e;
      }
      // A username can be locked before its account exists: failed logins never ask whether it does.
      return viewOf(row);
    },

    async get(id) {
      const row = await repo.findUserById(db, id);
      if (!row) throw notFound("user", id);
      return viewOf(row);
    },

    async list({ cursor, limit, role, active }) {
      const after = decodeIdCursor(cursor);
      const rows = await repo.listUsers(db, { after, limit: limit + 1, role, active });
      const items = await viewsOf(rows.slice(0, limit));
      const last = items.at(-1);
      const hasMore = rows.length > limit;
      return { items, has_more: hasMore, next_cursor: hasMore && last ? encodeCursor({ id: last.id }) : null };
    },

    async update(id, patch, caller) {
      validate(patch);
      // Hashing is slow: done before the transaction so no lock is held while it runs.
      const passwordHash = patch.password !== undefined ? await hashPassword(patch.password) : undefined;
      const { before, after } = await applyPatch(id, patch, passwordHash, caller);
      const passwordChanged = passwordHash !== undefined;
      if (claimsChanged(before, after) || passwordChanged) await revocations.endUserSessions(id);
      // Refresh tokens survive a role change (a refresh issues a token with the new claims), but
      // not a deactivation or a password change: those must log every session out for good.
      if (!after.is_active || passwordChanged) await revokeUserRefreshTokens(db, id, new Date(clock.now()));
      return viewOf(after);
    },

    async remove(id, caller) {
      await db.transaction().execute(async (trx) => {
        await guardLastAdmin(trx, id);
        const current = await repo.findUserForUpdate(trx, id);
        if (!current) throw notFound("user", id);
        await repo.deleteUser(trx, id);
        await revocations.endUserSessionsIn(trx, id);
        await record(trx, "user.deleted", current, caller);
        return current;
      });
      await revocations.endUserSessions(id);
    },

    async unlock(id, caller) {
      const user = await db.transaction().execute(async (trx) => {
        const row = await repo.findUserById(trx, id);
        if (!row) throw notFound("user", id);
        await loginProtection.unlockIn(trx, row.username);
        await record(trx, "auth.account_unlocked", row, caller);
        return row;
      });
      return toUserView(user, null);
    },
  };
}

/**
 * Existing credentials carry the old roles, teams and email in their claims (and the old active
 * flag in cached API-key rows), so any such change ends every session issued before it.
 */
function claimsChanged(before: repo.UserRow, after: repo.UserRow): boolean {
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
  return (
    before.is_active !== after.is_active ||
    !same(before.roles, after.roles) ||
    !same(before.teams, after.teams) ||
    before.email !== after.email
  );
}
