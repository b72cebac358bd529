-- Audit trail (contract: ARCHITECTURE.md "Audit event contract"; design: docs/AUDIT.md). Append-only.
-- `seq` is assigned inside the writer's serialised insert transaction (advisory transaction lock),
-- so its order is commit order: the SIEM forwarder's cursor follows it and can never skip a
-- late-committing event. The hash chain follows `seq` too.
--
-- Storage: with the timescaledb extension installed, a hypertable (1-day chunks) with compression
-- and retention policies (the maintenance job re-applies AUDIT_COMPRESS_AFTER_DAYS and
-- AUDIT_RETENTION_DAYS); otherwise native declarative range partitioning by day on `timestamp`
-- (PostgreSQL 14+ and PGlite alike), daily partitions created ahead and dropped after retention by
-- `audit_maintain_partitions`, plus a DEFAULT partition so a skewed clock never loses an event.
-- Unique constraints must contain the partitioning column, hence `primary key (id, timestamp)`.
do $$
declare
  columns constant text := $cols$
    id uuid not null,
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
    prev_hash text not null,
    primary key (id, timestamp)
  $cols$;
begin
  if exists (select 1 from pg_extension where extname = 'timescaledb') then
    execute format('create table audit_events (%s)', columns);
    perform create_hypertable('audit_events', 'timestamp', chunk_time_interval => interval '1 day');
    execute 'alter table audit_events set (timescaledb.compress, timescaledb.compress_orderby = ''timestamp desc, seq desc'')';
    perform add_compression_policy('audit_events', interval '7 days');
    perform add_retention_policy('audit_events', interval '90 days');
  else
    execute format('create table audit_events (%s) partition by range (timestamp)', columns);
    execute 'create table audit_events_default partition of audit_events default';
  end if;
end
$$;

-- Indexes for the audit API filters, the SIEM cursor (seq) and the chain head lookup.
create index audit_events_seq_idx on audit_events (seq);
create index audit_events_timestamp_idx on audit_events (timestamp, id);
create index audit_events_type_idx on audit_events (event_type, timestamp);
create index audit_events_user_id_idx on audit_events ((actor ->> 'user_id'), timestamp);
create index audit_events_username_idx on audit_events ((actor ->> 'username'), timestamp);
create index audit_events_resource_idx on audit_events ((resource ->> 'type'), (resource ->> 'id'), timestamp);
create index audit_events_request_idx on audit_events (request_id) where request_id is not null;

-- Partition maintenance (native partitioning only; a no-op on a hypertable). Creates the daily
-- partitions from yesterday to `p_ahead_days` ahead (moving rows a skewed clock put in the DEFAULT
-- partition into their new day), drops partitions wholly older than `p_retention_days` and purges
-- expired rows from DEFAULT. A function so that production can make it SECURITY DEFINER, owned by
-- the table owner, while the application role keeps only SELECT/INSERT (docs/AUDIT.md, grants).
create function audit_maintain_partitions(p_now timestamptz, p_retention_days integer, p_ahead_days integer)
returns table (action text, partition_name text)
language plpgsql as $fn$
declare
  v_today date := (p_now at time zone 'UTC')::date;
  v_cutoff date := (p_now at time zone 'UTC')::date - p_retention_days;
  v_day date;
  v_name text;
  v_from timestamptz;
  v_to timestamptz;
  v_count bigint;
  v_rel record;
begin
  if not exists (select 1 from pg_partitioned_table where partrelid = 'audit_events'::regclass) then
    return;
  end if;
  for v_rel in
    select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'audit_events'::regclass and c.relname ~ '^audit_events_p[0-9]{8}$'
    order by c.relname
  loop
    if to_date(substr(v_rel.relname, 15), 'YYYYMMDD') + 1 <= v_cutoff then
      execute format('drop table %I', v_rel.relname);
      action := 'dropped';
      partition_name := v_rel.relname;
      return next;
    end if;
  end loop;
  delete from audit_events_default where timestamp < v_cutoff::timestamp at time zone 'UTC';
  get diagnostics v_count = row_count;
  if v_count > 0 then
    action := 'purged_default';
    partition_name := 'audit_events_default';
    return next;
  end if;
  for i in -1..p_ahead_days loop
    v_day := v_today + i;
    continue when v_day + 1 <= v_cutoff;
    v_name := 'audit_events_p' || to_char(v_day, 'YYYYMMDD');
    continue when to_regclass(v_name) is not null;
    v_from := v_day::timestamp at time zone 'UTC';
    v_to := (v_day + 1)::timestamp at time zone 'UTC';
    -- Writers wait (briefly) instead of adding rows for this day to DEFAULT between the check and
    -- the attach, which would make the attach fail. Inserts into other partitions are not blocked.
    lock table audit_events_default in exclusive mode;
    if exists (select 1 from audit_events_default where timestamp >= v_from and timestamp < v_to) then
      -- Attaching over rows still in DEFAULT would fail: move them into the new table first.
      execute format('create table %I (like audit_events including defaults including constraints)', v_name);
      execute format(
        'with moved as (delete from audit_events_default where timestamp >= $1 and timestamp < $2 returning *) '
        'insert into %I select * from moved', v_name) using v_from, v_to;
      execute format('alter table audit_events attach partition %I for values from (%L) to (%L)', v_name, v_from, v_to);
    else
      execute format('create table %I partition of audit_events for values from (%L) to (%L)', v_name, v_from, v_to);
    end if;
    action := 'created';
    partition_name := v_name;
    return next;
  end loop;
end
$fn$;
