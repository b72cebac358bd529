import type { Static } from "typebox";
import { ACTIONS } from "../core/actions.js";
import type { AuthzDecision } from "../core/authorizer.js";
import type { Caller } from "../core/caller.js";
import type { ServerLookup, UserLookup } from "../core/lookups.js";
import type { PolicyContext, PolicyServer, PolicyTool, PolicyUser } from "../core/policy-input.js";
import type { Sensitivity } from "../core/sensitivity.js";
import type { Clock } from "../platform/clock.js";
import { notFound } from "../platform/errors.js";
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

  return {
    async evaluate(caller: Caller, body: EvaluateRequest): Promise<EvaluateResponse> {
      await deps.authorizer.require(caller, ACTIONS.policyEvaluate);
      // Only references to stored users, servers and tools are awaited: inline documents (the
      // usual case) cost no database round trip and no extra promise.
      const ref = body.user;
      const self = ref === undefined || ref === caller.principal.id || ref === caller.principal.username;
      const user = self ? policyUserOf(caller) : await otherUser(caller, ref);
      const serverId = body.server_id?.toLowerCase();
      const server = serverId ? await storedServer(deps.lookups.servers, serverId) : inlineServer(body.server);
      const tool =
        typeof body.tool === "string" && serverId
          ? await storedTool(deps.lookups.servers, serverId, body.tool)
          : inlineTool(body.tool, server);
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
