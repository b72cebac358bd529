drop table if exists tool_sensitivity_history;
drop table if exists tools;
drop table if exists servers;
