-- Back to migration 0007's maintenance function (no runs reported), without the outbox and the
-- anchors. Events still in the outbox are lost with it: drain them first (start SARK once).
drop table audit_retention_markers;
drop table audit_checkpoints;
drop table audit_outbox;

-- The function as migration 0007 left it.
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
