drop table if exists siem_cursors;
