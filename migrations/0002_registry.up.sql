-- MCP server registry. Ids are UUIDv7 (time-ordered), so "order by id" is creation order and
-- gives keyset pagination a stable, gap-free order.
create table servers (
  id uuid primary key,
  name text not null,
  description text not null default '',
  transport text not null check (transport in ('streamable-http', 'sse', 'stdio')),
  endpoint text,
  command text,
  args jsonb not null default '[]',
  env_names text[] not null default '{}',
  sensitivity_level text not null default 'medium' check (sensitivity_level in ('low', 'medium', 'high', 'critical')),
  status text not null default 'registered'
    check (status in ('registered', 'active', 'inactive', 'unhealthy', 'decommissioned')),
  owner_id uuid references users (id) on delete set null,
  team text,
  tags text[] not null default '{}',
  metadata jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- The API enforces these too; the database keeps them true for every other writer.
  constraint servers_name_length check (char_length(name) between 1 and 255),
  constraint servers_stdio_command check ((transport = 'stdio') = (command is not null)),
  constraint servers_http_endpoint check ((transport = 'stdio') = (endpoint is null))
);
create unique index servers_name_key on servers (lower(name));
create index servers_owner_idx on servers (owner_id);
create index servers_status_idx on servers (status);
create index servers_sensitivity_idx on servers (sensitivity_level);
create index servers_team_idx on servers (team);
create index servers_tags_idx on servers using gin (tags);

create table tools (
  id uuid primary key,
  server_id uuid not null references servers (id) on delete cascade,
  name text not null,
  description text not null default '',
  input_schema jsonb not null default '{"type":"object"}',
  sensitivity_level text not null check (sensitivity_level in ('low', 'medium', 'high', 'critical')),
  sensitivity_source text not null default 'auto' check (sensitivity_source in ('auto', 'declared', 'override')),
  requires_approval boolean not null default false,
  annotations jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- Also the index for the server_id foreign key (leading column).
create unique index tools_server_name_key on tools (server_id, name);

create table tool_sensitivity_history (
  id uuid primary key,
  tool_id uuid not null references tools (id) on delete cascade,
  previous_level text not null,
  new_level text not null,
  reason text not null,
  changed_by uuid references users (id) on delete set null,
  changed_at timestamptz not null default now()
);
create index tool_sensitivity_history_tool_idx on tool_sensitivity_history (tool_id, changed_at);
create index tool_sensitivity_history_user_idx on tool_sensitivity_history (changed_by);
