import type { StatefulAuthorizationCall } from "@cedar-policy/cedar-wasm/nodejs";

/**
 * The default SARK policy's decision logic (roles, ownership, sensitivity clearance, critical and
 * destructive gates, MFA switch) written in Cedar, as a Node user choosing Cedar would write it.
 * Cedar has no regex and no object construction, so destructive names use `like` and parameter
 * filtering has no equivalent (the Rego side does strictly more work per decision).
 */
export const CEDAR_POLICIES = `
permit (principal, action, resource) when { principal.roles.contains("admin") };
permit (principal, action in [Action::"server:read", Action::"tool:read", Action::"policy:read"], resource)
  when { principal.roles.containsAny(["admin", "security_admin", "developer", "analyst", "viewer"]) };
permit (principal, action in [Action::"user:read", Action::"audit:read", Action::"siem:read", Action::"siem:test",
    Action::"policy:write", Action::"policy:evaluate", Action::"apikey:manage"], resource)
  when { principal.roles.contains("security_admin") };
permit (principal, action in [Action::"server:register", Action::"apikey:manage", Action::"policy:evaluate"], resource)
  when { principal.roles.contains("developer") };
permit (principal, action in [Action::"audit:read", Action::"apikey:manage"], resource)
  when { principal.roles.contains("analyst") };
permit (principal, action in [Action::"server:update", Action::"server:delete", Action::"tool:sensitivity:update"], resource)
  when { principal.roles.contains("developer") && (resource.server_owner == principal.id || principal.teams.contains(resource.server_team)) };
permit (principal, action == Action::"tool:invoke", resource)
  when { principal.roles.containsAny(["admin", "security_admin"]) };
permit (principal, action == Action::"tool:invoke", resource)
  when { principal.roles.contains("developer") && resource.sensitivity_rank <= 3 };
permit (principal, action == Action::"tool:invoke", resource)
  when { principal.roles.contains("analyst") && resource.sensitivity_rank <= 2 };
forbid (principal, action == Action::"tool:invoke", resource)
  when { resource.sensitivity_rank == 4 }
  unless { principal.roles.containsAny(["admin", "security_admin"]) };
forbid (principal, action == Action::"tool:invoke", resource)
  when { resource.name like "*delete*" || resource.name like "*drop*" || resource.name like "*destroy*" ||
         resource.name like "*truncate*" || resource.name like "*purge*" || resource.name like "*wipe*" ||
         resource.name like "*erase*" || resource.name like "*remove*" || resource.name like "*shutdown*" ||
         resource.name like "*kill*" || resource.destructive_hint }
  unless { principal.roles.contains("admin") };
forbid (principal, action == Action::"tool:invoke", resource)
  when { context.mfa_levels.contains(resource.sensitivity) && !principal.mfa };
`;

const RANK: Record<string, number> = { low: 1, medium: 2, high: 3, critical: 4 };

interface DecisionInput {
  user: { id: string; roles: string[]; teams: string[]; mfa: boolean };
  action: string;
  server: { owner_id: string | null; team_id: string | null; sensitivity_level: string };
  tool: { name: string; sensitivity_level: string; annotations: Record<string, unknown> };
}

/** Builds the Cedar request (entities included) from SARK's policy input. */
export function cedarRequest(input: DecisionInput): StatefulAuthorizationCall {
  const sensitivity = input.tool.sensitivity_level || input.server.sensitivity_level;
  return {
    principal: { type: "User", id: input.user.id },
    action: { type: "Action", id: input.action },
    resource: { type: "Tool", id: input.tool.name },
    context: { mfa_levels: [] },
    preparsedPolicySetId: "bench",
    entities: [
      {
        uid: { type: "User", id: input.user.id },
        attrs: { id: input.user.id, roles: input.user.roles, teams: input.user.teams, mfa: input.user.mfa },
        parents: [],
      },
      {
        uid: { type: "Tool", id: input.tool.name },
        attrs: {
          name: input.tool.name,
          sensitivity,
          sensitivity_rank: RANK[sensitivity] ?? 4,
          server_owner: input.server.owner_id ?? "",
          server_team: input.server.team_id ?? "",
          destructive_hint: input.tool.annotations.destructiveHint === true,
        },
        parents: [],
      },
    ],
  };
}
