import type { Static } from "typebox";
import { ACTIONS } from "../core/actions.js";
import type { AuthzDecision } from "../core/authorizer.js";
import type { Caller } from "../core/caller.js";
import type { ServerLookup, UserLookup } from "../core/lookups.js";
import type { PolicyContext, PolicyServer, PolicyTool, PolicyUser } from "../core/policy-input.js";
import type { Sensitivity } from "../core/sensitivity.js";
import type { Clock } from "../platform/clock.js";
import { notFound, validationFailed } from "../platform/errors.js";
import { buildInput, policyUserOf, requestContext } from "./input.js";
import type { PolicyAuthorizer } from "./policy-authorizer.js";
import type { EvaluateBody } from "./schemas.js";

export type EvaluateRequest = Static<typeof EvaluateBody>;

export interface EvaluateResponse {
  decision: "allow" | "deny";
  allow: boolean;
  reasons: string[];
  filtered_parameters?: Record<string, unknown>;
  policy_version: string;
  cached: boolean;
  eval_us: number;
}

/** Stored users (auth) and servers and tools (registry): the features that own them answer. */
export interface EvaluateLookups {
  users: UserLookup;
  servers: ServerLookup;
}

/**
 * `POST /api/v1/policies/evaluate`: builds the same input document the API's own checks build,
 * from ids (looked up) or inline documents, and returns the engine's decision. Asking on behalf of
 * another user (or with a made-up user document) needs `policy:evaluate:as_user` (admins).
 */
export function createEvaluateService(deps: {
  /** A getter: see PolicyDeps. */
  lookups: EvaluateLookups;
  authorizer: PolicyAuthorizer;
  clock: Clock;
  environment: string;
}) {
  /** Someone other than the caller: needs `policy:evaluate:as_user`, and a lookup by reference. */
  async function otherUser(caller: Caller, ref: NonNullable<EvaluateRequest["user"]>): Promise<PolicyUser> {
    await deps.authorizer.require(caller, ACTIONS.policyEvaluateAsUser);
    if (typeof ref === "string") return storedUser(deps.lookups.users, ref);
    return {
      id: ref.id ?? null,
      username: ref.username ?? null,
      email: ref.email ?? null,
      roles: ref.roles ?? [],
      teams: ref.teams ?? [],
      groups: ref.groups ?? [],
      auth_method: ref.auth_method ?? null,
      mfa: ref.mfa ?? false,
    };
  }

  /** From `server_id` (looked up) or an inline `server` document, and `tool` by name or document. */
  async function serverAndTool(body: EvaluateRequest): Promise<Resolved> {
    const serverId = body.server_id?.toLowerCase();
    const server = serverId ? await storedServer(deps.lookups.servers, serverId) : inlineServer(body.server);
    const tool =
      typeof body.tool === "string" && serverId
        ? await storedTool(deps.lookups.servers, serverId, body.tool)
        : inlineTool(body.tool, server);
    return { server, tool };
  }

  return {
    async evaluate(caller: Caller, body: EvaluateRequest): Promise<EvaluateResponse> {
      await deps.authorizer.require(caller, ACTIONS.policyEvaluate);
      // Only references to stored users, servers and tools are awaited: inline documents (the
      // usual case) cost no database round trip and no extra promise.
      const ref = body.user;
      const self = ref === undefined || ref === caller.principal.id || ref === caller.principal.username;
      const user = self ? policyUserOf(caller) : await otherUser(caller, ref);
      const { server, tool } =
        body.resource === undefined ? await serverAndTool(body) : await resolveResource(body, deps.lookups.servers);
      const now = requestContext(deps.clock.now(), caller.request, deps.environment);
      const context: PolicyContext = body.context ? { ...now, ...body.context } : now;
      const input = buildInput(user, body.action, { server, tool, parameters: body.parameters ?? {} }, context);
      const details =
        user.id === caller.principal.id
          ? { via: "evaluate_api" }
          : { on_behalf_of: user.username ?? user.id, via: "evaluate_api" };
      const decision = await deps.authorizer.decide(input, caller, details);
      return toResponse(decision);
    },
  };
}

