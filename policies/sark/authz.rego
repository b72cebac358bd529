# SARK's default authorization policy.
#
# Query: data.sark.authz. Outputs (docs/POLICIES.md "The decision"):
#   allow                boolean; the request is allowed when allow is true AND deny is empty
#   deny                 set of reason strings; any entry vetoes the request
#   reason               a human-readable reason for a denial that no deny rule explains (read only on denials)
#   filtered_parameters  the tool arguments with credential-like keys removed
#   cache_ttl            seconds the decision may be cached (only set when the decision depends on time)
#
# Policy data (PUT /api/v1/policies/data/sark/config), all optional:
#   mfa_required_for  sensitivity levels whose tools need an MFA-authenticated session, e.g. ["critical"]
#   business_hours    {start_hour, end_hour, weekdays: [1..7 (1 = Monday)], utc_offset_minutes, levels}
#                     tools of the listed levels (default ["critical"]) may only run inside these hours
# Team membership can also come from data: data.sark.teams[team].members = [user id or username, ...].
package sark.authz

import rego.v1

default allow := false

# ---------------------------------------------------------------------------------------------
# Roles and action groups
# ---------------------------------------------------------------------------------------------

# The user's roles as a set: built once per evaluation, then every role check is a lookup.
roles := {role | some role in input.user.roles}

has_role(role) if roles[role]

is_admin if has_role("admin")

is_privileged if is_admin

is_privileged if has_role("security_admin")

known_roles := {"admin", "security_admin", "developer", "analyst", "viewer"}

known_role if {
	some role in known_roles
	roles[role]
}

# What every known role may do: look at the catalogue.
read_actions := {"server:read", "tool:read", "policy:read"}

security_admin_actions := {
	"user:read", "audit:read", "siem:read", "siem:test",
	"policy:write", "policy:evaluate",
}

developer_actions := {"server:register", "policy:evaluate"}

analyst_actions := {"audit:read"}

# Actions on a specific server that its owner or team may perform.
server_manage_actions := {"server:update", "server:delete", "tool:sensitivity:update"}

# ---------------------------------------------------------------------------------------------
# allow
# ---------------------------------------------------------------------------------------------

allow if is_admin

# Each rule tests the action first: it is a single lookup and rules out most rules at once.
allow if {
	read_actions[input.action]
	known_role
}

allow if {
	security_admin_actions[input.action]
	has_role("security_admin")
}

allow if {
	developer_actions[input.action]
	has_role("developer")
}

allow if {
	analyst_actions[input.action]
	has_role("analyst")
}

# Every authenticated user manages their own API keys (other users' keys: apikey:manage:all, admins).
allow if {
	input.action == "apikey:manage"
	is_string(input.user.id)
}

allow if {
	server_manage_actions[input.action]
	manages_server
}

# Invocation clearance by role: admin and security_admin up to critical, developer up to high,
# analyst up to medium, viewer none. Several roles: the highest clearance wins.
allow if {
	input.action == "tool:invoke"
	is_privileged
}

allow if {
	input.action == "tool:invoke"
	has_role("developer")
	level_rank[tool_sensitivity] <= level_rank.high
}

allow if {
	input.action == "tool:invoke"
	has_role("analyst")
	level_rank[tool_sensitivity] <= level_rank.medium
}

# ---------------------------------------------------------------------------------------------
# Server ownership and teams
# ---------------------------------------------------------------------------------------------

manages_server if {
	has_role("developer")
	input.server.owner_id != null
	input.server.owner_id == input.user.id
}

manages_server if {
	has_role("developer")
	input.server.team_id != null
	input.user.teams[_] == input.server.team_id
}

manages_server if {
	has_role("developer")
	input.server.team_id != null
	data.sark.teams[input.server.team_id].members[_] == input.user.id
}

manages_server if {
	has_role("developer")
	input.server.team_id != null
	data.sark.teams[input.server.team_id].members[_] == input.user.username
}

# ---------------------------------------------------------------------------------------------
# Sensitivity gates for tool invocation
# ---------------------------------------------------------------------------------------------

level_rank := {"low": 1, "medium": 2, "high": 3, "critical": 4}

# A tool without a level inherits its server's; with neither it is treated as critical (fail closed).
default tool_sensitivity := "critical"

tool_sensitivity := input.tool.sensitivity_level if level_rank[input.tool.sensitivity_level]

tool_sensitivity := input.server.sensitivity_level if {
	not level_rank[input.tool.sensitivity_level]
	level_rank[input.server.sensitivity_level]
}

deny contains msg if {
	input.action == "tool:invoke"
	tool_sensitivity == "critical"
	not is_privileged
	msg := sprintf("tool '%s' is critical; only admin and security_admin may invoke it", [tool_name])
}

deny contains msg if {
	input.action == "tool:invoke"
	destructive
	not is_admin
	msg := sprintf("tool '%s' is destructive; only admins may invoke it", [tool_name])
}

deny contains msg if {
	input.action == "tool:invoke"
	mfa_levels[tool_sensitivity]
	not input.user.mfa == true
	msg := sprintf("tool '%s' is %s; an MFA-authenticated session is required", [tool_name, tool_sensitivity])
}

deny contains msg if {
	input.action == "tool:invoke"
	business_hours_apply
	not within_business_hours
	msg := sprintf("tool '%s' is %s; it may only be invoked during business hours", [tool_name, tool_sensitivity])
}

default tool_name := "unknown"

tool_name := input.tool.name if is_string(input.tool.name)

tool_name := input.tool_name if {
	not is_string(input.tool.name)
	is_string(input.tool_name)
}

# One of these words at the start of the name or after a non-letter: delete_user, db.drop,
# deleteUser (names are lower-cased first). One regex, compiled once by the engine.
destructive_pattern := "(^|[^a-z])(delete|drop|destroy|truncate|purge|wipe|erase|remove|shutdown|kill)"

