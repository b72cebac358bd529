-- Audit completeness and tamper evidence (docs/AUDIT.md "Outbox" and "Anchors").
--
-- audit_outbox: state changes write their audit event here IN THEIR OWN TRANSACTION (already built:
-- id, timestamp, canonical body); the audit writer moves the rows into the hash chain under its
-- chain lock and deletes them in that same transaction. A crash between the two leaves rows that
-- the next start (or another replica) drains, so no committed change is ever without its event.
create table audit_outbox (
  n bigint generated always as identity primary key,
  id uuid not null,
  body text not null,
  created_at timestamptz not null default now()
);

-- Signed checkpoints of the chain head (seq, hash, time, HMAC keyed by AUDIT_CHECKPOINT_KEY):
-- verify fails when a checkpointed row is gone or differs, so tail truncation is detected.
create table audit_checkpoints (
  id bigint generated always as identity primary key,
  seq bigint not null,
  hash text not null,
  created_at timestamptz not null,
  hmac text not null
);
create index audit_checkpoints_seq_idx on audit_checkpoints (seq);

-- One row per run of consecutive chain rows that retention removed: the chain legitimately went
-- from from_hash (the run's first prev_hash) to to_hash (the hash of its last row, seq last_seq).
-- Signed by SARK (HMAC) in the transaction that removed the rows; verify bridges a gap only with a
-- valid marker, so rows deleted any other way break the chain.
create table audit_retention_markers (
  id bigint generated always as identity primary key,
  first_seq bigint not null,
  last_seq bigint not null,
  from_hash text not null,
  to_hash text not null,
  created_at timestamptz not null,
  hmac text not null
);

-- The maintenance function, now able to prove what it removed. Before dropping it reports each
-- run of removed rows as ('bridge', 'first_seq last_seq from_hash to_hash') (the return type stays
-- the same so CREATE OR REPLACE keeps owner and grants; SECURITY DEFINER and SET options are put
-- back below as in 0007; SARK signs the runs in the same transaction). It takes the parent's lock
-- first, like partition creation (0007), so no row can enter a partition between the reading of
-- its runs and the drop. It never deletes the checkpoints of the runs it removes (whoever calls it
-- without signing markers, e.g. with a far-future date, leaves checkpoints that verify then misses);
-- it prunes only checkpoints inside runs of markers already stored, which verify ignores anyway
-- (and a forged marker fails verify by itself).
create temporary table audit_maintain_partitions_attrs on commit drop as
  select prosecdef, proconfig from pg_proc where oid = 'audit_maintain_partitions(timestamptz, integer, integer)'::regprocedure;
create or replace function audit_maintain_partitions(p_now timestamptz, p_retention_days integer, p_ahead_days integer)
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
  v_run record;
  v_cutoff_ts timestamptz := v_cutoff::timestamp at time zone 'UTC';
  v_expired text[] := '{}';
  v_sources text := '';
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
      v_expired := v_expired || v_rel.relname::text;
      v_sources := v_sources || format('select seq, hash, prev_hash from %I union all ', v_rel.relname);
    end if;
  end loop;
  delete from audit_checkpoints c using audit_retention_markers m where c.seq between m.first_seq and m.last_seq;
  if cardinality(v_expired) > 0 or exists (select 1 from audit_events_default where timestamp < v_cutoff_ts) then
    lock table only audit_events in access exclusive mode;
    -- Runs of removed rows: a run starts at a row whose predecessor (prev_hash) is not removed
    -- and ends at a row whose successor is not removed. Runs are disjoint seq intervals, so the
    -- k-th start and the k-th end in seq order belong together.
    v_sources := v_sources || format('select seq, hash, prev_hash from audit_events_default where timestamp < %L', v_cutoff_ts);
    for v_run in execute format($q$
      with r as materialized (%s),
      starts as (select seq, prev_hash, row_number() over (order by seq) as k from r
                 where not exists (select 1 from r p where p.hash = r.prev_hash)),
      ends as (select seq, hash, row_number() over (order by seq) as k from r
               where not exists (select 1 from r nx where nx.prev_hash = r.hash))
      select s.seq as first_seq, e.seq as last_seq, s.prev_hash as from_hash, e.hash as to_hash
      from starts s join ends e using (k) order by s.seq$q$, v_sources)
    loop
      action := 'bridge';
      partition_name := concat_ws(' ', v_run.first_seq, v_run.last_seq, v_run.from_hash, v_run.to_hash);
      return next;
    end loop;
  end if;
  foreach v_name in array v_expired loop
    execute format('drop table %I', v_name);
    action := 'dropped';
    partition_name := v_name;
    return next;
  end loop;
  delete from audit_events_default where timestamp < v_cutoff_ts;
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
    -- Locks in the order writers take them: the parent, then the partition. An insert locks
    -- audit_events before routing its row to a partition, so taking DEFAULT first and then the
    -- parent (which creating or attaching a partition needs) could deadlock with it. ONLY: the
    -- other partitions stay unlocked. Holding DEFAULT then keeps rows for this day out of it
    -- between the check and the attach, which would make the attach fail.
    lock table only audit_events in access exclusive mode;
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

do $$
declare
  v_attrs record;
  v_setting text;
begin
  select * into v_attrs from audit_maintain_partitions_attrs;
  if v_attrs.prosecdef then
    execute 'alter function audit_maintain_partitions(timestamptz, integer, integer) security definer';
  end if;
  -- proconfig holds "name=value" in SET's own syntax (list values already quoted), so the value is
  -- passed through as written.
  foreach v_setting in array coalesce(v_attrs.proconfig, '{}') loop
    execute format('alter function audit_maintain_partitions(timestamptz, integer, integer) set %I = %s',
      split_part(v_setting, '=', 1), substr(v_setting, strpos(v_setting, '=') + 1));
  end loop;
end
$$;
