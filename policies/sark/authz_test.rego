# Unit tests for the default policy; run with `sark policy test policies/`.
package sark.authz_test

import rego.v1

import data.sark.authz

user(roles) := {"id": "u-1", "username": "alice", "roles": roles, "teams": ["payments"], "mfa": false}

server(owner, team, level) := {
	"id": "s-1", "name": "files", "transport": "stdio", "sensitivity_level": level,
	"owner_id": owner, "team_id": team, "tags": [],
}

tool(name, level) := {"name": name, "sensitivity_level": level, "requires_approval": false, "annotations": {}}

invoke(roles, tool_name, level) := {
	"user": user(roles), "action": "tool:invoke",
	"server": server("u-9", "other", level), "tool": tool(tool_name, level),
	"parameters": {"path": "/tmp/x", "password": "hunter2", "API_KEY": "k", "auth_token": "t"},
	"context": {"time_ns": 1764151200000000000},
}

# Thursday 2025-11-27 10:00 UTC and Saturday 2025-11-29 10:00 UTC.
thursday_10am := 1764237600000000000

saturday_10am := 1764410400000000000

decision_allowed(inp) if {
	authz.allow with input as inp
	count(authz.deny) == 0 with input as inp
}

# --- roles ---------------------------------------------------------------------------------

test_admin_may_do_anything if {
	decision_allowed({"user": user(["admin"]), "action": "policy:write"})
	decision_allowed({"user": user(["admin"]), "action": "user:write"})
	decision_allowed({"user": user(["admin"]), "action": "server:delete", "server": server("u-9", "x", "low")})
}

test_viewer_reads_only if {
	decision_allowed({"user": user(["viewer"]), "action": "server:read"})
	decision_allowed({"user": user(["viewer"]), "action": "tool:read"})
	not authz.allow with input as {"user": user(["viewer"]), "action": "server:register"}
	not authz.allow with input as {"user": user(["viewer"]), "action": "policy:write"}
	not authz.allow with input as {"user": user(["viewer"]), "action": "audit:read"}
}

test_viewer_denial_has_reason if {
	authz.reason == "role(s) viewer may not server:register" with input as {"user": user(["viewer"]), "action": "server:register"}
}

test_no_roles_denied if {
	not authz.allow with input as {"user": user([]), "action": "server:read"}
	authz.reason == "a principal without roles may not server:read" with input as {"user": user([]), "action": "server:read"}
}

test_unknown_role_denied if {
	not authz.allow with input as {"user": user(["intern"]), "action": "server:read"}
}

test_everyone_manages_own_api_keys if {
	decision_allowed({"user": user([]), "action": "apikey:manage"})
	decision_allowed({"user": user(["viewer"]), "action": "apikey:manage"})
	not authz.allow with input as {"user": user(["developer"]), "action": "apikey:manage:all"}
	not authz.allow with input as {"user": {"roles": ["viewer"]}, "action": "apikey:manage"}
}

test_developer_registers_and_evaluates if {
	decision_allowed({"user": user(["developer"]), "action": "server:register"})
	decision_allowed({"user": user(["developer"]), "action": "policy:evaluate"})
	decision_allowed({"user": user(["developer"]), "action": "apikey:manage"})
	not authz.allow with input as {"user": user(["developer"]), "action": "policy:write"}
	not authz.allow with input as {"user": user(["developer"]), "action": "audit:read"}
	not authz.allow with input as {"user": user(["developer"]), "action": "apikey:manage:all"}
}

test_security_admin if {
	decision_allowed({"user": user(["security_admin"]), "action": "policy:write"})
	decision_allowed({"user": user(["security_admin"]), "action": "audit:read"})
	decision_allowed({"user": user(["security_admin"]), "action": "siem:test"})
	decision_allowed({"user": user(["security_admin"]), "action": "user:read"})
	not authz.allow with input as {"user": user(["security_admin"]), "action": "user:write"}
	not authz.allow with input as {"user": user(["security_admin"]), "action": "server:register"}
}