destructive if regex.match(destructive_pattern, lower(tool_name))

destructive if input.tool.annotations.destructiveHint == true

# ---------------------------------------------------------------------------------------------
# Policy data switches
# ---------------------------------------------------------------------------------------------

default config := {}

config := data.sark.config if is_object(data.sark.config)

mfa_levels contains level if {
	some level in config.mfa_required_for
}

business_hours := config.business_hours if is_object(config.business_hours)

default business_hour_levels := {"critical"}

business_hour_levels := {l | some l in business_hours.levels} if is_array(business_hours.levels)

business_hours_apply if {
	business_hours
	business_hour_levels[tool_sensitivity]
}

# Local time from input.context.time_ns and the configured UTC offset; plain arithmetic so the
# rule needs no time builtins. Weekday: 1 = Monday ... 7 = Sunday (1970-01-01 was a Thursday).
local_minutes := floor(input.context.time_ns / 60000000000) + object.get(business_hours, "utc_offset_minutes", 0)

local_hour := floor(local_minutes / 60) % 24

local_weekday := ((floor(local_minutes / 1440) + 3) % 7) + 1

within_business_hours if {
	local_hour >= business_hours.start_hour
	local_hour < business_hours.end_hour
	business_hours.weekdays[_] == local_weekday
}

# Time-dependent decisions must not outlive the hour they were made in.
cache_ttl := 0 if business_hours_apply

# ---------------------------------------------------------------------------------------------
# Reasons and parameter filtering
# ---------------------------------------------------------------------------------------------

# Explains a denial no deny rule explains. Defined whatever the decision (SARK reads it only for
# denials), so it never has to re-evaluate allow.
reason := sprintf("role(s) %s may not %s", [concat(", ", sort(input.user.roles)), input.action]) if {
	count(input.user.roles) > 0
}

reason := sprintf("a principal without roles may not %s", [input.action]) if {
	count(input.user.roles) == 0
}

# filtered_parameters: the tool arguments with secrets taken out, by the same rules that redact the
# audit log (src/audit/redaction.ts). SARK provides those rules as data.sark.redaction (for a remote
# OPA, load policies/redaction-data.json). At any depth, including inside lists:
#   - a member whose key names a secret (password, pwd, pass_phrase, api-key, token, ...) is removed,
#     unless its value is null or a boolean (those cannot hold one);
#   - a string that contains a credential (a JWT, "Bearer ...", https://user:pass@host, a SARK API
#     key, a private key, ...) is replaced by "[REDACTED]", so list positions stay where they were.
# Rego has no recursion: walk finds nested paths, one json.patch removes and replaces them.
redaction := data.sark.redaction

redaction_loaded if is_string(redaction.sensitive_key_pattern)

# Without the rules, arguments cannot be filtered: refuse the call instead of passing secrets on.
deny contains "policy data data.sark.redaction is missing, so tool arguments cannot be filtered" if {
	input.action == "tool:invoke"
	not redaction_loaded
}

# Built once per evaluation, then each key is a lookup.
always_sensitive_keys := {k | some k in redaction.always_sensitive_keys}

sensitive_exact_keys := {k | some k in redaction.sensitive_exact_keys}

sensitive_key(key) if sensitive_normalised_key(regex.replace(lower(key), redaction.key_strip_pattern, ""))

sensitive_normalised_key(k) if always_sensitive_keys[k]

sensitive_normalised_key(k) if {
	sensitive_exact_keys[k]
	not regex.match(redaction.not_sensitive_pattern, k)
}

sensitive_normalised_key(k) if {
	regex.match(redaction.sensitive_key_pattern, k)
	not regex.match(redaction.not_sensitive_pattern, k)
}

# value_match_patterns: value_patterns joined into one alternation per flag set (two matches, not 12).
secret_string(s) if {
	count(s) >= redaction.min_value_length
	some p in redaction.value_match_patterns
	regex.match(p, s)
}

# Paths (below input.parameters) of members under secret-naming keys. Top-level members are read
# directly and only composite arguments are walked: most tool arguments are flat, and walk costs.
secret_key_paths contains [key] if {
	some key, value in input.parameters
	secret_member(key, value)
}

secret_key_paths contains array.concat([top], path) if {
	some top, outer in input.parameters
	composite(outer)
	walk(outer, [path, value])
	count(path) > 0
	secret_member(path[count(path) - 1], value)
}

secret_member(key, value) if {
	is_string(key)
	not is_null(value)
	not is_boolean(value)
	sensitive_key(key)
}

composite(x) if is_object(x)

composite(x) if is_array(x)

# A path inside (or at) a member that is removed anyway.
under_secret_key(path) if {
	some n in numbers.range(1, count(path))
	array.slice(path, 0, n) in secret_key_paths
}

# Only the outermost secret member is removed: its contents go with it.
removed_paths contains path if {
	some path in secret_key_paths
	not under_secret_key(array.slice(path, 0, count(path) - 1))
}

masked_paths contains [key] if {
	some key, value in input.parameters
	is_string(value)
	not secret_key_paths[[key]]
	secret_string(value)
}

masked_paths contains path if {
	some top, outer in input.parameters
	composite(outer)
	walk(outer, [sub, value])
	is_string(value)
	path := array.concat([top], sub)
	not under_secret_key(path)
	secret_string(value)
}

filtered_parameters := json.patch(input.parameters, array.concat(
	[{"op": "remove", "path": p} | some p in removed_paths],
	[{"op": "replace", "path": p, "value": redaction.replacement} | some p in masked_paths],
)) if {
	is_object(input.parameters)
	redaction_loaded
}

