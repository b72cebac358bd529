import type { Sensitivity } from "./sensitivity.js";

/** `input.user` (ARCHITECTURE.md "Policy contract"). */
export interface PolicyUser {
  id: string | null;
  username: string | null;
  email: string | null;
  roles: readonly string[];
  teams: readonly string[];
  groups: readonly string[];
  auth_method: string | null;
  mfa: boolean;
}

/** `input.server`: the server the action concerns. */
export interface PolicyServer {
  id: string;
  name: string;
  transport: string;
  sensitivity_level: Sensitivity;
  owner_id: string | null;
  team_id: string | null;
  tags: readonly string[];
}

/** `input.tool`: the tool the action concerns. */
export interface PolicyTool {
  name: string;
  sensitivity_level: Sensitivity;
  requires_approval: boolean;
  annotations: Record<string, unknown>;
}

/** `input.context`: request facts. `time`, `time_ns` and `request_id` are volatile (not cache-keyed). */
export interface PolicyContext {
  time: string;
  time_ns: number;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  environment: string;
  [extra: string]: unknown;
}

/** The input document every policy evaluates; field names are a public contract. */
export interface PolicyInput {
  user: PolicyUser;
  action: string;
  server: PolicyServer | null;
  tool: PolicyTool | null;
  parameters: Record<string, unknown>;
  context: PolicyContext;
  /** Flat aliases of `server.name` / `tool.name`, for older policies. */
  server_name: string | null;
  tool_name: string | null;
}
