alter table refresh_tokens drop column if exists groups;
alter table refresh_tokens drop column if exists mfa;
alter table refresh_tokens drop column if exists auth_method;
