import { Ajv, type AnySchema, type ErrorObject, type Options } from "ajv";
import { Ajv2019 } from "ajv/dist/2019.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { FieldError } from "../platform/errors.js";
import { LIMITS, ServerInputSchema } from "./schemas.js";
import type { ServerInput, ServerPatch, ServerRequest, ToolInput } from "./types.js";

/**
 * Strict-ish: unknown keywords and malformed schemas are errors (a typo like `propertiez` would
 * silently validate nothing), but union types and unknown formats are allowed because real MCP
 * servers publish them.
 */
const TOOL_SCHEMA_OPTIONS: Options = {
  strict: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  allowUnionTypes: true,
  validateFormats: false,
  addUsedSchema: false,
  logger: false,
};

// One compiler per draft, shared: building an Ajv instance costs milliseconds, and compiled tool
// schemas are removed right after the check, so these hold no per-request state.
const DRAFTS: Record<string, Ajv> = {};
function ajvFor(dialect: string | undefined): Ajv | undefined {
  const key = (dialect ?? "draft-07").replace(/#$/, "").replace(/^https?:\/\/json-schema\.org\//, "");
  if (key === "draft-07/schema" || key === "draft-07") {
    DRAFTS.d7 ??= new Ajv(TOOL_SCHEMA_OPTIONS);
    return DRAFTS.d7;
  }
  if (key === "draft/2019-09/schema") {
    DRAFTS.d2019 ??= new Ajv2019(TOOL_SCHEMA_OPTIONS);
    return DRAFTS.d2019;
  }
  if (key === "draft/2020-12/schema") {
    DRAFTS.d2020 ??= new Ajv2020(TOOL_SCHEMA_OPTIONS);
    return DRAFTS.d2020;
  }
  return undefined;
}

/**
 * Checks that a tool's `input_schema` is a JSON Schema the gateway can later validate arguments
 * with: it must compile, and MCP requires the top level to describe an object.
 * Returns the problem, or undefined when the schema is usable.
 */
export function inputSchemaProblem(schema: Record<string, unknown>): string | undefined {
  if (jsonBytes(schema) > LIMITS.inputSchemaMaxBytes) return `is larger than ${LIMITS.inputSchemaMaxBytes} bytes`;
  if (schema.type !== "object") return 'must have "type": "object" at the top level (MCP tool input)';
  const dialect = typeof schema.$schema === "string" ? schema.$schema : undefined;
  const ajv = ajvFor(dialect);
  if (!ajv) return `uses unsupported $schema '${dialect}' (draft-07, 2019-09 and 2020-12 are supported)`;
  try {
    ajv.compile(schema as AnySchema);
    // compile() caches by schema object; drop it so registrations do not grow memory.
    ajv.removeSchema(schema as AnySchema);
    return undefined;
  } catch (e) {
    return `is not a valid JSON Schema: ${e instanceof Error ? e.message : String(e)}`;
  }
}

export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value ?? null), "utf8");
}

const shapeAjv = new Ajv({ allErrors: true, strict: false });
const checkShape = shapeAjv.compile(ServerInputSchema);

function ajvFields(prefix: string, errors: ErrorObject[] | null | undefined): FieldError[] {
  return (errors ?? []).map((e) => {
    const p = e.params as Record<string, unknown>;
    const extra = typeof p.missingProperty === "string" ? `/${p.missingProperty}` : "";
    const additional = typeof p.additionalProperty === "string" ? `/${p.additionalProperty}` : "";
    return { path: `${prefix}${e.instancePath}${extra}${additional}`, message: e.message ?? "is invalid" };
  });
}

/** The TypeBox shape check the route does, for bulk items that Fastify cannot check one by one. */
export function shapeErrors(value: unknown, prefix: string): FieldError[] {
  return checkShape(value) ? [] : ajvFields(prefix, checkShape.errors);
}

