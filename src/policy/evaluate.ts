import { sql } from "kysely";
import type { Static } from "typebox";
import { ACTIONS } from "../core/actions.js";
import type { AuthzDecision } from "../core/authorizer.js";
import type { Caller } from "../core/caller.js";
import type { PolicyContext, PolicyServer, PolicyTool, PolicyUser } from "../core/policy-input.js";
import type { Sensitivity } from "../core/sensitivity.js";
import type { Clock } from "../platform/clock.js";
import type { Database } from "../platform/db/database.js";
import { notFound } from "../platform/errors.js";
import { buildInput, policyUserOf, requestContext } from "./input.js";
import type { PolicyAuthorizer } from "./policy-authorizer.js";
import type { EvaluateBody } from "./schemas.js";
import { type PolicyDb, policyDb } from "./store/repository.js";

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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `POST /api/v1/policies/evaluate`: builds the same input document the API's own checks build,
 * from ids (looked up) or inline documents, and returns the engine's decision. Asking on behalf of
 * another user (or with a made-up user document) needs `policy:evaluate:as_user` (admins).
 */
export function createEvaluateService(deps: {
  database: Database;
  authorizer: PolicyAuthorizer;
  clock: Clock;
  environment: string;
}) {
  const db = policyDb(deps.database);

  /** Someone other than the caller: needs `policy:evaluate:as_user`, and a lookup by reference. */
  async function otherUser(caller: Caller, ref: NonNullable<EvaluateRequest["user"]>): Promise<PolicyUser> {
    await deps.authorizer.require(caller, ACTIONS.policyEvaluateAsUser);
    if (typeof ref === "string") return lookupUser(db, ref);
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
      const server = serverId ? await lookupServer(db, serverId) : inlineServer(body.server);
      const tool =
        typeof body.tool === "string" && serverId
          ? await lookupTool(db, serverId, body.tool)
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

async function lookupUser(db: PolicyDb, ref: string): Promise<PolicyUser> {
  const q = db
    .selectFrom("users")
    .select(["id", "username", "email", "roles", "teams", "auth_provider", "mfa_enabled"]);
  const row = await (UUID.test(ref)
    ? q.where("id", "=", ref)
    : q.where(sql`lower(username)`, "=", ref.toLowerCase())
  ).executeTakeFirst();
  if (!row) throw notFound("user", ref);
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    roles: row.roles,
    teams: row.teams,
    groups: [],
    auth_method: row.auth_provider === "local" ? "password" : row.auth_provider,
    mfa: row.mfa_enabled,
  };
}

async function lookupServer(db: PolicyDb, id: string): Promise<PolicyServer> {
  const row = await db
    .selectFrom("servers")
    .select(["id", "name", "transport", "sensitivity_level", "owner_id", "team", "tags"])
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) throw notFound("server", id);
  return {
    id: row.id,
    name: row.name,
    transport: row.transport,
    sensitivity_level: row.sensitivity_level as Sensitivity,
    owner_id: row.owner_id,
    team_id: row.team,
    tags: row.tags,
  };
}

async function lookupTool(db: PolicyDb, serverId: string, name: string): Promise<PolicyTool> {
  const row = await db
    .selectFrom("tools")
    .select(["name", "sensitivity_level", "requires_approval", "annotations"])
    .where("server_id", "=", serverId)
    .where("name", "=", name)
    .executeTakeFirst();
  if (!row) throw notFound("tool", name);
  return {
    name: row.name,
    sensitivity_level: row.sensitivity_level as Sensitivity,
    requires_approval: row.requires_approval,
    annotations: row.annotations,
  };
}
