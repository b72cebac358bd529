import type { Kysely, Transaction } from "kysely";
import { ACTIONS } from "../../core/actions.js";
import { type AuditRecorder, auditActorOf } from "../../core/audit.js";
import type { Authorizer } from "../../core/authorizer.js";
import type { Caller } from "../../core/caller.js";
import { scopeCovers } from "../../core/scopes.js";
import type { Clock } from "../../platform/clock.js";
import { AppError, notFound, validationFailed } from "../../platform/errors.js";
import { decodeCursor, encodeCursor, type Page } from "../../platform/http/pagination.js";
import { grantableScopes } from "../roles.js";
import type { AuthTables } from "../tables.js";
import { findUserById, type UserRow } from "../users/repository.js";
import { API_KEY_ID_LENGTH, API_KEY_SECRET_LENGTH, formatApiKey, hashApiKeySecret, randomBase62 } from "./format.js";
import * as repo from "./repository.js";
import type { ApiKeyUsage } from "./usage.js";

/** The API's view of a key: never the secret, never its hash. */
export interface ApiKeyView {
  id: string;
  name: string;
  /** The non-secret start of the key (`sark_<env>_<id>`), to recognise it in a list. */
  prefix: string;
  user_id: string;
  scopes: string[];
  rate_limit_per_minute: number | null;
  expires_at: string | null;
  created_at: string;
  rotated_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  usage_count: number;
}

/** Returned once, by create and rotate: the only time the full key is ever shown. */
export interface ApiKeyWithSecret extends ApiKeyView {
  key: string;
}

export interface CreateApiKeyInput {
  name: string;
  scopes: string[];
  expires_at?: string;
  expires_in_days?: number;
  rate_limit_per_minute?: number;
  user_id?: string;
}

export interface ApiKeysService {
  create(caller: Caller, input: CreateApiKeyInput): Promise<ApiKeyWithSecret>;
  list(
    caller: Caller,
    query: { user_id?: string; all?: boolean; include_revoked?: boolean; cursor?: string; limit: number },
  ): Promise<Page<ApiKeyView>>;
  get(caller: Caller, id: string): Promise<ApiKeyView>;
  rotate(caller: Caller, id: string): Promise<ApiKeyWithSecret>;
  revoke(caller: Caller, id: string): Promise<void>;
}

