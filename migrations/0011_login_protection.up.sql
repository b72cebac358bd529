-- Failed-login protection (OWASP ASVS V2.2, issue 16). Counters live here rather than in the cache
-- so every replica shares them, with or without Redis, and a restart never lifts a lockout.
--   address_key = sha256 of the client address: failures of one username from one address (backoff)
--   address_key = '*'                           : failures of one username from any address (lockout)
-- Keys are SHA-256 hex digests, not the submitted values: rows have a fixed size whatever an
-- attacker sends, and the table does not keep a list of attempted usernames (people type
-- passwords into the username field). The key says nothing about whether the account exists.
create table auth_login_throttles (
  username_key text not null,
  address_key text not null,
  failures integer not null,
  last_failure_at timestamptz not null,
  -- Attempts before this instant are refused without checking the password.
  blocked_until timestamptz,
  -- The counter is forgotten after this instant (the window and any block have passed);
  -- housekeeping deletes the row.
  expires_at timestamptz not null,
  primary key (username_key, address_key)
);
create index auth_login_throttles_expires_idx on auth_login_throttles (expires_at);
