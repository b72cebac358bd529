import type { FastifyRequest } from "fastify";
import type { Caller, RequestFacts } from "../../core/caller.js";
import { unauthenticated } from "../errors.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Set by the pipeline's authenticate step on every non-public route. */
    caller: Caller | undefined;
  }
  interface FastifyContextConfig {
    /** Route needs no authentication (probes, login, docs). */
    public?: boolean;
    /** Route changes state but stays available in read-only mode (login, refresh). */
    allowInReadOnly?: boolean;
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
