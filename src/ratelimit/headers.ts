import type { FastifyReply } from "fastify";
import type { LimitDecision } from "./limiter.js";
import { PERIOD_SECONDS } from "./limiter.js";
import type { LimitKind } from "./subject.js";

/**
 * Tells the client where it stands, on every limited response: the widespread `X-RateLimit-*`
 * fields (Reset in seconds from now, as the IETF fields do, so client clocks do not matter) and
 * the IETF RateLimit-Policy / RateLimit fields (draft-ietf-httpapi-ratelimit-headers), whose
 * policy name is the kind of allowance the request drew from.
 */
export function setRateLimitHeaders(reply: FastifyReply, kind: LimitKind, decision: LimitDecision): void {
  const { limit, remaining, resetSeconds } = decision;
  reply.header("x-ratelimit-limit", limit);
  reply.header("x-ratelimit-remaining", remaining);
  reply.header("x-ratelimit-reset", resetSeconds);
  reply.header("ratelimit-policy", `"${kind}";q=${limit};w=${PERIOD_SECONDS}`);
  reply.header("ratelimit", `"${kind}";r=${remaining};t=${resetSeconds}`);
}
