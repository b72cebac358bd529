-- A refresh re-issues the access token of the login that started the session: how that login
-- authenticated, whether it passed a second factor, and the groups its identity provider reported
-- must survive the refresh (issue 15).
alter table refresh_tokens add column auth_method text not null default 'password';
alter table refresh_tokens add column mfa boolean not null default false;
alter table refresh_tokens add column groups text[] not null default '{}';