test_analyst if {
	decision_allowed({"user": user(["analyst"]), "action": "audit:read"})
	decision_allowed({"user": user(["analyst"]), "action": "server:read"})
	not authz.allow with input as {"user": user(["analyst"]), "action": "server:register"}
}

# --- server ownership ------------------------------------------------------------------------

test_owner_manages_own_server if {
	decision_allowed({"user": user(["developer"]), "action": "server:update", "server": server("u-1", null, "low")})
	decision_allowed({"user": user(["developer"]), "action": "server:delete", "server": server("u-1", null, "low")})
}

test_team_member_manages_team_server if {
	decision_allowed({"user": user(["developer"]), "action": "server:update", "server": server("u-9", "payments", "low")})
}

test_team_membership_from_data if {
	inp := {"user": user(["developer"]), "action": "server:update", "server": server("u-9", "billing", "low")}
	not authz.allow with input as inp
	authz.allow with input as inp with data.sark.teams as {"billing": {"members": ["alice"]}}
}

test_developer_cannot_manage_others_server if {
	not authz.allow with input as {"user": user(["developer"]), "action": "server:update", "server": server("u-9", "other", "low")}
}

test_viewer_owner_cannot_manage if {
	not authz.allow with input as {"user": user(["viewer"]), "action": "server:delete", "server": server("u-1", null, "low")}
}

# --- sensitivity gates --------------------------------------------------------------------------

test_developer_invokes_high_not_critical if {
	decision_allowed(invoke(["developer"], "read_file", "high"))
	not decision_allowed(invoke(["developer"], "read_file", "critical"))
	count(authz.deny) == 1 with input as invoke(["developer"], "read_file", "critical")
}

test_admin_invokes_critical_without_data if {
	decision_allowed(invoke(["admin"], "rotate_keys", "critical"))
	decision_allowed(invoke(["security_admin"], "rotate_keys", "critical"))
}

test_analyst_clearance_is_medium if {
	decision_allowed(invoke(["analyst"], "query", "medium"))
	not decision_allowed(invoke(["analyst"], "query", "high"))
}

test_viewer_cannot_invoke if {
	not decision_allowed(invoke(["viewer"], "query", "low"))
}

test_multiple_roles_take_highest_clearance if {
	decision_allowed(invoke(["analyst", "developer"], "query", "high"))
}

test_missing_sensitivity_is_critical if {
	inp := {"user": user(["developer"]), "action": "tool:invoke", "tool": {"name": "x"}}
	not decision_allowed(inp)
}

test_tool_inherits_server_sensitivity if {
	inp := {"user": user(["developer"]), "action": "tool:invoke", "tool": {"name": "x"}, "server": server("u-9", "t", "low")}
	decision_allowed(inp)
}

test_destructive_tools_admin_only if {
	not decision_allowed(invoke(["developer"], "delete_file", "low"))
	not decision_allowed(invoke(["developer"], "db.dropTable", "low"))
	not decision_allowed(invoke(["security_admin"], "purgeCache", "low"))
	decision_allowed(invoke(["admin"], "delete_file", "low"))
	decision_allowed(invoke(["developer"], "undelete_file", "low"))
}

test_destructive_hint_annotation if {
	inp := json.patch(invoke(["developer"], "tidy", "low"), [{"op": "add", "path": "/tool/annotations/destructiveHint", "value": true}])
	not decision_allowed(inp)
}

# --- MFA and business hours through data ---------------------------------------------------------

test_mfa_required_through_data if {
	inp := invoke(["admin"], "rotate_keys", "critical")
	not decision_allowed(inp) with data.sark.config as {"mfa_required_for": ["critical"]}
	mfa_inp := json.patch(inp, [{"op": "replace", "path": "/user/mfa", "value": true}])
	decision_allowed(mfa_inp) with data.sark.config as {"mfa_required_for": ["critical"]}
}

business_hours := {"start_hour": 9, "end_hour": 17, "weekdays": [1, 2, 3, 4, 5], "utc_offset_minutes": 0}

