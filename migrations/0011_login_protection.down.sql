drop table if exists auth_login_throttles;
