-- A registry revision that every change to servers or tools advances, in the same transaction as
-- the change (statement triggers, so no write path can forget it). Replicas that cache registry
-- reads poll this one row and drop their cache when it moves (docs/REGISTRY.md, "Caching").
create table registry_state (
  id smallint primary key check (id = 1),
  revision bigint not null
);

insert into registry_state (id, revision) values (1, 0);

create function registry_bump_revision() returns trigger language plpgsql as $$
begin
  update registry_state set revision = revision + 1 where id = 1;
  return null;
end;
$$;

create trigger servers_bump_registry_revision
  after insert or update or delete or truncate on servers
  for each statement execute function registry_bump_revision();

create trigger tools_bump_registry_revision
  after insert or update or delete or truncate on tools
  for each statement execute function registry_bump_revision();