test_business_hours_through_data if {
	weekday := json.patch(invoke(["admin"], "rotate_keys", "critical"), [{"op": "replace", "path": "/context/time_ns", "value": thursday_10am}])
	weekend := json.patch(weekday, [{"op": "replace", "path": "/context/time_ns", "value": saturday_10am}])
	decision_allowed(weekday) with data.sark.config as {"business_hours": business_hours}
	not decision_allowed(weekend) with data.sark.config as {"business_hours": business_hours}
	decision_allowed(weekend)
	authz.cache_ttl == 0 with input as weekday with data.sark.config as {"business_hours": business_hours}
}

test_business_hours_offset if {
	# 10:00 UTC is 02:00 at UTC-8: outside the 9-17 window.
	inp := json.patch(invoke(["admin"], "rotate_keys", "critical"), [{"op": "replace", "path": "/context/time_ns", "value": thursday_10am}])
	hours := json.patch(business_hours, [{"op": "replace", "path": "/utc_offset_minutes", "value": -480}])
	not decision_allowed(inp) with data.sark.config as {"business_hours": hours}
}

# --- parameter filtering -------------------------------------------------------------------------

test_filtered_parameters_drop_secrets if {
	authz.filtered_parameters == {"path": "/tmp/x"} with input as invoke(["developer"], "read_file", "low")
}

test_no_filtered_parameters_without_parameters if {
	not authz.filtered_parameters with input as {"user": user(["admin"]), "action": "server:read"}
}

filtered(params) := f if {
	inp := object.union(object.remove(invoke(["developer"], "read_file", "low"), ["parameters"]), {"parameters": params})
	f := authz.filtered_parameters with input as inp
}

# Fixtures assembled from parts, so no secret scanner mistakes this file for a leak.
jwt := concat(".", ["eyJhbGciOiJIUzI1NiJ9", "eyJzdWIiOiJ1LTEifQ", "c2lnbmF0dXJlLWJ5dGVz"])

sark_key := concat("_", ["sark", "prod", "0123456789abcdef", "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg"])

test_filtered_parameters_key_spellings if {
	filtered({
		"path": "/x", "pwd": "a", "pass_phrase": "b", "Pass-Phrase": "c", "passwd": "d",
		"client_secret": "e", "X-Api-Key": "f", "accessKey": "g",
	}) == {"path": "/x"}
}

test_filtered_parameters_keep_names_about_secrets if {
	params := {"max_tokens": 5, "token_id": "t-1", "password_set": true, "api_key": null}
	filtered(params) == params
}

test_filtered_parameters_nested_keys if {
	filtered({"db": {"conn": {"api-key": "k", "region": "eu"}, "password": {"v": 1}}}) == {"db": {"conn": {"region": "eu"}}}
}

test_filtered_parameters_secrets_in_lists if {
	filtered({"items": [{"name": "a", "password": "p"}, sprintf("Bearer %s", [jwt]), "plain", [{"token": "t"}]]}) == {"items": [{"name": "a"}, "[REDACTED]", "plain", [{}]]}
}

test_filtered_parameters_credential_values if {
	filtered({
		"q": "select 1", "header": sprintf("Bearer %s", [jwt]), "bare_jwt": jwt,
		"url": "https://user:pass@db.example.com/x", "key_in_text": sprintf("use %s now", [sark_key]),
	}) == {
		"q": "select 1", "header": "[REDACTED]", "bare_jwt": "[REDACTED]",
		"url": "[REDACTED]", "key_in_text": "[REDACTED]",
	}
}

test_filtered_parameters_url_without_credentials_kept if {
	filtered({"url": "https://db.example.com/x?user=alice"}) == {"url": "https://db.example.com/x?user=alice"}
}

test_filtered_parameters_keys_with_slashes if {
	filtered({"a/b": {"secret": "s", "ok": 1}, "~": jwt}) == {"a/b": {"ok": 1}, "~": "[REDACTED]"}
}

test_tool_invoke_denied_without_redaction_rules if {
	denials := authz.deny with input as invoke(["admin"], "read_file", "low") with data.sark.redaction as null
	some msg in denials
	contains(msg, "data.sark.redaction")
}
