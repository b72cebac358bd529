import { type AuditRecorder, auditActorOf } from "../core/audit.js";
import { CACHE_KEYS } from "../platform/cache.js";
import type { RateLimitConfig } from "../platform/config/rate-limit.js";
import { AppError } from "../platform/errors.js";
import { requestFactsOf } from "../platform/http/caller.js";
import type { PipelineStep } from "../platform/http/pipeline.js";
import type { Counter } from "../platform/metrics.js";
import { setRateLimitHeaders } from "./headers.js";
import { type Limiter, PERIOD_SECONDS } from "./limiter.js";
import { type LimitKind, limitSubjectOf } from "./subject.js";

const KIND_NAMES: Record<LimitKind, string> = { api_key: "API key", user: "user", ip: "client address" };

/**
 * The pipeline's rate-limit step, after authentication: counts the request against its API key,
 * user or client address (subject.ts), sets the limit headers, and answers 429 RATE_LIMITED with
 * Retry-After when the allowance is spent. Probes and /metrics (`rateLimitExempt`) are not counted.
 * The first rejection of an identity in a minute is audited; every rejection is counted by kind.
 */
export function rateLimitStep(deps: {
  config: RateLimitConfig;
  limiter: Limiter;
  audit: AuditRecorder;
  rejections: Counter<"kind">;
}): PipelineStep {
  const { config, limiter } = deps;
  return {
    name: "rate-limit",
    async run(request, reply) {
      if (request.routeOptions.config.rateLimitExempt) return;
      const subject = limitSubjectOf(request.caller, request.ip, config);
      const decision = await limiter.check(CACHE_KEYS.rateLimit(subject.kind, subject.id), subject.limit);
      setRateLimitHeaders(reply, subject.kind, decision);
      if (decision.allowed) return;

      deps.rejections.inc({ kind: subject.kind });
      const details = {
        limit_kind: subject.kind,
        limit: decision.limit,
        window_seconds: PERIOD_SECONDS,
        retry_after_seconds: decision.retryAfterSeconds,
      };
      if (await limiter.firstRejection(CACHE_KEYS.rateLimitRejected(subject.kind, subject.id))) {
        await deps.audit.record({
          event_type: "ratelimit.exceeded",
          severity: "medium",
          outcome: "denied",
          actor: auditActorOf(request.caller ?? requestFactsOf(request)),
          // Unknown paths are the client's text: bounded, like every other audited string.
          action: `${request.method} ${request.routeOptions.url ?? (request.url.split("?")[0] ?? "").slice(0, 256)}`,
          request_id: String(request.id),
          details,
        });
      }
      throw new AppError(
        "RATE_LIMITED",
        `rate limit exceeded: ${decision.limit} requests per minute per ${KIND_NAMES[subject.kind]}; retry in ${decision.retryAfterSeconds} s`,
        { details, headers: { "retry-after": String(decision.retryAfterSeconds) } },
      );
    },
  };
}
