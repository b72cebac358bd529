import type { FastifyRequest } from "fastify";
import type { Caller, RequestFacts } from "../../core/caller.js";
import { type AppError, unauthenticated } from "../errors.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Set by the pipeline's authenticate step on every non-public route. */
    caller: Caller | undefined;
    /** The 401 for a request whose credential did not authenticate, sent after the rate-limit step. */
    authenticationFailure: AppError | undefined;
  }
  interface FastifyContextConfig {
    /** Route needs no authentication (probes, login, docs). */
    public?: boolean;
    /** Route changes state but stays available in read-only mode (login, refresh). */
    allowInReadOnly?: boolean;
    /** Not counted by the rate limiter (probes and /metrics, which infrastructure polls constantly). */
    rateLimitExempt?: boolean;
  }
}

/** The request's facts (client address, user agent, request id), for anonymous and authenticated calls alike. */
export function requestFactsOf(request: FastifyRequest): RequestFacts {
  return { ip: request.ip, userAgent: request.headers["user-agent"] ?? null, requestId: String(request.id) };
}

/** The authenticated caller; the pipeline guarantees one on every route that is not public. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) {
    throw unauthenticated("authentication required");
  }
  return request.caller;
}