interface Resolved {
  server: PolicyServer | null;
  tool: PolicyTool | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `resource` (the deployment guide's form): a registered server's id or name, or `server/tool`.
 * The whole string is tried as a server first, since names may contain "/"; then it is split at
 * the last "/". A name SARK does not know is evaluated as an unregistered server of that name at
 * the strictest sensitivity (as an inline tool without a level is); an unknown id is a 404.
 */
async function resolveResource(body: EvaluateRequest, servers: ServerLookup): Promise<Resolved> {
  const resource = body.resource ?? "";
  if (body.server_id !== undefined || body.server !== undefined || body.tool !== undefined) {
    throw validationFailed("resource replaces server_id, server and tool", [
      { path: "body/resource", message: "cannot be combined with server_id, server or tool" },
    ]);
  }
  const whole = await serverByReference(servers, resource);
  if (whole) return { server: whole, tool: null };
  if (UUID.test(resource)) throw notFound("server", resource.toLowerCase());
  const slash = resource.lastIndexOf("/");
  if (slash <= 0 || slash === resource.length - 1) return { server: unregisteredServer(resource), tool: null };
  const serverRef = resource.slice(0, slash);
  const toolName = resource.slice(slash + 1);
  const server = await serverByReference(servers, serverRef);
  if (!server) {
    const unregistered = unregisteredServer(serverRef);
    return { server: unregistered, tool: inlineTool(toolName, unregistered) };
  }
  return { server, tool: await storedTool(servers, server.id, toolName) };
}

function serverByReference(servers: ServerLookup, ref: string): Promise<PolicyServer | null> {
  return UUID.test(ref) ? servers.findServer(ref.toLowerCase()) : servers.findServerByName(ref);
}

function unregisteredServer(name: string): PolicyServer {
  return {
    id: "",
    name,
    transport: "streamable-http",
    sensitivity_level: "critical",
    owner_id: null,
    team_id: null,
    tags: [],
  };
}

function inlineServer(s: EvaluateRequest["server"]): PolicyServer | null {
  if (!s) return null;
  return {
    id: s.id ?? "",
    name: s.name,
    transport: s.transport ?? "streamable-http",
    sensitivity_level: s.sensitivity_level ?? "medium",
    owner_id: s.owner_id ?? null,
    team_id: s.team_id ?? null,
    tags: s.tags ?? [],
  };
}

/** An inline tool without a level takes its server's, else critical: the strictest reading. */
function inlineTool(t: EvaluateRequest["tool"], server: PolicyServer | null): PolicyTool | null {
  if (t === undefined) return null;
  const fallback: Sensitivity = server?.sensitivity_level ?? "critical";
  if (typeof t === "string") return { name: t, sensitivity_level: fallback, requires_approval: false, annotations: {} };
  return {
    name: t.name,
    sensitivity_level: t.sensitivity_level ?? fallback,
    requires_approval: t.requires_approval ?? false,
    annotations: t.annotations ?? {},
  };
}

function toResponse(d: AuthzDecision): EvaluateResponse {
  return {
    decision: d.allow ? "allow" : "deny",
    allow: d.allow,
    reasons: d.reasons,
    ...(d.filteredParameters ? { filtered_parameters: d.filteredParameters } : {}),
    policy_version: d.policyVersion,
    cached: d.cached,
    eval_us: d.evalUs,
  };
}

async function storedUser(users: UserLookup, ref: string): Promise<PolicyUser> {
  const user = await users.findUser(ref);
  if (!user) throw notFound("user", ref);
  return user;
}

async function storedServer(servers: ServerLookup, id: string): Promise<PolicyServer> {
  const server = await servers.findServer(id);
  if (!server) throw notFound("server", id);
  return server;
}

async function storedTool(servers: ServerLookup, serverId: string, name: string): Promise<PolicyTool> {
  const tool = await servers.findTool(serverId, name);
  if (!tool) throw notFound("tool", name);
  return tool;
}
