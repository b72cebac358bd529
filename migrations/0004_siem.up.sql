-- SIEM delivery cursors (docs/SIEM.md). One row per destination: the last audit event delivered,
-- by `seq` (commit order). No foreign key: audit partitions are dropped by retention.
create table siem_cursors (
  destination text primary key,
  last_seq bigint not null default 0,
  last_event_id uuid,
  updated_at timestamptz not null default now()
);
