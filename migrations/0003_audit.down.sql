drop table if exists audit_events;
