import { v7 as uuidv7 } from "uuid";
import type { PolicyResource } from "../core/authorizer.js";
import type { Sensitivity } from "../core/sensitivity.js";
import { detectSensitivity } from "./classifier.js";
import type { ServerRow, ServerValues, ToolRow, ToolValues } from "./repository.js";
import { SENSITIVITY_LEVELS, type Server, type ServerInput, type Tool, type ToolInput } from "./types.js";

const iso = (d: Date | string): string => (d instanceof Date ? d : new Date(d)).toISOString();
const asObject = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const asStrings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

export function toTool(row: ToolRow): Tool {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    input_schema: asObject(row.input_schema),
    sensitivity_level: row.sensitivity_level,
    sensitivity_source: row.sensitivity_source,
    requires_approval: row.requires_approval,
    annotations: asObject(row.annotations),
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

/** API shape of a server row; `tools` only when the caller loaded them. */
export function toServer(row: ServerRow, toolCount: number, tools?: readonly ToolRow[]): Server {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    transport: row.transport,
    endpoint: row.endpoint,
    command: row.command,
    args: asStrings(row.args),
    env: [...row.env_names],
    sensitivity_level: row.sensitivity_level,
    status: row.status,
    owner_id: row.owner_id,
    team: row.team,
    tags: [...row.tags],
    metadata: asObject(row.metadata),
    tool_count: tools ? tools.length : toolCount,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    ...(tools ? { tools: tools.map(toTool) } : {}),
  };
}

/** The policy input's `server` (ARCHITECTURE.md contract); our `team` is the contract's `team_id`. */
export function policyServer(s: {
  id: string;
  name: string;
  transport: string;
  sensitivity_level: Sensitivity;
  owner_id: string | null;
  team: string | null;
  tags: readonly string[];
}): NonNullable<PolicyResource["server"]> {
  return {
    id: s.id,
    name: s.name,
    transport: s.transport,
    sensitivity_level: s.sensitivity_level,
    owner_id: s.owner_id,
    team_id: s.team,
    tags: [...s.tags],
  };
}

export function policyTool(t: ToolRow): NonNullable<PolicyResource["tool"]> {
  return {
    name: t.name,
    sensitivity_level: t.sensitivity_level,
    requires_approval: t.requires_approval,
    annotations: asObject(t.annotations),
  };
}

const rank = (l: Sensitivity): number => SENSITIVITY_LEVELS.indexOf(l);

/** The highest of some levels; `fallback` when there are none. */
export function highest(levels: Sensitivity[], fallback: Sensitivity): Sensitivity {
  return (
    levels.reduce<Sensitivity | undefined>((a, l) => (a === undefined || rank(l) > rank(a) ? l : a), undefined) ??
    fallback
  );
}

export const isLowering = (from: Sensitivity, to: Sensitivity): boolean => rank(to) < rank(from);

const unique = (list: readonly string[] | undefined): string[] => [...new Set(list ?? [])];

export function toolValues(serverId: string, t: ToolInput, now: Date): ToolValues {
  const level = t.sensitivity_level ?? detectSensitivity(t).sensitivity_level;
  return {
    id: uuidv7(),
    server_id: serverId,
    name: t.name,
    description: t.description ?? "",
    input_schema: JSON.stringify(t.input_schema ?? { type: "object" }),
    sensitivity_level: level,
    sensitivity_source: t.sensitivity_level ? "declared" : "auto",
    requires_approval: t.requires_approval ?? false,
    annotations: JSON.stringify(t.annotations ?? {}),
    created_at: now,
    updated_at: now,
  };
}

/**
 * Row values for a new server. Without a declared level the server takes its most sensitive
 * tool's level (medium when it has none), so a server is never rated below what it exposes.
 */
export function serverValues(
  id: string,
  input: ServerInput,
  ownerId: string | null,
  tools: ToolValues[],
  now: Date,
): ServerValues {
  return {
    id,
    name: input.name,
    description: input.description ?? "",
    transport: input.transport,
    endpoint: input.endpoint ?? null,
    command: input.command ?? null,
    args: JSON.stringify(input.args ?? []),
    env_names: unique(input.env),
    sensitivity_level:
      input.sensitivity_level ??
      highest(
        tools.map((t) => t.sensitivity_level),
        "medium",
      ),
    status: input.status ?? "registered",
    owner_id: ownerId,
    team: input.team ?? null,
    tags: unique(input.tags),
    metadata: JSON.stringify(input.metadata ?? {}),
    created_at: now,
    updated_at: now,
  };
}
