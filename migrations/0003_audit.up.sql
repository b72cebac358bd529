-- Audit trail (contract: ARCHITECTURE.md "Audit event contract"). Append-only.
-- `seq` is assigned inside the writer's serialised insert transaction, so its order is commit
-- order: the SIEM forwarder's cursor follows it and can never skip a late-committing event.
create table audit_events (
  id uuid primary key,
  seq bigint generated always as identity,
  timestamp timestamptz not null,
  event_type text not null,
  severity text not null check (severity in ('low', 'medium', 'high', 'critical')),
  outcome text not null check (outcome in ('success', 'failure', 'denied')),
  actor jsonb not null default '{}',
  action text,
  resource jsonb,
  decision jsonb,
  request_id text,
  details jsonb not null default '{}',
  hash text not null,
  prev_hash text not null
);
create index audit_events_timestamp_idx on audit_events (timestamp);
create index audit_events_type_idx on audit_events (event_type, id);
create unique index audit_events_seq_idx on audit_events (seq);
