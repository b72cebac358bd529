import { type Static, Type } from "typebox";
import { SENSITIVITY_LEVELS, SERVER_STATUSES, TRANSPORTS } from "./types.js";

/** Size caps (docs/REGISTRY.md "Limits"): they bound what one registration can cost to store and evaluate. */
export const LIMITS = {
  nameMax: 255,
  descriptionMax: 10_000,
  metadataMaxBytes: 64 * 1024,
  inputSchemaMaxBytes: 64 * 1024,
  annotationsMaxBytes: 16 * 1024,
  toolsMax: 500,
  tagsMax: 50,
  tagMax: 64,
  argsMax: 100,
  argMax: 4096,
  envMax: 100,
  endpointMax: 2048,
  commandMax: 1024,
  teamMax: 255,
  toolNameMax: 128,
  reasonMax: 1000,
  bulkMax: 100,
  pageMax: 200,
  pageDefault: 50,
} as const;

export const UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
/** MCP tool names: letters, digits, `_`, `-`, `.`; safe in a URL path segment. */
export const TOOL_NAME_PATTERN = "^[A-Za-z0-9_.-]+$";
/** Env var names only; values never reach SARK's database. */
export const ENV_NAME_PATTERN = "^[A-Z_][A-Z0-9_]*$";

const Sensitivity = Type.Enum([...SENSITIVITY_LEVELS]);
const Transport = Type.Enum([...TRANSPORTS]);
const Status = Type.Enum([...SERVER_STATUSES]);
const JsonObject = Type.Record(Type.String(), Type.Unknown());
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Timestamp = Type.String({ format: "date-time" });

export const ToolInputSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: LIMITS.toolNameMax, pattern: TOOL_NAME_PATTERN }),
    description: Type.Optional(Type.String({ maxLength: LIMITS.descriptionMax })),
    input_schema: Type.Optional(JsonObject),
    sensitivity_level: Type.Optional(Sensitivity),
    requires_approval: Type.Optional(Type.Boolean()),
    annotations: Type.Optional(JsonObject),
  },
  { additionalProperties: false },
);

const serverFields = {
  description: Type.Optional(Type.String({ maxLength: LIMITS.descriptionMax })),
  endpoint: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: LIMITS.endpointMax }))),
  command: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: LIMITS.commandMax }))),
  args: Type.Optional(Type.Array(Type.String({ maxLength: LIMITS.argMax }), { maxItems: LIMITS.argsMax })),
  env: Type.Optional(
    Type.Array(Type.String({ pattern: ENV_NAME_PATTERN, maxLength: 255 }), { maxItems: LIMITS.envMax }),
  ),
  sensitivity_level: Type.Optional(Sensitivity),
  status: Type.Optional(Status),
  owner_id: Type.Optional(Type.Union([Type.String({ pattern: UUID_PATTERN }), Type.Null()])),
  team: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: LIMITS.teamMax }))),
  tags: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: LIMITS.tagMax }), { maxItems: LIMITS.tagsMax }),
  ),
  metadata: Type.Optional(JsonObject),
};

export const ServerInputSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: LIMITS.nameMax }),
    transport: Type.Optional(
      Type.Enum([...TRANSPORTS], {
        description: "Defaults to streamable-http when endpoint is an http(s) URL; stdio is never assumed.",
      }),
    ),
    ...serverFields,
    tools: Type.Optional(Type.Array(ToolInputSchema, { maxItems: LIMITS.toolsMax })),
  },
  { additionalProperties: false },
);

export const ServerPatchSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.nameMax })),
    transport: Type.Optional(Transport),
    ...serverFields,
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ToolSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  input_schema: JsonObject,
  sensitivity_level: Sensitivity,
  sensitivity_source: Type.Enum(["auto", "declared", "override"]),
  requires_approval: Type.Boolean(),
  annotations: JsonObject,
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const ServerSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  transport: Transport,
  endpoint: Type.Union([Type.String(), Type.Null()]),
  command: Type.Union([Type.String(), Type.Null()]),
  args: Type.Array(Type.String()),
  env: Type.Array(Type.String()),
  sensitivity_level: Sensitivity,
  status: Status,
  owner_id: Type.Union([Type.String(), Type.Null()]),
  team: Type.Union([Type.String(), Type.Null()]),
  tags: Type.Array(Type.String()),
  metadata: JsonObject,
  tool_count: Type.Integer(),
  created_at: Timestamp,
  updated_at: Timestamp,
  tools: Type.Optional(Type.Array(ToolSchema)),
});

