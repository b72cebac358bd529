drop function if exists audit_maintain_partitions(timestamptz, integer, integer);
-- Drops the partitions (or hypertable chunks) with the table.
drop table if exists audit_events;
