import type { Sensitivity } from "../core/sensitivity.js";

export const TRANSPORTS = ["streamable-http", "sse", "stdio"] as const;
export type Transport = (typeof TRANSPORTS)[number];

export const SENSITIVITY_LEVELS = ["low", "medium", "high", "critical"] as const satisfies readonly Sensitivity[];

export const SERVER_STATUSES = ["registered", "active", "inactive", "unhealthy", "decommissioned"] as const;
export type ServerStatus = (typeof SERVER_STATUSES)[number];

/** Where a tool's sensitivity came from: the classifier, the registrant, or a reviewed override. */
export type SensitivitySource = "auto" | "declared" | "override";

/** Row shapes of the registry tables (migrations/0002_registry.up.sql). jsonb is written as JSON text. */
export type RegistryTables = {
  servers: {
    id: string;
    name: string;
    description: string;
    transport: Transport;
    endpoint: string | null;
    command: string | null;
    args: unknown;
    env_names: string[];
    sensitivity_level: Sensitivity;
    status: ServerStatus;
    owner_id: string | null;
    team: string | null;
    tags: string[];
    metadata: unknown;
    created_at: Date;
    updated_at: Date;
  };
  tools: {
    id: string;
    server_id: string;
    name: string;
    description: string;
    input_schema: unknown;
    sensitivity_level: Sensitivity;
    sensitivity_source: SensitivitySource;
    requires_approval: boolean;
    annotations: unknown;
    created_at: Date;
    updated_at: Date;
  };
  tool_sensitivity_history: {
    id: string;
    tool_id: string;
    previous_level: Sensitivity;
    new_level: Sensitivity;
    reason: string;
    changed_by: string | null;
    changed_at: Date;
  };
  /** Read only, to name who changed a sensitivity (owned by the auth feature). */
  users: { id: string; username: string };
};

/** A tool as the API returns it. */
export interface Tool {
  id: string;
  name: string;
  description: string;
  input_schema: Record<string, unknown>;
  sensitivity_level: Sensitivity;
  sensitivity_source: SensitivitySource;
  requires_approval: boolean;
  annotations: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

/** A server as the API returns it (tools included on single-server reads and on create). */
export interface Server {
  id: string;
  name: string;
  description: string;
  transport: Transport;
  endpoint: string | null;
  command: string | null;
  args: string[];
  env: string[];
  sensitivity_level: Sensitivity;
  status: ServerStatus;
  owner_id: string | null;
  team: string | null;
  tags: string[];
  metadata: Record<string, unknown>;
  tool_count: number;
  created_at: string;
  updated_at: string;
  tools?: Tool[];
}

export interface SensitivityChange {
  id: string;
  previous_level: Sensitivity;
  new_level: Sensitivity;
  reason: string;
  changed_by: { id: string | null; username: string | null };
  changed_at: string;
}

/** A tool as a caller registers it; sensitivity falls back to the classifier. */
export interface ToolInput {
  name: string;
  description?: string;
  input_schema?: Record<string, unknown>;
  sensitivity_level?: Sensitivity;
  requires_approval?: boolean;
  annotations?: Record<string, unknown>;
}

export interface ServerInput {
  name: string;
  description?: string;
  transport: Transport;
  endpoint?: string | null;
  command?: string | null;
  args?: string[];
  env?: string[];
  sensitivity_level?: Sensitivity;
  status?: ServerStatus;
  owner_id?: string | null;
  team?: string | null;
  tags?: string[];
  metadata?: Record<string, unknown>;
  tools?: ToolInput[];
}

/** A registration as a client sends it: `transport` may be left out for an http(s) endpoint. */
export type ServerRequest = Omit<ServerInput, "transport"> & { transport?: Transport };

/** PATCH body: every field optional; `null` clears a nullable field. Tools are not patched here. */
export type ServerPatch = Partial<Omit<ServerInput, "tools">>;

export interface ServerFilters {
  status?: ServerStatus[];
  sensitivity?: Sensitivity[];
  tag?: string[];
  team?: string[];
  owner?: string[];
  search?: string;
}
