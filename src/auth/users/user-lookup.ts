import type { UserLookup } from "../../core/lookups.js";
import type { PolicyUser } from "../../core/policy-input.js";
import { type AuthDb, findUserById, findUserByUsername, type UserRow } from "./repository.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Stored users as `input.user` documents (the evaluate API's "on behalf of"). A UUID-shaped
 * reference is an id and nothing else: comparing a non-UUID text with the uuid column would be a
 * database error, and a username that looks like an id would otherwise be ambiguous.
 * Inactive users are found as well: what a disabled account could do is a fair question for an admin.
 */
export function createUserLookup(db: AuthDb): UserLookup {
  return {
    async findUser(ref) {
      const row = UUID.test(ref) ? await findUserById(db, ref) : await findUserByUsername(db, ref);
      return row ? policyUser(row) : null;
    },
  };
}

/** Stored users carry no group memberships: `groups` is empty, as in an authenticated caller's own document. */
function policyUser(row: UserRow): PolicyUser {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    roles: row.roles,
    teams: row.teams,
    groups: [],
    // A local account signs in with a password: the same `auth_method` its own requests carry.
    auth_method: row.auth_provider === "local" ? "password" : row.auth_provider,
    mfa: row.mfa_enabled,
  };
}
