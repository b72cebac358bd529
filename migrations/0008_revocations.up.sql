-- Durable revocations (issue 14). The shared cache (memory or Redis) only caches these rows: a
-- restart, or a Redis restart, must never bring a logged-out token or a pre-change role back.
--   kind 'token'    subject = access-token jti        (logout)
--   kind 'user'     subject = user id                 (role/team/email/password change, deactivation,
--                                                       deletion, refresh-token reuse: every credential
--                                                       issued before revoked_at is void)
--   kind 'api_key'  subject = API-key id              (rotate/revoke: cached copies older than revoked_at)
create table auth_revocations (
  kind text not null check (kind in ('token', 'user', 'api_key')),
  subject text not null,
  revoked_at timestamptz not null,
  -- After this instant nothing the row could void is still valid; housekeeping deletes the row.
  expires_at timestamptz not null,
  -- Database time of the last write: replicas poll for rows recorded since they last looked.
  recorded_at timestamptz not null default now(),
  primary key (kind, subject)
);
create index auth_revocations_recorded_idx on auth_revocations (recorded_at);
create index auth_revocations_expires_idx on auth_revocations (expires_at);