export function createApiKeysService(deps: {
  db: Kysely<AuthTables>;
  audit: AuditRecorder;
  authorizer: Authorizer;
  clock: Clock;
  envLabel: string;
  usage: ApiKeyUsage;
  /** Drops cached verifications here and tells other replicas (rotate/revoke). */
  invalidate(id: string): Promise<void>;
}): ApiKeysService {
  const { db, audit, authorizer, clock, envLabel, usage } = deps;
  const iso = (d: Date | null) => d?.toISOString() ?? null;

  function view(row: repo.ApiKeyRow): ApiKeyView {
    const pending = usage.pending(row.id);
    const last = Math.max(row.last_used_at?.getTime() ?? 0, pending?.lastUsedAt ?? 0);
    return {
      id: row.id,
      name: row.name,
      prefix: `sark_${envLabel}_${row.id}`,
      user_id: row.user_id,
      scopes: row.scopes,
      rate_limit_per_minute: row.rate_limit_per_minute,
      expires_at: iso(row.expires_at),
      created_at: row.created_at.toISOString(),
      rotated_at: iso(row.rotated_at),
      revoked_at: iso(row.revoked_at),
      last_used_at: last > 0 ? new Date(last).toISOString() : null,
      usage_count: Number(row.usage_count) + (pending?.count ?? 0),
    };
  }

  /** Own keys need apikey:manage; others' need apikey:manage:all, and without it they do not exist (404). */
  async function accessible(caller: Caller, id: string): Promise<repo.ApiKeyRow> {
    const row = await repo.findApiKey(db, id);
    if (!row) throw notFound("api key", id);
    if (row.user_id === caller.principal.id) {
      await authorizer.require(caller, ACTIONS.apiKeyManage);
    } else if (!(await authorizer.authorize(caller, ACTIONS.apiKeyManageAll)).allow) {
      throw notFound("api key", id);
    }
    return row;
  }

  /** Managing one's own keys vs. someone else's. */
  const requireManage = (caller: Caller, ownerId: string | undefined) =>
    authorizer.require(caller, ownerId === caller.principal.id ? ACTIONS.apiKeyManage : ACTIONS.apiKeyManageAll);

  /**
   * A key may carry only scopes its owner's current roles could use, and a key acting on keys only
   * scopes it holds itself: otherwise a viewer could hold an `admin` key, or a narrow key with
   * `api-keys:write` could mint (or rotate and read) a wider one. 403 naming the first such scope.
   */
  async function requireGrantable(caller: Caller, ownerId: string, scopes: readonly string[]): Promise<void> {
    const owner: UserRow | undefined = await findUserById(db, ownerId);
    if (!owner) throw notFound("user", ownerId);
    const grantable = grantableScopes(owner.roles);
    const beyondRoles = scopes.find((s) => !grantable.has(s));
    if (beyondRoles !== undefined) {
      const roles = owner.roles.length > 0 ? owner.roles.join(", ") : "none";
      throw new AppError(
        "FORBIDDEN",
        `scope '${beyondRoles}' is not allowed for this key: its owner's roles (${roles}) do not grant it`,
        { details: { scope: beyondRoles, owner_roles: owner.roles } },
      );
    }
    const held = caller.auth.scopes;
    const beyondKey = held === undefined ? undefined : scopes.find((s) => !scopeCovers(held, s));
    if (beyondKey !== undefined) {
      throw new AppError("FORBIDDEN", `scope '${beyondKey}' is not held by the API key making this request`, {
        details: { scope: beyondKey },
      });
    }
  }

  function expiry(input: CreateApiKeyInput): Date | null {
    if (input.expires_at !== undefined && input.expires_in_days !== undefined) {
      throw validationFailed("give expires_at or expires_in_days, not both", [
        { path: "body/expires_at", message: "conflicts with expires_in_days" },
      ]);
    }
    if (input.expires_in_days !== undefined) return new Date(clock.now() + input.expires_in_days * 86_400_000);
    if (input.expires_at === undefined) return null;
    const at = new Date(input.expires_at);
    if (!(at.getTime() > clock.now())) {
      throw validationFailed("expires_at must be in the future", [
        { path: "body/expires_at", message: "is not in the future" },
      ]);
    }
    return at;
  }

  /** Records the change inside its transaction (the audit outbox): both commit or neither. */
  async function record(tx: Transaction<AuthTables>, event: string, row: repo.ApiKeyRow, caller: Caller, details = {}) {
    await audit.recordInTransaction(tx, {
      event_type: event,
      severity: "medium",
      outcome: "success",
      actor: auditActorOf(caller),
      action: event,
      resource: { type: "api_key", id: row.id, name: row.name },
      request_id: caller.request.requestId,
      details: { owner_id: row.user_id, ...details },
    });
  }

  return {
    async create(caller, input) {
      const ownerId = input.user_id ?? caller.principal.id;
      await requireManage(caller, ownerId);
      const scopes = [...new Set(input.scopes)];
      await requireGrantable(caller, ownerId, scopes);
      const id = randomBase62(API_KEY_ID_LENGTH);
      const secret = randomBase62(API_KEY_SECRET_LENGTH);
      const expiresAt = expiry(input);
      const row = await db.transaction().execute(async (tx) => {
        const inserted = await repo.insertApiKey(tx, {
          id,
          user_id: ownerId,
          name: input.name,
          secret_hash: hashApiKeySecret(id, secret),
          scopes,
          rate_limit_per_minute: input.rate_limit_per_minute ?? null,
          expires_at: expiresAt,
        });
        await record(tx, "apikey.created", inserted, caller, {
          scopes: inserted.scopes,
          expires_at: iso(inserted.expires_at),
        });
        return inserted;
      });
      return { ...view(row), key: formatApiKey(envLabel, id, secret) };
    },

    async list(caller, query) {
      const userId = query.all ? undefined : (query.user_id ?? caller.principal.id);
      await requireManage(caller, userId);
      const after = query.cursor ? decodeCursor(query.cursor, ["id"]).id : undefined;
      const rows = await repo.listApiKeys(db, {
        userId,
        includeRevoked: query.include_revoked === true,
        after,
        limit: query.limit + 1,
      });
      const items = rows.slice(0, query.limit).map(view);
      const last = items.at(-1);
      const hasMore = rows.length > query.limit;
      return { items, has_more: hasMore, next_cursor: hasMore && last ? encodeCursor({ id: last.id }) : null };
    },

    async get(caller, id) {
      return view(await accessible(caller, id));
    },

    async rotate(caller, id) {
      const current = await accessible(caller, id);
      // Rotation hands out a working secret: the same rules as creating the key today.
      await requireGrantable(caller, current.user_id, current.scopes);
      const secret = randomBase62(API_KEY_SECRET_LENGTH);
      const row = await db.transaction().execute(async (tx) => {
        const rotated = await repo.setApiKeySecret(tx, id, hashApiKeySecret(id, secret), new Date(clock.now()));
        if (rotated) await record(tx, "apikey.rotated", rotated, caller);
        return rotated;
      });
      if (!row) throw new AppError("CONFLICT", `api key '${id}' is revoked and cannot be rotated`);
      await deps.invalidate(id);
      return { ...view(row), key: formatApiKey(envLabel, id, secret) };
    },

    async revoke(caller, id) {
      const row = await accessible(caller, id);
      // Idempotent: revoking a revoked key is a no-op, recorded once.
      const revoked = await db.transaction().execute(async (tx) => {
        if (!(await repo.revokeApiKey(tx, id, new Date(clock.now())))) return false;
        await record(tx, "apikey.revoked", row, caller);
        return true;
      });
      if (revoked) await deps.invalidate(id);
    },
  };
}
