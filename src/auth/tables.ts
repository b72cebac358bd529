import type { ColumnType, Generated } from "kysely";

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** `users` (migration 0001). Passwords are stored only as `scrypt$N$r$p$salt$hash`. */
export interface UsersTable {
  id: string;
  username: string;
  email: string | null;
  full_name: string | null;
  password_hash: string | null;
  roles: string[];
  teams: string[];
  is_active: Generated<boolean>;
  auth_provider: Generated<string>;
  mfa_enabled: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
  last_login_at: NullableTimestamp;
}

/** One row per issued refresh token; rotations share a `family_id`. Only a hash is stored. */
export interface RefreshTokensTable {
  id: string;
  user_id: string;
  family_id: string;
  token_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  rotated_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  /** How the session's login authenticated (AuthMethod); its access tokens carry it. */
  auth_method: Generated<string>;
  mfa: Generated<boolean>;
  groups: Generated<string[]>;
}

/** API keys: `id` is the public part of the key; `secret_hash` the only trace of the secret. */
export interface ApiKeysTable {
  id: string;
  user_id: string;
  name: string;
  secret_hash: string;
  scopes: string[];
  rate_limit_per_minute: number | null;
  expires_at: NullableTimestamp;
  created_at: Timestamp;
  rotated_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
  usage_count: ColumnType<string | number | bigint, number | undefined, number>;
}

/** `auth_revocations` (migration 0008): the durable record behind every revocation cache. */
export interface RevocationsTable {
  kind: "token" | "user" | "api_key";
  subject: string;
  revoked_at: Timestamp;
  expires_at: Timestamp;
  recorded_at: Timestamp;
}

/**
 * `auth_login_throttles` (migration 0011): failed-login counters. `username_key` is the SHA-256 of
 * the normalised username; `address_key` the SHA-256 of the client address, or `*` for the row
 * counting the username's failures from every address.
 */
export interface LoginThrottlesTable {
  username_key: string;
  address_key: string;
  failures: number;
  last_failure_at: Timestamp;
  blocked_until: NullableTimestamp;
  expires_at: Timestamp;
}

/** A type alias (not an interface) so it satisfies `withTables`' record constraint. */
export type AuthTables = {
  users: UsersTable;
  refresh_tokens: RefreshTokensTable;
  api_keys: ApiKeysTable;
  auth_revocations: RevocationsTable;
  auth_login_throttles: LoginThrottlesTable;
};

/** Unique-violation check that works for node-postgres and PGlite errors alike. */
export function isUniqueViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === "23505";
}
