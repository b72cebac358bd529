drop table if exists api_keys;
drop table if exists refresh_tokens;
drop table if exists users;