/** Comma-separated list filters ("any of"); parsed and checked by the service. */
export const ListQuerySchema = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.pageMax, default: LIMITS.pageDefault })),
    cursor: Type.Optional(Type.String({ maxLength: 512 })),
    status: Type.Optional(Type.String({ maxLength: 1024 })),
    sensitivity: Type.Optional(Type.String({ maxLength: 1024 })),
    tag: Type.Optional(Type.String({ maxLength: 4096 })),
    team: Type.Optional(Type.String({ maxLength: 4096 })),
    owner: Type.Optional(Type.String({ maxLength: 4096 })),
    search: Type.Optional(Type.String({ maxLength: 255 })),
    include_total: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const ExportQuerySchema = Type.Object(
  {
    format: Type.Optional(Type.Enum(["csv", "json"], { default: "csv" })),
    status: Type.Optional(Type.String({ maxLength: 1024 })),
    sensitivity: Type.Optional(Type.String({ maxLength: 1024 })),
    tag: Type.Optional(Type.String({ maxLength: 4096 })),
    team: Type.Optional(Type.String({ maxLength: 4096 })),
    owner: Type.Optional(Type.String({ maxLength: 4096 })),
    search: Type.Optional(Type.String({ maxLength: 255 })),
  },
  { additionalProperties: false },
);

export const PageSchema = <T extends ReturnType<typeof Type.Object>>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    next_cursor: Type.Union([Type.String(), Type.Null()]),
    has_more: Type.Boolean(),
    total: Type.Optional(Type.Integer()),
  });

export const IdParams = Type.Object({ id: Type.String({ pattern: UUID_PATTERN }) });
export const ToolParams = Type.Object({
  id: Type.String({ pattern: UUID_PATTERN }),
  name: Type.String({ minLength: 1, maxLength: LIMITS.toolNameMax, pattern: TOOL_NAME_PATTERN }),
});

export const SensitivityUpdateSchema = Type.Object(
  {
    sensitivity_level: Sensitivity,
    reason: Type.String({ minLength: 1, maxLength: LIMITS.reasonMax }),
  },
  { additionalProperties: false },
);

export const SensitivityChangeSchema = Type.Object({
  id: Type.String(),
  previous_level: Sensitivity,
  new_level: Sensitivity,
  reason: Type.String(),
  changed_by: Type.Object({
    id: Type.Union([Type.String(), Type.Null()]),
    username: Type.Union([Type.String(), Type.Null()]),
  }),
  changed_at: Timestamp,
});

export const BulkSchema = Type.Object(
  {
    mode: Type.Optional(Type.Enum(["transactional", "best_effort"], { default: "transactional" })),
    // Items are checked one by one by the service so best_effort can report each failure on its own.
    servers: Type.Array(Type.Unknown(), { minItems: 1, maxItems: LIMITS.bulkMax }),
  },
  { additionalProperties: false },
);

export const BulkResultSchema = Type.Object({
  mode: Type.Enum(["transactional", "best_effort"]),
  total: Type.Integer(),
  succeeded: Type.Integer(),
  failed: Type.Integer(),
  results: Type.Array(
    Type.Object({
      index: Type.Integer(),
      status: Type.Integer(),
      server: Type.Optional(ServerSchema),
      error: Type.Optional(
        Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Unknown()) }),
      ),
    }),
  ),
});

export const DetectSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: LIMITS.toolNameMax }),
    description: Type.Optional(Type.String({ maxLength: LIMITS.descriptionMax })),
    annotations: Type.Optional(JsonObject),
  },
  { additionalProperties: false },
);

export const DetectResultSchema = Type.Object({
  sensitivity_level: Sensitivity,
  rule: Type.Enum(["credentials", "destructive", "read_only", "default"]),
  matched: Type.Array(Type.String()),
});

export type BulkBody = Static<typeof BulkSchema>;
export type ListQuery = Static<typeof ListQuerySchema>;
export type ExportQuery = Static<typeof ExportQuerySchema>;
