-- Policy store: named policies, immutable versions, seed data for policies, and a revision
-- counter every replica polls to pick up activations and data changes without a restart.
create table policies (
  id uuid primary key,
  name text not null,
  description text not null default '',
  active_version integer,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index policies_name_key on policies (lower(name));
create index policies_created_by_idx on policies (created_by);

-- Versions are never edited: a change is a new version, a rollback re-activates an old one.
-- Only versions that compiled are stored, so activation never has to refuse a stored version
-- for its own syntax (it may still refuse one that conflicts with the other active policies).
create table policy_versions (
  policy_id uuid not null references policies (id) on delete cascade,
  version integer not null,
  content text not null,
  sha256 text not null,
  author_id uuid references users (id) on delete set null,
  author text not null,
  compile_status text not null check (compile_status in ('ok', 'error')),
  compile_errors jsonb not null default '[]',
  test_status text not null check (test_status in ('passed', 'failed', 'none')),
  test_results jsonb not null default '[]',
  created_at timestamptz not null default now(),
  primary key (policy_id, version)
);
create index policy_versions_author_idx on policy_versions (author_id);

-- Base documents under `data` (e.g. path 'sark/config' is data.sark.config).
create table policy_data (
  path text primary key,
  value jsonb not null,
  updated_by uuid references users (id) on delete set null,
  updated_at timestamptz not null default now()
);
create index policy_data_updated_by_idx on policy_data (updated_by);

-- One row; `revision` increases on every activation, deletion and data change.
create table policy_state (
  id integer primary key check (id = 1),
  revision bigint not null,
  updated_at timestamptz not null default now()
);
insert into policy_state (id, revision) values (1, 0);
