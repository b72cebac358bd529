drop trigger if exists tools_bump_registry_revision on tools;
drop trigger if exists servers_bump_registry_revision on servers;
drop function if exists registry_bump_revision();
drop table if exists registry_state;
