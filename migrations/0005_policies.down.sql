drop table if exists policy_state;
drop table if exists policy_data;
drop table if exists policy_versions;
drop table if exists policies;
