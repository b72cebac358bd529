drop table if exists auth_revocations;
