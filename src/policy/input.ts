import { createHash } from "node:crypto";
import type { PolicyResource } from "../core/authorizer.js";
import type { Caller, RequestFacts } from "../core/caller.js";
import type { PolicyContext, PolicyInput, PolicyUser } from "../core/policy-input.js";
import type { Sensitivity } from "../core/sensitivity.js";
import { isoTime } from "../platform/clock.js";

/** `input.user` of a caller: the one place the policy's view of a caller is derived. */
export function policyUserOf({ principal, auth }: Caller): PolicyUser {
  return {
    id: principal.id,
    username: principal.username,
    email: principal.email,
    roles: principal.roles,
    teams: principal.teams,
    groups: principal.groups,
    auth_method: auth.method,
    mfa: auth.mfa,
  };
}

/** `input.context` for a request made now. */
export function requestContext(nowMs: number, facts: RequestFacts | undefined, environment: string): PolicyContext {
  return {
    time: isoTime(nowMs),
    time_ns: nowMs * 1_000_000,
    ip: facts?.ip ?? null,
    user_agent: facts?.userAgent ?? null,
    request_id: facts?.requestId ?? null,
    environment,
  };
}

/** Assembles the input document (one object literal: this runs on every request). */
export function buildInput(
  user: PolicyUser,
  action: string,
  resource: PolicyResource | undefined,
  context: PolicyContext,
): PolicyInput {
  const server = resource?.server ?? null;
  const tool = resource?.tool ?? null;
  return {
    user,
    action,
    server,
    tool,
    parameters: resource?.parameters ?? {},
    context,
    server_name: server?.name ?? null,
    tool_name: tool?.name ?? null,
  };
}

const LEVELS: readonly Sensitivity[] = ["low", "medium", "high", "critical"];

/** The sensitivity a decision's cache TTL follows: the stricter of tool and server, else medium. */
export function inputSensitivity(input: PolicyInput): Sensitivity {
  const t = input.tool ? LEVELS.indexOf(input.tool.sensitivity_level) : -1;
  const s = input.server ? LEVELS.indexOf(input.server.sensitivity_level) : -1;
  const i = Math.max(t, s);
  return i < 0 ? "medium" : (LEVELS[i] ?? "critical");
}

/**
 * The decision-cache identity of an input: cache scope (engine, policy revision) plus the input
 * without its volatile fields (time and request id change on every request and would make every
 * lookup a miss). Plain JSON.stringify: buildInput fixes the top-level key order, and the same
 * caller sending nested keys in another order only costs a miss, never a wrong hit. Policies
 * whose decisions depend on time set `cache_ttl` (the default policy sets 0 when business hours apply).
 */
export function decisionIdentity(scope: string, input: PolicyInput): string {
  const { time: _t, time_ns: _n, request_id: _r, ...stable } = input.context;
  return `${scope}\n${JSON.stringify({ ...input, context: stable })}`;
}

/** A fixed-size key for shared caches (Redis). SHA-256: a collision would hand out another input's decision. */
export function hashIdentity(identity: string): string {
  return createHash("sha256").update(identity).digest("base64url");
}
