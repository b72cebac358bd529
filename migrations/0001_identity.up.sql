-- Local identity: users, refresh-token families and API keys.
create table users (
  id uuid primary key,
  username text not null,
  email text,
  full_name text,
  password_hash text,
  roles text[] not null default '{}',
  teams text[] not null default '{}',
  is_active boolean not null default true,
  auth_provider text not null default 'local',
  mfa_enabled boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  last_login_at timestamptz
);
create unique index users_username_key on users (lower(username));
create unique index users_email_key on users (lower(email)) where email is not null;

-- Refresh tokens rotate; every rotation stays in one family so reuse of an old token can
-- revoke the whole family (stolen-token detection).
create table refresh_tokens (
  id uuid primary key,
  user_id uuid not null references users (id) on delete cascade,
  family_id uuid not null,
  token_hash text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  rotated_at timestamptz,
  revoked_at timestamptz
);
create unique index refresh_tokens_hash_key on refresh_tokens (token_hash);
create index refresh_tokens_user_idx on refresh_tokens (user_id);
create index refresh_tokens_family_idx on refresh_tokens (family_id);

create table api_keys (
  id text primary key,
  user_id uuid not null references users (id) on delete cascade,
  name text not null,
  secret_hash text not null,
  scopes text[] not null default '{}',
  rate_limit_per_minute integer,
  expires_at timestamptz,
  created_at timestamptz not null default now(),
  rotated_at timestamptz,
  revoked_at timestamptz,
  last_used_at timestamptz,
  usage_count bigint not null default 0
);
create index api_keys_user_idx on api_keys (user_id);
