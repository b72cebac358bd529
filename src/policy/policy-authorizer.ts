import type { Action } from "../core/actions.js";
import { type AuditDecision, type AuditRecorder, auditActorOf } from "../core/audit.js";
import type { Authorizer, AuthzDecision, PolicyResource } from "../core/authorizer.js";
import type { Caller } from "../core/caller.js";
import type { PolicyInput } from "../core/policy-input.js";
import { missingScopeReason, scopeAllows } from "../core/scopes.js";
import type { Clock } from "../platform/clock.js";
import type { PolicyConfig } from "../platform/config/policy.js";
import { AppError } from "../platform/errors.js";
import type { Logger } from "../platform/logger.js";
import type { CachedDecision, DecisionCache } from "./decision-cache.js";
import { buildInput, decisionIdentity, inputSensitivity, policyUserOf, requestContext } from "./input.js";
import type { PolicyMetrics } from "./metrics.js";
import { type EngineResult, type PolicyEngine, PolicyEvalFailure } from "./types.js";

export interface PolicyAuthorizerDeps {
  engine: PolicyEngine;
  cache: DecisionCache | undefined;
  audit: AuditRecorder;
  config: PolicyConfig;
  environment: string;
  metrics: PolicyMetrics;
  logger: Logger;
  clock: Clock;
}

/** The Authorizer plus the evaluate API's entry point (a complete input document). */
export interface PolicyAuthorizer extends Authorizer {
  /** Decides a complete input document on `caller`'s behalf; `details` go into the audit event. */
  decide(input: PolicyInput, caller: Caller, details?: Record<string, unknown>): Promise<AuthzDecision>;
}

const MAX_REASON_LENGTH = 500;

/**
 * Authorization through the policy engine: API-key scopes first, then the decision cache, then the
 * engine. Fail closed: any engine failure is a deny carrying the failure as its reason, and is never
 * cached. Every decision becomes a `policy.decision` audit event (buffered, never a database wait).
 */
export function createPolicyAuthorizer(deps: PolicyAuthorizerDeps): PolicyAuthorizer {
  const { engine, cache, audit, config, metrics, logger, clock } = deps;
  // Series resolved once (the engine kind is fixed for the process): every decision counts.
  const counted = {
    allow: metrics.evaluations.series({ engine: engine.kind, result: "allow" }),
    deny: metrics.evaluations.series({ engine: engine.kind, result: "deny" }),
    error: metrics.evaluations.series({ engine: engine.kind, result: "error" }),
  };
  const evalDuration = metrics.evalDuration.series({ engine: engine.kind });

  async function evaluate(input: PolicyInput): Promise<AuthzDecision> {
    const key = cache ? decisionIdentity(engine.cacheScope(), input) : "";
    if (cache) {
      const hit = await cache.get(key);
      if (hit) return withMeta(hit, true, 0);
    }
    const started = performance.now();
    let result: EngineResult;
    try {
      result = await engine.evaluate(input);
    } catch (e) {
      const evalUs = Math.round((performance.now() - started) * 1000);
      counted.error.inc();
      const message = e instanceof PolicyEvalFailure ? e.message : "policy evaluation failed unexpectedly";
      if (!(e instanceof PolicyEvalFailure)) logger.error({ err: e }, message);
      const reason = `policy error (denied): ${message}`.slice(0, MAX_REASON_LENGTH);
      return { allow: false, reasons: [reason], policyVersion: engine.version(), cached: false, evalUs };
    }
    const seconds = (performance.now() - started) / 1000;
    evalDuration.observe(seconds);
    const decision = toDecision(input, result, engine.version());
    (decision.allow ? counted.allow : counted.deny).inc();
    if (cache) {
      const ttl = result.cacheTtl ?? config.cacheTtlSeconds[inputSensitivity(input)];
      void cache.set(key, decision, ttl);
    }
    return withMeta(decision, false, Math.round(seconds * 1_000_000));
  }

  function record(
    input: PolicyInput,
    d: AuthzDecision,
    caller: Caller,
    details?: Record<string, unknown>,
  ): Promise<void> {
    const resource = input.tool
      ? {
          type: "tool",
          id: input.server?.id ?? null,
          name: input.server ? `${input.server.name}/${input.tool.name}` : input.tool.name,
        }
      : input.server
        ? { type: "server", id: input.server.id, name: input.server.name }
        : undefined;
    const decision: AuditDecision = {
      allow: d.allow,
      ...(d.reasons.length > 0 ? { reason: d.reasons.join("; ") } : {}),
      policy: d.policyVersion,
      cached: d.cached,
      eval_us: d.evalUs,
    };
    // `record` resolves as soon as the event is buffered (it never waits for the database);
    // awaiting it only waits when the buffer is full, which is the back-pressure that keeps a
    // flood of decisions from queueing without bound.
    return audit
      .record({
        event_type: "policy.decision",
        severity: d.allow ? "low" : "medium",
        outcome: d.allow ? "success" : "denied",
        actor: auditActorOf(caller),
        action: input.action,
        resource,
        decision,
        request_id: caller.request.requestId,
        details,
      })
      .catch((e: unknown) => logger.warn({ err: e }, "policy decision audit event dropped"));
  }

  async function authorize(caller: Caller, action: Action, resource?: PolicyResource) {
    const input = buildInput(
      policyUserOf(caller),
      action,
      resource,
      requestContext(clock.now(), caller.request, deps.environment),
    );
    // A key's scopes bound what it can ever do, whatever the holder's roles allow.
    const { scopes } = caller.auth;
    const decision =
      scopes !== undefined && !scopeAllows(scopes, action)
        ? {
            allow: false,
            reasons: [missingScopeReason(action)],
            policyVersion: engine.version(),
            cached: false,
            evalUs: 0,
          }
        : await evaluate(input);
    await record(input, decision, caller);
    return decision;
  }

  return {
    authorize,
    async require(caller, action, resource) {
      const decision = await authorize(caller, action, resource);
      if (!decision.allow) {
        throw new AppError("POLICY_DENIED", decision.reasons.join("; "), {
          details: { reasons: decision.reasons, policy_version: decision.policyVersion },
        });
      }
      return decision;
    },
    async decide(input, caller, details) {
      const decision = await evaluate(input);
      await record(input, decision, caller, details);
      return decision;
    },
  };
}

/** A decision as routes see it: the (possibly cached) verdict plus how it was reached. */
function withMeta(d: CachedDecision, cached: boolean, evalUs: number): AuthzDecision {
  return {
    allow: d.allow,
    reasons: d.reasons,
    filteredParameters: d.filteredParameters,
    policyVersion: d.policyVersion,
    cached,
    evalUs,
  };
}

function toDecision(input: PolicyInput, r: EngineResult, policyVersion: string): CachedDecision {
  const allow = r.allow && r.deny.length === 0;
  if (allow)
    return {
      allow,
      reasons: [],
      policyVersion,
      ...(r.filteredParameters ? { filteredParameters: r.filteredParameters } : {}),
    };
  const reasons = r.deny.length > 0 ? [...r.deny].sort() : [r.reason ?? `no policy rule allows ${input.action}`];
  return { allow, reasons, policyVersion };
}
