import { Type } from "typebox";

/** Size caps: a policy module is source text an operator wrote, not a data dump. */
export const POLICY_LIMITS = {
  contentMax: 512 * 1024,
  nameMax: 128,
  descriptionMax: 2000,
  pageMax: 200,
  pageDefault: 50,
} as const;

const UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
const Timestamp = Type.String({ format: "date-time" });
const JsonObject = Type.Record(Type.String(), Type.Unknown());
const Content = Type.String({ minLength: 1, maxLength: POLICY_LIMITS.contentMax });

export const PolicyRefParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });

export const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: POLICY_LIMITS.pageMax })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
});

export const CreatePolicyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: POLICY_LIMITS.nameMax, pattern: "^[A-Za-z0-9_.-]+$" }),
    content: Content,
    description: Type.Optional(Type.String({ maxLength: POLICY_LIMITS.descriptionMax })),
    activate: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const UpdatePolicyBody = Type.Object(
  {
    content: Content,
    description: Type.Optional(Type.String({ maxLength: POLICY_LIMITS.descriptionMax })),
    activate: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const ActivateBody = Type.Object({ version: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });

export const ContentBody = Type.Object({ content: Content }, { additionalProperties: false });

const Diagnostic = Type.Object({ line: Type.Integer(), col: Type.Integer(), message: Type.String() });

const TestResult = Type.Object({ name: Type.String(), pass: Type.Boolean(), error: Type.Optional(Type.String()) });

export const PolicySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  active_version: Type.Union([Type.Integer(), Type.Null()]),
  latest_version: Type.Integer(),
  governs_api: Type.Boolean(),
  created_by: Type.Union([Type.String(), Type.Null()]),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const VersionSchema = Type.Object({
  version: Type.Integer(),
  active: Type.Boolean(),
  content: Type.String(),
  sha256: Type.String(),
  author: Type.String(),
  author_id: Type.Union([Type.String(), Type.Null()]),
  compile_status: Type.String(),
  test_status: Type.String(),
  test_results: Type.Array(TestResult),
  created_at: Timestamp,
});

export const PolicyDetailSchema = Type.Intersect([PolicySchema, Type.Object({ versions: Type.Array(VersionSchema) })]);

export const PolicyPageSchema = Type.Object({
  items: Type.Array(PolicySchema),
  next_cursor: Type.Union([Type.String(), Type.Null()]),
  has_more: Type.Boolean(),
});

export const ValidateResponse = Type.Object({
  valid: Type.Boolean(),
  diagnostics: Type.Array(Diagnostic),
  packages: Type.Array(Type.String()),
  tests: Type.Array(Type.String()),
});

export const TestResponse = Type.Object({
  passed: Type.Integer(),
  failed: Type.Integer(),
  results: Type.Array(TestResult),
});

export const DataParams = Type.Object({ "*": Type.String({ minLength: 1, maxLength: 512 }) });

export const DataEntrySchema = Type.Object({
  path: Type.String(),
  value: Type.Unknown(),
  revision: Type.Optional(Type.Integer()),
});

const UserOverride = Type.Object({
  id: Type.Optional(Type.String({ maxLength: 128 })),
  username: Type.Optional(Type.String({ maxLength: 255 })),
  email: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])),
  roles: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50 })),
  teams: Type.Optional(Type.Array(Type.String({ maxLength: 255 }), { maxItems: 100 })),
  groups: Type.Optional(Type.Array(Type.String({ maxLength: 255 }), { maxItems: 100 })),
  auth_method: Type.Optional(Type.String({ maxLength: 32 })),
  mfa: Type.Optional(Type.Boolean()),
});

const Level = Type.Enum(["low", "medium", "high", "critical"]);

const ServerDoc = Type.Object({
  id: Type.Optional(Type.String({ maxLength: 128 })),
  name: Type.String({ maxLength: 255 }),
  transport: Type.Optional(Type.String({ maxLength: 32 })),
  sensitivity_level: Type.Optional(Level),
  owner_id: Type.Optional(Type.Union([Type.String({ maxLength: 128 }), Type.Null()])),
  team_id: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])),
  tags: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50 })),
});

const ToolDoc = Type.Object({
  name: Type.String({ maxLength: 128 }),
  sensitivity_level: Type.Optional(Level),
  requires_approval: Type.Optional(Type.Boolean()),
  annotations: Type.Optional(JsonObject),
});

export const EvaluateBody = Type.Object(
  {
    action: Type.String({ minLength: 1, maxLength: 128 }),
    resource: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 512,
        description:
          "A registered server's id or name, or `server/tool`; a name SARK does not know is evaluated as an unregistered server at the strictest sensitivity. Replaces server_id, server and tool.",
      }),
    ),
    server_id: Type.Optional(Type.String({ pattern: UUID_PATTERN })),
    server: Type.Optional(ServerDoc),
    tool: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 128 }), ToolDoc])),
    parameters: Type.Optional(JsonObject),
    context: Type.Optional(JsonObject),
    user: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 255 }), UserOverride])),
  },
  { additionalProperties: false },
);

export const EvaluateResponse = Type.Object({
  decision: Type.Enum(["allow", "deny"]),
  allow: Type.Boolean(),
  reasons: Type.Array(Type.String()),
  filtered_parameters: Type.Optional(JsonObject),
  policy_version: Type.String(),
  cached: Type.Boolean(),
  eval_us: Type.Integer(),
});
