import { Type } from "typebox";
import { SCOPES } from "../core/scopes.js";
import { ROLES } from "./roles.js";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "./users/passwords.js";

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Timestamp = Type.String({ format: "date-time" });
const Username = Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9][A-Za-z0-9._@-]*$" });
const Password = Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH });
const Roles = Type.Array(Type.Enum([...ROLES]), { uniqueItems: true, maxItems: ROLES.length });
const Teams = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { uniqueItems: true, maxItems: 100 });
const Email = Type.String({ format: "email", maxLength: 254 });

export const ErrorResponse = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    request_id: Type.String(),
    details: Type.Optional(Type.Unknown()),
  }),
});

/** The login's 429: this username is throttled (docs/AUTH.md), or the address's request allowance is spent. */
export const LoginRateLimitedResponse = Type.Object(ErrorResponse.properties, {
  description:
    "RATE_LIMITED: too many failed logins for this username from this address, or from any address " +
    "(the account is locked), or the client address's request allowance is spent; the password was not " +
    "checked; retry after Retry-After seconds",
  // Documentation only (@fastify/swagger reads it; the serializer ignores it), like every limited route's 429.
  headers: { "retry-after": { description: "Seconds until a login may be tried again", schema: { type: "integer" } } },
});

export const User = Type.Object({
  id: Type.String(),
  username: Type.String(),
  email: Nullable(Type.String()),
  full_name: Nullable(Type.String()),
  roles: Type.Array(Type.String()),
  teams: Type.Array(Type.String()),
  is_active: Type.Boolean(),
  auth_provider: Type.String(),
  mfa_enabled: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
  last_login_at: Nullable(Timestamp),
  /** Failed logins lock the username on every address until then (docs/AUTH.md); null when not locked. */
  locked_until: Nullable(Timestamp),
});

export const CreateUserBody = Type.Object(
  {
    username: Username,
    password: Password,
    email: Type.Optional(Nullable(Email)),
    full_name: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    roles: Roles,
    teams: Type.Optional(Teams),
    is_active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const UpdateUserBody = Type.Object(
  {
    password: Type.Optional(Password),
    email: Type.Optional(Nullable(Email)),
    full_name: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    roles: Type.Optional(Roles),
    teams: Type.Optional(Teams),
    is_active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const IdParams = Type.Object({ id: Type.String({ format: "uuid" }) });
export const KeyIdParams = Type.Object({ id: Type.String({ pattern: "^[0-9A-Za-z]{16}$" }) });

const PageQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
};

export const ListUsersQuery = Type.Object(
  { ...PageQuery, role: Type.Optional(Type.Enum([...ROLES])), active: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

export const page = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({ items: Type.Array(item), next_cursor: Nullable(Type.String()), has_more: Type.Boolean() });

export const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 256 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);

export const RefreshBody = Type.Object(
  { refresh_token: Type.String({ minLength: 1, maxLength: 512 }) },
  { additionalProperties: false },
);

export const LogoutBody = Type.Object(
  { refresh_token: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })) },
  { additionalProperties: false },
);

export const SessionResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal("bearer"),
  expires_in: Type.Integer(),
  refresh_token: Type.String(),
  user: User,
});

export const MeResponse = Type.Object({
  id: Type.String(),
  username: Type.String(),
  email: Nullable(Type.String()),
  roles: Type.Array(Type.String()),
  teams: Type.Array(Type.String()),
  auth_method: Type.String(),
  api_key_id: Type.Optional(Type.String()),
  scopes: Type.Optional(Type.Array(Type.String())),
});

export const ApiKey = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  user_id: Type.String(),
  scopes: Type.Array(Type.String()),
  rate_limit_per_minute: Nullable(Type.Integer()),
  expires_at: Nullable(Timestamp),
  created_at: Timestamp,
  rotated_at: Nullable(Timestamp),
  revoked_at: Nullable(Timestamp),
  last_used_at: Nullable(Timestamp),
  usage_count: Type.Integer(),
});

export const ApiKeyWithSecret = Type.Object({ ...ApiKey.properties, key: Type.String() });

export const CreateApiKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Array(Type.Enum([...SCOPES]), { minItems: 1, uniqueItems: true, maxItems: SCOPES.length }),
    expires_at: Type.Optional(Timestamp),
    expires_in_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
    rate_limit_per_minute: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    user_id: Type.Optional(Type.String({ format: "uuid" })),
  },
  { additionalProperties: false },
);

export const ListApiKeysQuery = Type.Object(
  {
    ...PageQuery,
    user_id: Type.Optional(Type.String({ format: "uuid" })),
    all: Type.Optional(Type.Boolean()),
    include_revoked: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