/**
 * The registration with its transport: as sent, or Streamable HTTP (the current MCP transport) when
 * it was left out and the endpoint is an http(s) URL. Undefined when it cannot be told; stdio is
 * never assumed, since it makes SARK run a command, which a client must ask for.
 */
export function withInferredTransport(request: ServerRequest): ServerInput | undefined {
  if (request.transport !== undefined) return { ...request, transport: request.transport };
  if (typeof request.endpoint === "string" && /^https?:\/\//i.test(request.endpoint)) {
    return { ...request, transport: "streamable-http" };
  }
  return undefined;
}

export const TRANSPORT_REQUIRED = "is required unless endpoint is an http(s) URL (then it is streamable-http)";

type Connection = Pick<ServerInput, "transport" | "endpoint" | "command" | "args" | "env">;

/** Transport rules: HTTP transports need an http(s) endpoint; stdio needs a command. */
export function connectionErrors(s: Connection, prefix: string): FieldError[] {
  const errors: FieldError[] = [];
  const has = (v: unknown) => v !== undefined && v !== null;
  if (s.transport === "stdio") {
    if (!has(s.command)) errors.push({ path: `${prefix}/command`, message: "is required for transport stdio" });
    if (has(s.endpoint)) errors.push({ path: `${prefix}/endpoint`, message: "is not allowed for transport stdio" });
    return errors;
  }
  if (has(s.command))
    errors.push({ path: `${prefix}/command`, message: `is not allowed for transport ${s.transport}` });
  if ((s.args?.length ?? 0) > 0) errors.push({ path: `${prefix}/args`, message: "is only for transport stdio" });
  if ((s.env?.length ?? 0) > 0) errors.push({ path: `${prefix}/env`, message: "is only for transport stdio" });
  if (!has(s.endpoint)) {
    errors.push({ path: `${prefix}/endpoint`, message: `is required for transport ${s.transport}` });
    return errors;
  }
  const problem = endpointProblem(String(s.endpoint));
  if (problem) errors.push({ path: `${prefix}/endpoint`, message: problem });
  return errors;
}

function endpointProblem(endpoint: string): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return "must be an absolute http or https URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "must use http or https";
  // Credentials do not belong in a registry row that every reader can see.
  if (url.username || url.password) return "must not contain credentials (user:password@)";
  return undefined;
}

function toolErrors(tools: ToolInput[], prefix: string): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  tools.forEach((tool, i) => {
    const at = `${prefix}/tools/${i}`;
    if (seen.has(tool.name)) errors.push({ path: `${at}/name`, message: `duplicates tool '${tool.name}'` });
    seen.add(tool.name);
    if (tool.input_schema) {
      const problem = inputSchemaProblem(tool.input_schema);
      if (problem) errors.push({ path: `${at}/input_schema`, message: `of tool '${tool.name}' ${problem}` });
    }
    if (tool.annotations && jsonBytes(tool.annotations) > LIMITS.annotationsMaxBytes) {
      errors.push({ path: `${at}/annotations`, message: `is larger than ${LIMITS.annotationsMaxBytes} bytes` });
    }
  });
  return errors;
}

/** Rules a JSON Schema cannot express: transport coupling, sizes, tool schemas, unique tool names. */
export function semanticErrors(s: ServerInput | (ServerPatch & Connection), prefix: string): FieldError[] {
  const errors = connectionErrors(s, prefix);
  if (s.metadata && jsonBytes(s.metadata) > LIMITS.metadataMaxBytes) {
    errors.push({ path: `${prefix}/metadata`, message: `is larger than ${LIMITS.metadataMaxBytes} bytes of JSON` });
  }
  if (s.name !== undefined && s.name.trim().length === 0) {
    errors.push({ path: `${prefix}/name`, message: "must not be blank" });
  }
  if ("tools" in s && s.tools) errors.push(...toolErrors(s.tools, prefix));
  return errors;
}
